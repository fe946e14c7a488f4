"""The organisation-wide reports count and sort in SQL (``tracking.status_sql``); they must say
exactly what the Python status rule (``module_status_grid``) says, on SQLite and PostgreSQL alike.

The reference here is the reports as they were written over the grid, on an organisation with
each status, people who left, a person without a team, sub-teams, personal and team assignments,
relative due dates, and ties (same name, same due date, several modules)."""

import datetime

import pytest

from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from people.models import Person, Team
from people.services import person_create
from quizzes.models import Attempt, Quiz
from tests.factories import (
    PolicyClauseFactory,
    attempt_make,
    certificate_make,
    days,
    facts_refresh,
    module_page_create,
)
from tracking import status as statuses
from tracking.models import Assignment
from tracking.reports import (
    PersonModuleLine,
    TeamModuleCompletion,
    completion_by_team_and_module,
    organisation_grid,
    overdue_lines,
    overdue_list,
)
from tracking.selectors import module_status_grid, modules_for_tracking
from tracking.services import assignment_create

pytestmark = pytest.mark.django_db


def completion_reference(*, today):
    totals = {}
    for row in organisation_grid(today=today):
        team = row["person"].team_name or "No team"
        for cell in row["cells"]:
            if not cell.is_assigned:
                continue
            key = (team, cell.module.title)
            line = totals.setdefault(key, TeamModuleCompletion(team=team, module=cell.module.title))
            line.assigned += 1
            line.compliant += cell.is_compliant
            line.overdue += cell.status in (statuses.OVERDUE, statuses.EXPIRED)
            line.expiring_soon += cell.status == statuses.EXPIRING_SOON
    return [totals[key] for key in sorted(totals)]


def overdue_reference(*, today):
    lines = [
        PersonModuleLine(
            name=row["person"].full_name,
            employee_number=row["person"].employee_number or "",
            team=row["person"].team_name or "No team",
            line_manager=row["person"].line_manager_name,
            module=cell.module.title,
            status=cell.label,
            due_on=cell.due_on,
            valid_until=cell.valid_until,
            days=(today - cell.due_on).days,
        )
        for row in _grid_people_in_a_fixed_order(today=today)
        for cell in row["cells"]
        if cell.status in (statuses.OVERDUE, statuses.EXPIRED) and cell.due_on
    ]
    return sorted(lines, key=lambda line: (-line.days, line.name))


def _grid_people_in_a_fixed_order(*, today):
    # The fixture has two people of the same name: the report puts them in id order, and the
    # reference must not leave it to the database (it broke ties differently run to run).
    people = Person.objects.filter(left_on__isnull=True).order_by(
        "user__last_name", "user__first_name", "pk"
    )
    return module_status_grid(people=people, modules=modules_for_tracking(), today=today)


def _revoke(certificate, *, at):
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REVOKED)
    CertificateEvent.objects.create(
        certificate=certificate,
        at=at,
        actor_name="Ada Auditor",
        from_status=Certificate.Status.VALID,
        to_status=Certificate.Status.REVOKED,
        reason="Tested",
    )
    facts_refresh(person=certificate.person, module=certificate.module)


def _certified_days_ago(*, person, module, expires_on):
    """A certificate on a pass submitted five days ago (so that a later revocation stands)."""
    quiz = Quiz.objects.filter(module=module).first() or Quiz.objects.create(
        module=module, title=f"{module.title} quiz"
    )
    attempt = Attempt.objects.create(
        person=person,
        quiz=quiz,
        pass_mark=quiz.pass_mark,
        questions=[],
        answers={},
        submitted_at=timezone.now() - datetime.timedelta(days=5),
        passed=True,
        percent=100,
        score=100,
        max_score=100,
    )
    return certificate_make(person=person, module=module, expires_on=expires_on, attempt=attempt)


def _recertification_due(*, person, module, by, expires_on):
    """A certificate marked for recertification, and the assignment to recertify by ``by``."""
    certificate_make(
        person=person,
        module=module,
        expires_on=expires_on,
        status=Certificate.Status.RECERTIFICATION_DUE,
    )
    assignment_create(
        module=module,
        audience=Assignment.Audience.PERSON,
        person=person,
        due_on=by,
        reason=Assignment.Reason.RECERTIFICATION,
    )


