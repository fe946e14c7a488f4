"""Reads about people: reporting lines and what a manager may see of them."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from allauth.account.models import EmailAddress

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from certificates.models import Certificate
from modules.models import ModulePage, ModuleProgress
from quizzes.models import Attempt
from quizzes.selectors import attempts_retry_at

from .models import Assignment, Person, Team
from .status import CertificateFacts, relative_due_on, status_compute


def reporting_line_ids(*, manager):
    """Ids of everyone below ``manager`` in the reporting line, to any depth (one query)."""
    return set(reporting_line(manager=manager).values_list("pk", flat=True))


def reporting_line(*, manager):
    """Everyone below ``manager`` to any depth, as a queryset: one recursive query in the
    database, so it stays a single query (and a subquery for others) however big the line is.
    UNION (not UNION ALL) drops repeats, which also ends the walk if bad data has a loop. People
    who have left are not shown, but the walk goes through them, so that the reports of a manager
    who left stay visible until HR gives them a new manager."""
    table = Person._meta.db_table
    walk = RawSQL(  # noqa: S611  (no user input: our table name and a bound id)
        f"""WITH RECURSIVE line(id) AS (
                SELECT id FROM {table} WHERE line_manager_id = %s
                UNION
                SELECT p.id FROM {table} p JOIN line ON p.line_manager_id = line.id
            ) SELECT id FROM line""",  # noqa: S608  (the table name is ours, the id a parameter)
        [manager.pk],
    )
    return (
        Person.objects.filter(pk__in=walk, left_on__isnull=True)
        .exclude(pk=manager.pk)
        .select_related("user", "team", "line_manager__user")
    )


def person_in_reporting_line(*, manager, person_id):
    return reporting_line(manager=manager).filter(pk=person_id).first()


def team_descendant_ids(*, teams, team_id):
    """A team and its sub-teams to any depth, from an already-read list of teams."""
    children = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team.pk)
    found, frontier = {team_id}, [team_id]
    while frontier:
        frontier = [
            child for parent in frontier for child in children[parent] if child not in found
        ]
        found.update(frontier)
    return found


def _team_ancestors(*, teams):
    parent_of = {team.pk: team.parent_id for team in teams}
    ancestors = {}
    for team_id in parent_of:
        chain, current = [], team_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parent_of.get(current)
        ancestors[team_id] = set(chain)
    return ancestors


@dataclass(frozen=True)
class PersonRow:
    """What a grid row needs of a person, read with ``values()``: building tens of thousands of
    model instances (person, user, team) costs far more than the query itself."""

    pk: int
    first_name: str
    last_name: str
    username: str
    employee_number: str | None
    job_title: str
    start_date: datetime.date | None
    team_id: int | None
    team_name: str | None
    line_manager_id: int | None
    line_manager_first_name: str | None
    line_manager_last_name: str | None

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.username

    @property
    def line_manager_name(self):
        if self.line_manager_id is None:
            return ""
        return f"{self.line_manager_first_name or ''} {self.line_manager_last_name or ''}".strip()


PERSON_ROW_FIELDS = {
    "pk": "pk",
    "first_name": "user__first_name",
    "last_name": "user__last_name",
    "username": "user__username",
    "employee_number": "employee_number",
    "job_title": "job_title",
    "start_date": "start_date",
    "team_id": "team_id",
    "team_name": "team__name",
    "line_manager_id": "line_manager_id",
    "line_manager_first_name": "line_manager__user__first_name",
    "line_manager_last_name": "line_manager__user__last_name",
}


def person_rows(*, people):
    return [PersonRow(*values) for values in people.values_list(*PERSON_ROW_FIELDS.values())]


def _person_filter(people):
    """A subquery when given a queryset (so the database does the work for big reporting lines),
    else the ids of a list."""
    if isinstance(people, QuerySet):
        return people.values("pk")
    return [person.pk for person in people]


def module_status_grid(*, people, modules, today=None):
    """Status of each person for each module: what a manager may see (status, dates, attempts,
    best score), never answers. A fixed number of queries however many people there are.

    Returns ``[{"person": person, "cells": [Cell, ...]}]`` in the order of ``people``; given a
    queryset, each person is a ``PersonRow``."""
    today = today or timezone.localdate()
    person_filter = _person_filter(people)
    people = person_rows(people=people) if isinstance(people, QuerySet) else list(people)
    modules = list(modules)
    module_ids = [module.pk for module in modules]
    teams = list(Team.objects.only("id", "parent_id"))
    ancestors = _team_ancestors(teams=teams)
    assignments = list(
        Assignment.objects.filter(module_id__in=module_ids).filter(
            Q(person__isnull=True) | Q(person_id__in=person_filter)
        )
    )
    # Values, not instances: a big line has a certificate per person and module.
    certificates = {}
    for person_id, module_id, certificate_id, status, expires_on in (
        Certificate.objects.filter(
            person_id__in=person_filter,
            module_id__in=module_ids,
            kind=Certificate.Kind.MODULE,
            status__in=[Certificate.Status.VALID, Certificate.Status.RECERTIFICATION_DUE],
        )
        .order_by("issued_at")
        .values_list("person_id", "module_id", "pk", "status", "expires_on")
    ):
        certificates[(person_id, module_id)] = (
            certificate_id,
            CertificateFacts(status, expires_on),
        )
    attempts = {
        (row["person_id"], row["quiz__module_id"]): row
        for row in Attempt.objects.filter(
            person_id__in=person_filter, quiz__module_id__in=module_ids, submitted_at__isnull=False
        )
        .values("person_id", "quiz__module_id")
        .annotate(
            count=Count("id"),
            best=Max("percent"),
            last_submitted_at=Max("submitted_at"),
            passed_pending=Count("id", filter=Q(passed=True, certificate__isnull=True)),
        )
        .order_by()
    }
    # The quiz cooldown, for "failed (can retry on ...)": two queries at most, whatever the size.
    waits = attempts_retry_at(person_ids=person_filter, module_ids=module_ids)
    started = set(
        ModuleProgress.objects.filter(
            person_id__in=person_filter, module_id__in=module_ids
        ).values_list("person_id", "module_id")
    )
    by_module = defaultdict(list)
    for assignment in assignments:
        by_module[assignment.module_id].append(assignment)
    window = settings.LMS_EXPIRING_SOON_DAYS
    published_on = {
        module.pk: timezone.localdate(module.first_published_at)
        if module.first_published_at
        else None
        for module in modules
    }
    rows = []
    for person in people:
        person_teams = ancestors.get(person.team_id, set())
        cells = []
        for module, module_id in zip(modules, module_ids, strict=True):
            key = (person.pk, module_id)
            due_on, recertify_by, assigned = _due_dates(
                person=person,
                person_teams=person_teams,
                module=module,
                assignments=by_module[module_id],
                published_on=published_on[module_id],
            )
            certificate_id, certificate = certificates.get(key, (None, None))
            attempt = attempts.get(key)
            retry_on = None
            if attempt and not attempt["passed_pending"] and certificate is None:
                retry_at = waits.get(key)
                retry_on = timezone.localdate(retry_at) if retry_at else None
            cells.append(
                status_compute(
                    module=module,
                    assigned=assigned,
                    due_on=due_on,
                    certificate=certificate,
                    certificate_id=certificate_id,
                    recertify_by=recertify_by,
                    attempts=attempt["count"] if attempt else 0,
                    best_score=attempt["best"] if attempt else None,
                    passed_pending=bool(attempt and attempt["passed_pending"]),
                    started=key in started,
                    retry_on=retry_on,
                    today=today,
                    expiring_window_days=window,
                )
            )
        rows.append({"person": person, "cells": cells})
    return rows


def _due_dates(*, person, person_teams, module, assignments, published_on):
    """(due date, recertification due date, assigned?) for one person and module.

    The earliest due date of the assignments that reach the person wins. A base-competence module
    with no assignment reaching the person is assigned to all staff by default."""
    due_dates, recertify_by = [], None
    for assignment in assignments:
        if assignment.audience == Assignment.Audience.PERSON and assignment.person_id != person.pk:
            continue
        if (
            assignment.audience == Assignment.Audience.TEAM
            and assignment.team_id not in person_teams
        ):
            continue
        due_on = assignment.due_on or relative_due_on(
            start_date=person.start_date,
            assigned_on=assignment.assigned_on,
            within_days=assignment.due_within_days,
        )
        if assignment.reason == Assignment.Reason.RECERTIFICATION:
            recertify_by = max(filter(None, [recertify_by, due_on]))
        else:
            due_dates.append(due_on)
    if due_dates:
        return min(due_dates), recertify_by, True
    if getattr(module, "base_competence", False):
        due_on = (
            relative_due_on(
                start_date=person.start_date,
                assigned_on=published_on,
                within_days=settings.LMS_BASE_COMPETENCE_DUE_DAYS,
            )
            if (person.start_date or published_on)
            else None
        )
        return due_on, recertify_by, True
    return None, recertify_by, recertify_by is not None


def modules_for_tracking():
    return ModulePage.objects.live().order_by("path")


def user_with_organisation_email(*, email):
    """The account the organisation gave ``email`` to (the HR file, Entra ID or an administrator),
    or None. An address someone added to their own account never counts."""
    email = (email or "").strip()
    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None
