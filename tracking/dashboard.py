"""The manager's dashboard as data: the rows, columns, filters, sort and headline figures.

The HTML table and the CSV/XLSX exports are both drawn from ``Dashboard.headers`` and each
row's ``values``, so an export always matches the screen."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from people.models import Team
from people.selectors import reporting_line, team_and_parent_ids, team_and_sub_team_ids

from . import status as statuses
from .selectors import module_status_grid, modules_for_tracking

SORTS = ("name", "team")  # plus "module-<id>"


@dataclass
class Headline:
    people: int = 0
    percent_compliant: int | None = None
    overdue: int = 0
    expiring_soon: int = 0


@dataclass
class Dashboard:
    modules: list
    all_modules: list
    teams: list
    rows: list
    headers: list
    headline: Headline
    sort: str
    descending: bool
    filters: dict = field(default_factory=dict)


def _sort_key(sort, module_index):
    def by_name(row):
        person = row["person"]
        return (person.last_name.lower(), person.first_name.lower(), person.pk)

    if sort == "team":
        return lambda row: (row["team_name"].lower(), by_name(row))
    if module_index is not None:
        return lambda row: (
            row["cells"][module_index].urgency,
            row["cells"][module_index].due_on or datetime.date.max,
            by_name(row),
        )
    return by_name


def headline_compute(*, rows, today):
    """Percentage of people compliant in every module assigned to them (of those with any),
    assignments overdue (including expired), and certificates expiring soon (the one window of
    ``certificates.expiry``)."""
    headline = Headline(people=len(rows))
    assigned_people = compliant_people = 0
    for row in rows:
        assigned = [cell for cell in row["cells"] if cell.is_assigned]
        if assigned:
            assigned_people += 1
            compliant_people += all(cell.is_compliant for cell in assigned)
        for cell in row["cells"]:
            if cell.status in (statuses.OVERDUE, statuses.EXPIRED):
                headline.overdue += 1
            if cell.status == statuses.EXPIRING_SOON:
                headline.expiring_soon += 1
    if assigned_people:
        headline.percent_compliant = round(100 * compliant_people / assigned_people)
    return headline


def dashboard_choices(*, manager):
    """The teams (all of them, for walking sub-teams), the teams a manager can filter by (those
    of their reporting line and the teams above them) and the modules."""
    teams = list(Team.objects.all())
    parent_of = {team.pk: team.parent_id for team in teams}
    shown = set()
    for team_id in (
        reporting_line(manager=manager).values_list("team_id", flat=True).distinct().order_by()
    ):
        shown |= team_and_parent_ids(team_id=team_id, parent_of=parent_of)
    return teams, [team for team in teams if team.pk in shown], list(modules_for_tracking())


def dashboard_build(
    *,
    manager,
    teams,
    all_modules,
    status="",
    module_id=None,
    team_id=None,
    sort="name",
    descending=False,
    today=None,
):
    """Everyone in the manager's reporting line, filtered and sorted. A fixed number of queries
    whatever the size of the line."""
    today = today or timezone.localdate()
    modules = [module for module in all_modules if module_id is None or module.pk == module_id]
    people = reporting_line(manager=manager)
    if team_id is not None:
        people = people.filter(
            team_id__in=team_and_sub_team_ids(
                team_id=team_id, parent_of={team.pk: team.parent_id for team in teams}
            )
        )
    rows = module_status_grid(people=people, modules=modules, today=today)
    if status:
        rows = [row for row in rows if any(cell.status == status for cell in row["cells"])]
    for row in rows:
        person = row["person"]
        row["team_name"] = person.team_name or "No team"
        row["values"] = [person.full_name, row["team_name"], *(cell.label for cell in row["cells"])]
    module_index = None
    if sort.startswith("module-"):
        ids = [str(module.pk) for module in modules]
        module_index = (
            ids.index(sort.removeprefix("module-")) if sort.removeprefix("module-") in ids else None
        )
        if module_index is None:
            sort = "name"
    elif sort not in SORTS:
        sort = "name"
    rows.sort(key=_sort_key(sort, module_index), reverse=descending)
    return Dashboard(
        modules=modules,
        all_modules=all_modules,
        teams=teams,
        rows=rows,
        headers=["Name", "Team", *(module.title for module in modules)],
        headline=headline_compute(rows=rows, today=today),
        sort=sort,
        descending=descending,
        filters={"status": status, "module": module_id, "team": team_id},
    )
