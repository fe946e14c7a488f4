"""Organisation-wide compliance, read for the Wagtail admin reports and for reminders."""

from dataclasses import dataclass

from django.utils import timezone

from modules.models import ModulePage
from people.models import Person

from . import status as statuses
from .dashboard import headline_compute
from .models import Reminder
from .selectors import module_status_grid, modules_for_tracking


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


def _line(person, cell, days):
    return PersonModuleLine(
        name=person.full_name,
        employee_number=person.employee_number or "",
        team=person.team_name or "No team",
        line_manager=person.line_manager_name,
        module=cell.module.title,
        status=cell.label,
        due_on=cell.due_on,
        valid_until=cell.valid_until,
        days=days,
    )


def overdue_list(*, today=None):
    """Overdue and expired assignments, longest overdue first."""
    today = today or timezone.localdate()
    lines = [
        _line(row["person"], cell, (today - cell.due_on).days)
        for row in organisation_grid(today=today)
        for cell in row["cells"]
        if cell.status in (statuses.OVERDUE, statuses.EXPIRED) and cell.due_on
    ]
    return sorted(lines, key=lambda line: (-line.days, line.name))


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
    if cell.status == statuses.EXPIRING_SOON:
        yield "expiring", cell.valid_until


def reminders_already_sent():
    return set(Reminder.objects.values_list("person_id", "module_id", "reason", "about_date"))


@dataclass
class PublishEffect:
    """What publishing a version of a module does to the organisation: how many more people must
    complete it, and the share of people compliant in everything assigned to them before and
    after (``tracking.dashboard.headline_compute``'s measure)."""

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
    version in place of the live one."""
    people = Person.objects.filter(left_on__isnull=True)
    live = [m for m in modules_for_tracking() if m.pk != module.pk]
    current = ModulePage.objects.live().filter(pk=module.pk).specific().first()
    before = module_status_grid(
        people=people, modules=[*live, *([current] if current else [])], today=today
    )
    after = module_status_grid(people=people, modules=[*live, module], today=today)
    today = today or timezone.localdate()

    def assigned(grid, include):
        if not include:
            return set()
        return {row["person"].pk for row in grid if row["cells"][-1].is_assigned}

    newly = assigned(after, True) - assigned(before, current is not None)
    return PublishEffect(
        newly_assigned=len(newly),
        percent_before=headline_compute(rows=before, today=today).percent_compliant,
        percent_after=headline_compute(rows=after, today=today).percent_compliant,
    )
