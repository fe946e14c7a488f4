"""After a certificate is revoked, the learner and their manager read what happened and what to
do: never "Failed, can retry now" beside "Best score 100%"."""

import datetime
from decimal import Decimal

import pytest

from django.urls import reverse
from django.utils import timezone

from certificates.services import certificate_revoke
from tests.factories import attempt_failed, days, module_certificate_for
from tracking import status as statuses
from tracking.services import assignment_create
from tracking.status import status_compute

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)


def compute(**overrides):
    arguments = {
        "module": "module",
        "assigned": True,
        "due_on": TODAY + 10 * DAY,
        "certificate": None,
        "recertify_by": None,
        "attempts": 1,
        "best_score": None,
        "passed_pending": False,
        "started": True,
        "retry_on": None,
        "today": TODAY,
        "expiring_window_days": 30,
    }
    return status_compute(**{**arguments, **overrides})


# The rule, without a database


def test_a_revoked_certificate_says_so_and_what_to_do():
    cell = compute(revoked_on=TODAY - 2 * DAY)
    assert cell.status == statuses.REVOKED and cell.tag_colour == "red"
    assert cell.label == "Certificate revoked on 13 June 2026: pass the quiz again by 25 June 2026"
    assert not cell.is_compliant and cell.revoked_on == TODAY - 2 * DAY


def test_a_revoked_certificate_past_its_due_date_is_overdue_and_still_says_why():
    cell = compute(revoked_on=TODAY - 2 * DAY, due_on=TODAY - DAY)
    assert cell.status == statuses.OVERDUE
    assert cell.label == (
        "Overdue: certificate revoked on 13 June 2026, pass the quiz again (was due 14 June 2026)"
    )


def test_a_revoked_certificate_of_a_module_no_longer_assigned_gives_no_due_date():
    cell = compute(revoked_on=TODAY, assigned=False)
    assert cell.status == statuses.REVOKED and cell.due_on is None
    assert cell.label == "Certificate revoked on 15 June 2026: pass the quiz again"


def test_a_current_certificate_or_a_pass_being_certified_outranks_an_old_revocation():
    assert compute(revoked_on=TODAY, passed_pending=True).status == statuses.PASSED


def test_revoked_is_a_status_a_manager_can_filter_and_sort_by():
    assert statuses.STATUS_NAMES[statuses.REVOKED] == "Certificate revoked"
    assert statuses.URGENCY.index(statuses.REVOKED) < statuses.URGENCY.index(statuses.FAILED)


# The pages


@pytest.fixture
def revoked(people, module, quiz):
    assignment_create(module=module, due_on=days(20))
    certificate = module_certificate_for(person=people["staff"], quiz=quiz)
    certificate_revoke(
        certificate=certificate,
        by=people["auditor"].user,
        reason="Sat by a colleague at the next desk",
        category="not_holders_own",
    )
    return certificate


def _expected_label():
    today = timezone.localdate()
    due = days(20)
    return (
        f"Certificate revoked on {today.day} {today:%B %Y}: "
        f"pass the quiz again by {due.day} {due:%B %Y}"
    )


@pytest.mark.django_db
def test_my_learning_says_the_certificate_was_revoked_not_failed(revoked, people, client_for):
    response = client_for(people["staff"]).get(reverse("home"))
    page = response.content.decode()
    assert _expected_label() in page
    assert "Failed" not in page and "can retry" not in page
    assert "100%" not in page  # the revoked pass is not a best score
    assert "Sat by a colleague" not in page
    (cell,) = response.context["grid"]
    assert cell.status == statuses.REVOKED and cell.best_score is None


@pytest.mark.django_db
def test_the_managers_dashboard_and_person_page_say_the_same(revoked, people, client_for):
    client = client_for(people["manager"])
    dashboard = client.get(reverse("team_dashboard")).content.decode()
    assert _expected_label() in dashboard and "Failed, can retry" not in dashboard
    member = client.get(reverse("team_member", args=[people["staff"].pk])).content.decode()
    assert _expected_label() in member and "100%" not in member
    filtered = client.get(reverse("team_dashboard"), {"status": statuses.REVOKED})
    assert "Sam Staff" in filtered.content.decode()


@pytest.mark.django_db
def test_an_attempt_after_the_revocation_is_what_counts_then(revoked, people, quiz, client_for):
    attempt_failed(person=people["staff"], quiz=quiz)
    response = client_for(people["staff"]).get(reverse("home"))
    (cell,) = response.context["grid"]
    assert cell.status == statuses.FAILED and cell.label.startswith("Failed")
    assert cell.best_score == Decimal("0") and cell.attempts == 2  # the revoked 100% is not "best"
    assert "Certificate revoked on" not in cell.label


@pytest.mark.django_db
def test_passing_again_after_a_revocation_is_passed(revoked, people, quiz, client_for):
    module_certificate_for(person=people["staff"], quiz=quiz)
    (cell,) = client_for(people["staff"]).get(reverse("home")).context["grid"]
    assert cell.status == statuses.PASSED and cell.best_score == Decimal("100")