@pytest.fixture
def organisation(people, module):
    """Every status the reports count, over three modules (one not base competence, one sharing
    another's due dates) and a team tree: Directorate > Family court team."""
    now = timezone.now()
    clause = PolicyClauseFactory(reference="9.1")
    optional = module_page_create(
        clause=clause, title="Optional module", slug="optional", base_competence=False
    )
    third = module_page_create(clause=clause, title="Third module", slug="third")
    directorate = Team.objects.create(name="Directorate")
    Team.objects.filter(name="Family court team").update(parent=directorate)
    # Someone with no team, and two people whose names (and due dates) tie.
    people["author"].team = None
    people["author"].save()
    twins = [
        person_create(
            username=f"sam.twin{number}",
            first_name="Sam",
            last_name="Staff",
            email=f"twin{number}@example.org",
            team=people["staff"].team,
            line_manager=people["manager"],
            start_date=days(-400),
        )
        for number in (1, 2)
    ]
    people["other_manager"].left_on = days(-3)
    people["other_manager"].save()

    assignment_create(module=module, due_on=days(-10))
    assignment_create(
        module=optional,
        audience=Assignment.Audience.TEAM,
        team=directorate,
        due_within_days=30,
        assigned_on=days(-60),
    )
    assignment_create(
        module=optional,
        audience=Assignment.Audience.PERSON,
        person=people["auditor"],
        due_on=days(-1),
    )
    assignment_create(module=third, due_on=days(-10))
    # Module 1: passed, expiring soon, expired, recertification due (overdue and not yet).
    certificate_make(person=people["staff"], module=module, expires_on=days(300))
    certificate_make(person=people["deep"], module=module, expires_on=days(20))
    certificate_make(person=people["other_staff"], module=module, expires_on=days(-2))
    _recertification_due(person=people["lead"], module=module, by=days(-4), expires_on=days(40))
    _recertification_due(person=twins[0], module=module, by=days(12), expires_on=days(40))
    # An older current certificate is not the one that counts.
    certificate_make(
        person=people["staff"],
        module=third,
        expires_on=days(-30),
        issued_at=now - datetime.timedelta(days=400),
    )
    certificate_make(person=people["staff"], module=third, expires_on=days(5))
    # Module 3: revoked (nothing since), revoked then tried again, a pass being certified, a fail.
    _revoke(
        _certified_days_ago(person=twins[1], module=third, expires_on=days(100)),
        at=now - datetime.timedelta(days=2),
    )
    # Module 2: revoked before it is due, and a fail before it is due (both start recently).
    for person in (people["deep"], people["staff"]):
        person.start_date = days(-2)
        person.save()
    _revoke(
        _certified_days_ago(person=people["deep"], module=optional, expires_on=days(50)),
        at=now - datetime.timedelta(days=1),
    )
    attempt_make(
        person=people["staff"], quiz=Quiz.objects.get(module=optional), passed=False, percent=5
    )
    revoked_then_tried = certificate_make(
        person=people["auditor"], module=third, expires_on=days(9)
    )
    _revoke(revoked_then_tried, at=now - datetime.timedelta(days=3))
    third_quiz = Quiz.objects.get(module=third)
    attempt_make(person=people["auditor"], quiz=third_quiz, passed=False, percent=10)
    attempt_make(person=people["deep"], quiz=third_quiz, passed=True, percent=90)
    attempt_make(person=people["author"], quiz=third_quiz, passed=False, percent=20)
    # A certificate of a module not assigned to its holder still counts as assigned.
    certificate_make(person=people["other_staff"], module=optional, expires_on=days(-1))
    return people


@pytest.mark.parametrize("offset", [0, 3, 15, 45, 400])
def test_the_reports_say_what_the_status_grid_says(organisation, offset):
    today = days(offset)
    assert completion_by_team_and_module(today=today) == completion_reference(today=today)
    assert overdue_list(today=today) == overdue_reference(today=today)


def test_the_fixture_reaches_every_status_the_reports_count(organisation):
    statuses_seen = {
        cell.status for row in organisation_grid(today=days(0)) for cell in row["cells"]
    }
    assert {
        statuses.PASSED,
        statuses.EXPIRING_SOON,
        statuses.EXPIRED,
        statuses.OVERDUE,
        statuses.RECERTIFICATION_DUE,
        statuses.REVOKED,
        statuses.FAILED,
        statuses.NOT_ASSIGNED,
    } <= statuses_seen


