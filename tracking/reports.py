"""Organisation-wide compliance, read for the Wagtail admin reports and for reminders."""

import contextlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from lms.names import display_name
from lms.sql import whole_organisation_query
from modules.models import ModulePage
from people.models import Person, Team

from . import status as statuses
from .dashboard import headline_from
from .models import Reminder
from .selectors import module_status_grid, modules_for_tracking
from .status import CertificateFacts, status_compute
from .status_sql import (
    line_totals,
    name_order_sql,
    report_cells_sql,
    sql_date,
    sql_datetime,
)


def organisation_grid(*, today=None):
    """Every current person against every live module (people who have left are not counted)."""
    people = Person.objects.filter(left_on__isnull=True)
    return module_status_grid(people=people, modules=modules_for_tracking(), today=today)


@dataclass
class TeamModuleCompletion:
    team: str
    module: str
    assigned: int = 0
    compliant: int = 0
    overdue: int = 0
    expiring_soon: int = 0

    @property
    def percent_compliant(self):
        return round(100 * self.compliant / self.assigned) if self.assigned else None


@dataclass
class PersonModuleLine:
    name: str
    employee_number: str
    team: str
    line_manager: str
    module: str
    status: str
    due_on: object
    valid_until: object
    days: int


def completion_by_team_and_module(*, today=None):
    """Per team (by name; "No team" for people without one) and module (by title): how many
    current people the module applies to, and how many are compliant, overdue or expired, and
    expiring soon. One GROUP BY in the database (``status_sql``), however many people."""
    today = today or timezone.localdate()
    modules = list(modules_for_tracking())
    if not modules:
        return []
    with_sql, params = report_cells_sql(modules=modules, today=today)
    # GROUP BY by position: with server-side parameters, an expression with a parameter written
    # twice (the team's name or "No team") would be two expressions to PostgreSQL.
    compliant = ", ".join(["%s"] * len(statuses.COMPLIANT))
    sql = f"""{with_sql}
SELECT COALESCE(team.name, %s), cells.module_id, COUNT(*),
    SUM(CASE WHEN cells.status IN ({compliant}) THEN 1 ELSE 0 END),
    SUM(CASE WHEN cells.status IN (%s, %s) THEN 1 ELSE 0 END),
    SUM(CASE WHEN cells.status = %s THEN 1 ELSE 0 END)
FROM cells JOIN {Person._meta.db_table} person ON person.id = cells.person_id
LEFT JOIN {Team._meta.db_table} team ON team.id = person.team_id
WHERE cells.status <> %s
GROUP BY 1, 2"""  # noqa: S608 (our table names)
    params += [
        NO_TEAM,
        *sorted(statuses.COMPLIANT),
        statuses.OVERDUE,
        statuses.EXPIRED,
        statuses.EXPIRING_SOON,
        statuses.NOT_ASSIGNED,
    ]
    titles = {module.pk: module.title for module in modules}
    totals = {}
    with whole_organisation_query(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        for team, module_id, assigned, compliant_count, overdue, expiring in cursor.fetchall():
            # Two modules (or teams) of the same name share a line, as they always have.
            key = (team, titles[module_id])
            line = totals.setdefault(key, TeamModuleCompletion(team=team, module=key[1]))
            line.assigned += assigned
            line.compliant += compliant_count
            line.overdue += overdue
            line.expiring_soon += expiring
    return [totals[key] for key in sorted(totals)]


NO_TEAM = "No team"


def _line(person, cell, days):
    return PersonModuleLine(
        name=person.full_name,
        employee_number=person.employee_number or "",
        team=person.team_name or NO_TEAM,
        line_manager=person.line_manager_name,
        module=cell.module.title,
        status=cell.label,
        due_on=cell.due_on,
        valid_until=cell.valid_until,
        days=days,
    )


def overdue_lines(*, today=None):
    """Overdue and expired assignments, longest overdue first (then by name), read and yielded a
    row at a time: the database picks and sorts them (``status_sql``), so memory stays flat however
    many there are. Each label is worded by ``status_compute`` from the facts the query read."""
    today = today or timezone.localdate()
    modules = list(modules_for_tracking())
    if not modules:
        return
    with_sql, params = report_cells_sql(modules=modules, today=today)
    user_table = get_user_model()._meta.db_table
    sql = f"""{with_sql}
SELECT cells.module_position, cells.is_assigned, cells.due_on, cells.recertify_by,
    cells.certificate_status, cells.expires_on, cells.revoked_at,
    u.first_name, u.last_name, u.username, person.employee_number, team.name,
    person.line_manager_id, manager_user.first_name, manager_user.last_name
FROM cells JOIN {Person._meta.db_table} person ON person.id = cells.person_id
LEFT JOIN {user_table} u ON u.id = person.user_id
LEFT JOIN {Team._meta.db_table} team ON team.id = person.team_id
LEFT JOIN {Person._meta.db_table} manager ON manager.id = person.line_manager_id
LEFT JOIN {user_table} manager_user ON manager_user.id = manager.user_id
WHERE cells.status IN (%s, %s) AND cells.due_on IS NOT NULL
ORDER BY cells.due_on, {name_order_sql()}, u.last_name, u.first_name, person.id,
    cells.module_position"""  # noqa: S608 (our table names)
    params += [statuses.OVERDUE, statuses.EXPIRED]
    window = settings.LMS_EXPIRING_SOON_DAYS
    with _rows_cursor() as cursor:
        with whole_organisation_query():
            cursor.execute(sql, params)
        while batch := cursor.fetchmany(2000):
            for (
                position,
                is_assigned,
                due_on,
                recertify_by,
                certificate_status,
                expires_on,
                revoked_at,
                first_name,
                last_name,
                username,
                employee_number,
                team,
                line_manager_id,
                manager_first_name,
                manager_last_name,
            ) in batch:
                revoked_at = sql_datetime(revoked_at)
                cell = status_compute(
                    module=modules[position],
                    assigned=bool(is_assigned),
                    due_on=sql_date(due_on),
                    certificate=CertificateFacts(certificate_status, sql_date(expires_on))
                    if certificate_status
                    else None,
                    recertify_by=sql_date(recertify_by),
                    attempts=0,
                    best_score=None,
                    passed_pending=False,
                    started=False,
                    retry_on=None,
                    today=today,
                    expiring_window_days=window,
                    revoked_on=timezone.localdate(revoked_at) if revoked_at else None,
                )
                yield PersonModuleLine(
                    name=display_name(
                        first_name=first_name, last_name=last_name, username=username or ""
                    ),
                    employee_number=employee_number or "",
                    team=team or NO_TEAM,
                    line_manager=display_name(
                        first_name=manager_first_name, last_name=manager_last_name
                    )
                    if line_manager_id is not None
                    else "",
                    module=cell.module.title,
                    status=cell.label,
                    due_on=cell.due_on,
                    valid_until=cell.valid_until,
                    days=(today - cell.due_on).days,
                )


@contextlib.contextmanager
def _rows_cursor():
    """A cursor that reads a long result a batch at a time (server-side on PostgreSQL)."""
    if connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
        cursor = connection.cursor()
    else:
        cursor = connection.chunked_cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def overdue_list(*, today=None):
    """``overdue_lines`` as a list."""
    return list(overdue_lines(today=today))


def expiring_list(*, today=None):
    """Certificates expiring within the expiring-soon window, soonest first."""
    today = today or timezone.localdate()
    lines = [
        _line(row["person"], cell, (cell.valid_until - today).days)
        for row in organisation_grid(today=today)
        for cell in row["cells"]
        if cell.status == statuses.EXPIRING_SOON
    ]
    return sorted(lines, key=lambda line: (line.days, line.name))


@dataclass(frozen=True)
class ReminderDue:
    person_id: int
    module_id: int
    reason: str
    about_date: object


def reminders_due(*, today=None, due_soon_days, escalate_after_days, already_sent):
    """The reminders today's statuses call for, minus those in ``already_sent`` (a set of
    (person_id, module_id, reason, about_date))."""
    today = today or timezone.localdate()
    due = []
    for row in organisation_grid(today=today):
        person = row["person"]
        for cell in row["cells"]:
            for reason, about in _reasons(
                cell=cell,
                person=person,
                today=today,
                due_soon_days=due_soon_days,
                escalate_after_days=escalate_after_days,
            ):
                if (person.pk, cell.module.pk, reason, about) not in already_sent:
                    due.append(ReminderDue(person.pk, cell.module.pk, reason, about))
    return due


def _reasons(*, cell, person, today, due_soon_days, escalate_after_days):
    waiting = (
        statuses.NOT_STARTED,
        statuses.IN_PROGRESS,
        statuses.FAILED,
        statuses.RECERTIFICATION_DUE,
        statuses.REVOKED,
    )
    if cell.status in waiting and cell.due_on and 0 <= (cell.due_on - today).days <= due_soon_days:
        yield "due_soon", cell.due_on
    if cell.status in (statuses.OVERDUE, statuses.EXPIRED) and cell.due_on:
        yield "overdue", cell.due_on
        if person.line_manager_id and (today - cell.due_on).days >= escalate_after_days:
            yield "escalation", cell.due_on
    # "Take the module again before then" is not for someone whose organisation its quiz refuses.
    if cell.status == statuses.EXPIRING_SOON and not cell.quiz_refused:
        yield "expiring", cell.valid_until


def reminders_already_sent():
    return set(Reminder.objects.values_list("person_id", "module_id", "reason", "about_date"))


@dataclass
class PublishEffect:
    """What publishing a version of a module does to the organisation: how many more people must
    complete it, and the share of people compliant in everything assigned to them before and
    after (the dashboard's headline measure, ``tracking.dashboard.headline_from``)."""

    newly_assigned: int
    percent_before: int | None
    percent_after: int | None

    def sentence(self):
        if not self.newly_assigned:
            return "Publishing this version assigns it to nobody new."
        people = "person" if self.newly_assigned == 1 else "people"
        return (
            f"Publishing this version assigns it to {self.newly_assigned} {people}; compliance "
            f"{'falls' if (self.percent_after or 0) < (self.percent_before or 0) else 'goes'} "
            f"from {_percent(self.percent_before)} to {_percent(self.percent_after)}."
        )


def _percent(value):
    return "no figure" if value is None else f"{value} %"


def module_publish_effect(*, module, today=None):
    """The effect of publishing ``module`` (the version about to go live, e.g. a revision's
    object) on current people: the live catalogue as it is, against the catalogue with this
    version in place of the live one. Worked out in the database (``status_sql``: the module's
    fields are read from the object given), so that the editor's panel does not build every
    person's grid twice: that took 15 s at 50,000 people."""
    today = today or timezone.localdate()
    people = Person.objects.filter(left_on__isnull=True)
    live = [m for m in modules_for_tracking() if m.pk != module.pk]
    current = ModulePage.objects.live().filter(pk=module.pk).specific().first()
    with whole_organisation_query():
        before = line_totals(
            people=people, modules=[*live, *([current] if current else [])], today=today, status=""
        )
        after = line_totals(people=people, modules=[*live, module], today=today, status="")
        newly = _assigned_ids(module=module, today=today)
        if current is not None:
            newly -= _assigned_ids(module=current, today=today)
    return PublishEffect(
        newly_assigned=len(newly),
        percent_before=headline_from(before).percent_compliant,
        percent_after=headline_from(after).percent_compliant,
    )


def _assigned_ids(*, module, today):
    """Ids of the current people to whom ``module`` (this version of it) shows as assigned: a
    status other than not assigned, as the headline counts them (a certificate held counts)."""
    sql, params = report_cells_sql(modules=[module], today=today)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} SELECT person_id FROM cells WHERE status <> %s",  # noqa: S608  (our names only)
            [*params, statuses.NOT_ASSIGNED],
        )
        return {person_id for (person_id,) in cursor.fetchall()}
