"""Reads for tracking: each person's status in each module, as a manager may see it."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, Max, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from lms.names import display_name
from modules.models import ModulePage, ModuleProgress
from modules.selectors import content_cached
from people.models import Person
from people.selectors import team_and_parent_ids, team_parents_above
from quizzes.models import Attempt
from quizzes.selectors import attempts_retry_at, quiz_refusals

from .models import Assignment
from .status import CertificateFacts, relative_due_on, status_compute


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
        return display_name(
            first_name=self.first_name, last_name=self.last_name, username=self.username
        )

    @property
    def line_manager_name(self):
        if self.line_manager_id is None:
            return ""
        return display_name(
            first_name=self.line_manager_first_name, last_name=self.line_manager_last_name
        )


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


def _teams_reaching(people):
    """``{team id: the team and those above it}`` for the teams of ``people`` (rows with a
    ``team_id``): whose team assignments reach each of them."""
    team_ids = {person.team_id for person in people}
    parent_of = team_parents_above(team_ids=team_ids)
    return {
        team_id: team_and_parent_ids(team_id=team_id, parent_of=parent_of)
        for team_id in team_ids
        if team_id is not None
    }


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
    teams_reaching = _teams_reaching(people)
    assignments = list(
        Assignment.objects.filter(module_id__in=module_ids).filter(
            Q(person__isnull=True) | Q(person_id__in=person_filter)
        )
    )
    # Values, not instances: a big line has a certificate per person and module. Revoked ones
    # come in the same read, with when they were revoked (looked up for those rows only): what
    # My learning and the team grid say while nothing has been submitted since.
    certificates, revoked_at = {}, {}
    revoked = Certificate.Status.REVOKED
    revocation_time = CertificateEvent.objects.filter(
        certificate=OuterRef("pk"), to_status=revoked
    ).order_by("-at")
    for person_id, module_id, certificate_id, status, expires_on, revoked_on in (
        Certificate.objects.filter(
            person_id__in=person_filter,
            module_id__in=module_ids,
            kind=Certificate.Kind.MODULE,
            status__in=[Certificate.Status.VALID, Certificate.Status.RECERTIFICATION_DUE, revoked],
        )
        .annotate(
            revoked_at=Case(When(status=revoked, then=Subquery(revocation_time.values("at")[:1])))
        )
        .order_by("issued_at")
        .values_list("person_id", "module_id", "pk", "status", "expires_on", "revoked_at")
    ):
        key = (person_id, module_id)
        if status == revoked:
            if revoked_on is not None and (key not in revoked_at or revoked_on > revoked_at[key]):
                revoked_at[key] = revoked_on
            continue
        certificates[key] = (certificate_id, CertificateFacts(status, expires_on))
    attempts = {
        (row["person_id"], row["quiz__module_id"]): row
        for row in Attempt.objects.filter(
            person_id__in=person_filter, quiz__module_id__in=module_ids, submitted_at__isnull=False
        )
        .values("person_id", "quiz__module_id")
        .annotate(
            count=Count("id"),
            # A revoked pass is not a score to show: "best score 100 %" beside "pass again".
            best=Max(
                "percent",
                filter=Q(certificate__isnull=True)
                | ~Q(certificate__status=Certificate.Status.REVOKED),
            ),
            last_submitted_at=Max("submitted_at"),
            passed_pending=Count("id", filter=Q(passed=True, certificate__isnull=True)),
        )
        .order_by()
    }
    # The quiz cooldown, for "failed (can retry on ...)": three queries at most, whatever the
    # size, and only the histories of those with attempts enough to be waiting.
    waits = attempts_retry_at(
        person_ids=person_filter,
        module_ids=module_ids,
        submitted={key: row["count"] for key, row in attempts.items()},
    )
    started = set(
        ModuleProgress.objects.filter(
            person_id__in=person_filter, module_id__in=module_ids
        ).values_list("person_id", "module_id")
    )
    reaching = _AssignmentsReaching(assignments)
    refusals = quiz_refusals()
    organisation_of = {}
    if any(module_id in module_ids for module_id, _organisation_id in refusals.reasons):
        organisation_of = dict(
            Person.objects.filter(pk__in=person_filter).values_list("pk", "organisation_id")
        )
    window = settings.LMS_EXPIRING_SOON_DAYS
    published_on = {
        module.pk: timezone.localdate(module.first_published_at)
        if module.first_published_at
        else None
        for module in modules
    }
    rows = []
    for person in people:
        person_teams = teams_reaching.get(person.team_id, set())
        cells = []
        for module, module_id in zip(modules, module_ids, strict=True):
            key = (person.pk, module_id)
            due_on, recertify_by, assigned = _due_dates(
                person=person,
                person_teams=person_teams,
                module=module,
                assignments=reaching.of(module_id=module_id, person_id=person.pk),
                published_on=published_on[module_id],
            )
            certificate_id, certificate = certificates.get(key, (None, None))
            attempt = attempts.get(key)
            revoked_on = None
            revoked = revoked_at.get(key) if certificate is None else None
            if revoked is not None and (attempt is None or attempt["last_submitted_at"] <= revoked):
                revoked_on = timezone.localdate(revoked)
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
                    revoked_on=revoked_on,
                    quiz_refused=person.pk in organisation_of
                    and refusals.refuses(
                        module_id=module_id, organisation_id=organisation_of[person.pk]
                    ),
                )
            )
        rows.append({"person": person, "cells": cells})
    return rows


def assigned_modules(*, people, modules):
    """``[(PersonRow, [module ids assigned to them])]``: who must complete what today, by the
    grid's own rule (``_due_dates``) but without the records the grid reads for a status: two
    queries and the teams, for figures over a whole organisation."""
    person_filter = _person_filter(people)
    rows = person_rows(people=people)
    modules = list(modules)
    teams_reaching = _teams_reaching(rows)
    reaching = _AssignmentsReaching(
        Assignment.objects.filter(module__in=modules).filter(
            Q(person__isnull=True) | Q(person_id__in=person_filter)
        )
    )
    published_on = {
        module.pk: timezone.localdate(module.first_published_at)
        if module.first_published_at
        else None
        for module in modules
    }
    assigned = []
    for person in rows:
        person_teams = teams_reaching.get(person.team_id, set())
        assigned.append(
            (
                person,
                [
                    module.pk
                    for module in modules
                    if _due_dates(
                        person=person,
                        person_teams=person_teams,
                        module=module,
                        assignments=reaching.of(module_id=module.pk, person_id=person.pk),
                        published_on=published_on[module.pk],
                    )[2]
                ],
            )
        )
    return assigned


class _AssignmentsReaching:
    """Assignments by module, a person's own kept apart: each person then looks only at the
    module's shared assignments (everyone, teams) and their own, not at every other person's.
    Recertification assigns each person on their own, so an organisation's grid would otherwise
    go through every person's assignment for every person."""

    def __init__(self, assignments):
        self._shared = defaultdict(list)
        self._own = defaultdict(list)
        for assignment in assignments:
            if assignment.audience == Assignment.Audience.PERSON:
                self._own[(assignment.module_id, assignment.person_id)].append(assignment)
            else:
                self._shared[assignment.module_id].append(assignment)

    def of(self, *, module_id, person_id):
        return [*self._shared.get(module_id, ()), *self._own.get((module_id, person_id), ())]


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
    """The published modules that staff are tracked against. Without their steps: tracking reads
    a module's title, dates and settings, never its content, and the steps' JSON was most of what
    this read cost (2.2 → 1.3 ms for the demo's four modules, on every dashboard)."""
    return ModulePage.objects.live().order_by("path").defer("steps")


TRACKED_MODULES_KEY = "tracking:modules"


def modules_for_tracking_cached():
    """``modules_for_tracking`` as a list, from the shared cache under the content generation,
    which every publish, unpublish, move or edit of a module bumps (the admin's hooks, review
    approvals, scheduled publishing, the content loader). The dashboard reads the same few
    modules on every request, and their page query (the module's columns joined to
    wagtailcore_page's) cost it 3 ms. What a status is decided by (a module's first publication,
    whether it is base competence) changes only with a publish, so it is never older than the
    modules the rest of the site shows."""
    return content_cached(key=TRACKED_MODULES_KEY, compute=lambda: list(modules_for_tracking()))