def test_the_overdue_list_breaks_ties_by_name_then_as_the_grid_lists_people(organisation):
    lines = overdue_list(today=days(0))
    keys = [(-line.days, line.name) for line in lines]
    assert keys == sorted(keys)
    assert [line.name for line in lines].count("Sam Staff") >= 2


def test_people_who_left_are_in_no_report(organisation):
    lines = overdue_list(today=days(400))
    assert "Olu Other" not in {line.name for line in lines}
    assert sum(line.assigned for line in completion_by_team_and_module(today=days(0))) == sum(
        1 for row in organisation_grid(today=days(0)) for cell in row["cells"] if cell.is_assigned
    )


def test_no_modules_means_empty_reports(people):
    assert completion_by_team_and_module() == []
    assert list(overdue_lines()) == []


def test_the_overdue_download_is_streamed_line_for_line(organisation, client_for):
    import csv
    import io

    from django.urls import reverse

    response = client_for(organisation["auditor"]).get(
        reverse("lms_report_overdue"), {"export": "csv"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Name",
        "Employee number",
        "Team",
        "Line manager",
        "Module",
        "Status",
        "Due",
        "Days overdue",
    ]
    assert rows[1:] == [
        [
            line.name,
            line.employee_number,
            line.team,
            line.line_manager,
            line.module,
            line.status,
            line.due_on.isoformat(),
            str(line.days),
        ]
        for line in overdue_list()
    ]


def compliance_reference(*, people, today, months=12):
    """Compliance by month as ``tracking.insight`` worked it out in Python over the grid's rule."""
    import bisect

    from django.db.models import Case, OuterRef, Subquery, When

    from quizzes.selectors import months_back
    from tracking.insight import MonthCompliance, _month_ends
    from tracking.selectors import assigned_modules, modules_for_tracking

    month_starts = months_back(today=today, months=months)
    ends = _month_ends(month_starts=month_starts, today=today)
    modules = list(modules_for_tracking())
    revoked = Certificate.Status.REVOKED
    revocation_time = CertificateEvent.objects.filter(
        certificate=OuterRef("pk"), to_status=revoked
    ).order_by("at")
    valid_months = {}
    for person_id, module_id, issued_at, expires_on, revoked_at in (
        Certificate.objects.filter(
            person_id__in=people.values("pk"),
            module_id__in=[module.pk for module in modules],
            kind=Certificate.Kind.MODULE,
        )
        .annotate(
            revoked_at=Case(When(status=revoked, then=Subquery(revocation_time.values("at")[:1])))
        )
        .values_list("person_id", "module_id", "issued_at", "expires_on", "revoked_at")
        .order_by()
    ):
        last_valid = expires_on
        if revoked_at is not None:
            last_valid = min(last_valid, timezone.localdate(revoked_at) - datetime.timedelta(1))
        first = bisect.bisect_left(ends, timezone.localdate(issued_at))
        last = bisect.bisect_right(ends, last_valid)
        if first < last:
            valid_months.setdefault((person_id, module_id), set()).update(range(first, last))
    people_count, assigned, compliant = [0] * months, [0] * months, [0] * months
    for person, module_ids in assigned_modules(people=people, modules=modules):
        if not module_ids:
            continue
        from_month = bisect.bisect_left(ends, person.start_date) if person.start_date else 0
        for index in range(from_month, months):
            people_count[index] += 1
            assigned[index] += len(module_ids)
        for module_id in module_ids:
            for index in valid_months.get((person.pk, module_id), ()):
                if index >= from_month:
                    compliant[index] += 1
    return [
        MonthCompliance(
            month=start,
            measured_on=end,
            people=people_count[index],
            assigned=assigned[index],
            compliant=compliant[index],
        )
        for index, (start, end) in enumerate(zip(month_starts, ends, strict=True))
    ]


@pytest.mark.parametrize("offset", [0, 40, 400])
def test_compliance_over_time_says_what_the_python_rule_says(organisation, offset):
    from people.models import Person
    from tracking.insight import compliance_by_month

    # Certificates issued at different times, so that the months differ.
    certificate_make(
        person=organisation["auditor"],
        module=Certificate.objects.first().module,
        expires_on=days(200),
        issued_at=timezone.now() - datetime.timedelta(days=150),
    )
    today = days(offset)
    for people in (
        Person.objects.filter(left_on__isnull=True),
        Person.objects.filter(team__name="Family court team"),
        Person.objects.all(),
    ):
        assert compliance_by_month(people=people, today=today) == compliance_reference(
            people=people, today=today
        )
