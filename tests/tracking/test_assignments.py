"""Who a module is assigned to, with what due date, and the status that results."""

import datetime

import pytest

from django.core.exceptions import ValidationError
from django.test import override_settings

from certificates.models import Certificate
from people.services import team_get_or_create
from tests.factories import attempt_make, certificate_make, days, module_page_create, progress_make
from tracking import status as statuses
from tracking.models import Assignment
from tracking.selectors import module_status_grid
from tracking.services import assignment_create, assignment_recertify

pytestmark = pytest.mark.django_db


def cell_for(person, module, **kwargs):
    return module_status_grid(people=[person], modules=[module], **kwargs)[0]["cells"][0]


@pytest.fixture
def optional_module(clause):
    page = module_page_create(clause=clause, title="Optional extra", slug="optional")
    page.base_competence = False
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def test_base_competence_modules_are_assigned_to_everyone_by_default(people, module):
    module.first_published_at = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC)
    people["staff"].start_date = datetime.date(2026, 3, 1)
    cell = cell_for(people["staff"], module)
    assert cell.is_assigned
    # Due within LMS_BASE_COMPETENCE_DUE_DAYS (30) of starting.
    assert cell.due_on == datetime.date(2026, 3, 31)


def test_other_modules_are_not_assigned_unless_someone_assigns_them(people, optional_module):
    assert cell_for(people["staff"], optional_module).status == statuses.NOT_ASSIGNED


def test_assigned_to_a_team_reaches_its_sub_teams_to_any_depth_and_nobody_else(
    people, optional_module
):
    region = team_get_or_create(name="Region")
    area = team_get_or_create(name="Area", parent=region)
    patch = team_get_or_create(name="Patch", parent=area)
    people["deep"].team = patch
    people["deep"].save()
    assignment_create(
        module=optional_module, audience=Assignment.Audience.TEAM, team=region, due_on=days(20)
    )
    assert cell_for(people["deep"], optional_module).due_on == days(20)
    assert cell_for(people["staff"], optional_module).status == statuses.NOT_ASSIGNED


def test_assigned_to_one_person(people, optional_module):
    assignment_create(
        module=optional_module,
        audience=Assignment.Audience.PERSON,
        person=people["staff"],
        due_on=days(5),
    )
    assert cell_for(people["staff"], optional_module).due_on == days(5)
    assert cell_for(people["lead"], optional_module).status == statuses.NOT_ASSIGNED


def test_in_one_grid_each_person_gets_their_own_assignments_and_nobody_elses(
    people, optional_module
):
    # The grid keeps each person's own assignments apart from the shared ones: one grid over
    # several people, each assigned on their own, must still give each their own due dates.
    for person, due in ((people["staff"], 5), (people["deep"], 9)):
        assignment_create(
            module=optional_module,
            audience=Assignment.Audience.PERSON,
            person=person,
            due_on=days(due),
        )
    assignment_create(
        module=optional_module,
        audience=Assignment.Audience.PERSON,
        person=people["deep"],
        due_on=days(20),
        reason=Assignment.Reason.RECERTIFICATION,
    )
    shown = [people["staff"], people["lead"], people["deep"]]
    cells = [row["cells"][0] for row in module_status_grid(people=shown, modules=[optional_module])]
    assert [(cell.status, cell.due_on) for cell in cells] == [
        (statuses.NOT_STARTED, days(5)),
        (statuses.NOT_ASSIGNED, None),
        (statuses.NOT_STARTED, days(9)),
    ]


def test_assigned_to_everyone_with_a_relative_due_date_from_the_start_date(people, optional_module):
    assignment_create(module=optional_module, due_within_days=30, assigned_on=days(-100))
    person = people["staff"]
    person.start_date = days(-10)
    cell = cell_for(person, optional_module)
    assert (cell.status, cell.due_on) == (statuses.NOT_STARTED, days(20))
    person.start_date = days(-31)
    assert cell_for(person, optional_module).status == statuses.OVERDUE


