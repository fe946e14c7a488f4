import pytest

from lms import roles
from people.models import Person
from people.selectors import reporting_line
from tracking.demo import DEMO_PEOPLE, demo_load
from tracking.models import Assignment
from tracking.selectors import module_status_grid

pytestmark = pytest.mark.django_db


def test_demo_accounts_keep_their_roles_and_get_assignments(module):
    people = demo_load()
    for username, _first, _last, role_names, _manager, _team, _job in DEMO_PEOPLE:
        assert set(people[username].user.groups.values_list("name", flat=True)) == set(role_names)
    assert Assignment.objects.filter(
        module=module, audience="everyone", due_within_days=30
    ).exists()
    assert Assignment.objects.filter(team__name="Adoption team").exists()
    maria = Person.objects.get(user__username="maria.manager")
    line = reporting_line(manager=maria)
    assert {person.user.username for person in line} == {
        "sam.staff",
        "amy.adviser",
        "lee.lead",
        "rita.report",
        "tom.trainee",
    }
    statuses = {
        row["person"].username: row["cells"][0].status
        for row in module_status_grid(people=line, modules=[module])
    }
    assert statuses["tom.trainee"] == "overdue" and statuses["sam.staff"] == "not_started"
    demo_load()  # idempotent
    assert Assignment.objects.count() == 2
    assert roles.LINE_MANAGERS in set(maria.user.groups.values_list("name", flat=True))
