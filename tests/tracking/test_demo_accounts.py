from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from lms import roles
from people.models import Person
from people.selectors import reporting_line_ids
from tracking.demo import DEMO_PASSWORD, demo_load


def _counts():
    return (get_user_model().objects.count(), Person.objects.count(), Group.objects.count())


def test_demo_load_twice_duplicates_nothing(db):
    demo_load()
    first = _counts()
    demo_load()
    assert _counts() == first


def test_one_account_per_role_with_the_printed_password(db):
    demo_load()
    for role, username in [
        (roles.STAFF, "sam.staff"),
        (roles.LINE_MANAGERS, "maria.manager"),
        (roles.AUTHORS, "alex.author"),
        (roles.AUDITORS, "ada.auditor"),
    ]:
        user = get_user_model().objects.get(username=username)
        assert user.groups.filter(name=role).exists()
        assert user.check_password(DEMO_PASSWORD)


def test_demo_manager_has_three_reports_one_of_whom_manages(db):
    demo_load()
    manager = Person.objects.get(user__username="maria.manager")
    direct = list(manager.direct_reports.all())
    assert len(direct) >= 3
    assert any(report.direct_reports.exists() for report in direct)
    # The whole reporting line includes the reports' reports.
    assert len(reporting_line_ids(manager=manager)) > len(direct)