def test_the_earliest_due_date_of_several_assignments_wins(people, optional_module):
    assignment_create(module=optional_module, due_on=days(40))
    assignment_create(
        module=optional_module,
        audience=Assignment.Audience.PERSON,
        person=people["staff"],
        due_on=days(10),
    )
    assert cell_for(people["staff"], optional_module).due_on == days(10)


def test_an_assignment_needs_exactly_one_kind_of_due_date_and_a_matching_target(people, module):
    with pytest.raises(ValidationError):
        assignment_create(module=module, due_on=days(1), due_within_days=3)
    with pytest.raises(ValidationError):
        assignment_create(module=module)
    with pytest.raises(ValidationError):
        assignment_create(module=module, audience=Assignment.Audience.TEAM, due_on=days(1))
    with pytest.raises(ValidationError):
        assignment_create(module=module, person=people["staff"], due_on=days(1))
    assert not Assignment.objects.exists()


def test_status_moves_from_not_started_to_in_progress_to_failed_to_passed(people, module, quiz):
    person = people["staff"]
    assignment_create(module=module, due_on=days(10))
    assert cell_for(person, module).status == statuses.NOT_STARTED
    progress_make(person=person, module=module)
    assert cell_for(person, module).status == statuses.IN_PROGRESS
    attempt_make(person=person, quiz=quiz, passed=False, percent=40)
    cell = cell_for(person, module)
    assert (cell.status, cell.attempts, cell.best_score) == (statuses.FAILED, 1, 40)
    passed = attempt_make(person=person, quiz=quiz, passed=True, percent=90)
    assert cell_for(person, module).status == statuses.PASSED  # certificate still being issued
    certificate_make(person=person, module=module, expires_on=days(365), attempt=passed)
    cell = cell_for(person, module)
    assert (cell.status, cell.valid_until, cell.attempts, cell.best_score) == (
        statuses.PASSED,
        days(365),
        2,
        90,
    )


@override_settings(LMS_EXPIRING_SOON_DAYS=45)
def test_expiry_makes_a_new_due_date_then_expiring_soon_then_expired(people, module):
    person = people["staff"]
    assignment_create(module=module, due_on=days(-400))
    certificate = certificate_make(person=person, module=module, expires_on=days(46))
    cell = cell_for(person, module)
    assert (cell.status, cell.due_on) == (statuses.PASSED, days(46))
    assert cell_for(person, module, today=days(1)).status == statuses.EXPIRING_SOON
    expired = cell_for(person, module, today=days(47))
    assert (expired.status, expired.due_on) == (statuses.EXPIRED, certificate.expires_on)


def test_revoked_and_superseded_certificates_do_not_count(people, module):
    person = people["staff"]
    assignment_create(module=module, due_on=days(-1))
    certificate_make(
        person=person, module=module, expires_on=days(300), status=Certificate.Status.REVOKED
    )
    assert cell_for(person, module).status == statuses.OVERDUE


def test_recertification_gets_a_new_due_date_and_becomes_overdue_after_it(people, module):
    person = people["staff"]
    certificate = certificate_make(person=person, module=module, expires_on=days(300))
    certificate.status = Certificate.Status.RECERTIFICATION_DUE
    certificate.save()
    assert cell_for(person, module).label == "Recertification due"
    assignment = assignment_recertify(person=person, module=module)
    assert assignment_recertify(person=person, module=module) == assignment  # idempotent
    cell = cell_for(person, module)
    assert (cell.status, cell.due_on) == (statuses.RECERTIFICATION_DUE, days(30))
    assert cell_for(person, module, today=days(31)).status == statuses.OVERDUE
    # Passing again clears it: the new certificate is valid.
    certificate_make(person=person, module=module, expires_on=days(365))
    assert cell_for(person, module).status == statuses.PASSED


def test_the_grid_never_carries_answers(people, module, quiz):
    attempt_make(
        person=people["staff"],
        quiz=quiz,
        passed=False,
        percent=10,
        answers={"q-1": "secret-answer"},
    )
    cell = cell_for(people["staff"], module)
    assert "secret-answer" not in repr(vars(cell))
