"""The manager's dashboard as data: the rows, columns, filters, sort and headline figures.

Filtering, sorting, paging and the headline happen in the database (``status_sql``), so only the
shown page's rows are built; the default view's headline is kept per manager (``headlines``).
The HTML table and the CSV/XLSX exports are both drawn from ``Dashboard.headers`` and each row's
``values``, so an export always matches the screen."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils import timezone

from people.selectors import reporting_line, team_and_sub_team_ids, teams_above

from . import status as statuses
from . import status_sql
from .selectors import modules_for_tracking_cached
from .stored_grid import status_grid_build, stored_status_grid

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
    page: Page  # the shown page of the filtered, sorted line: its rows, and the paginator
    headers: list
    headline: Headline
    sort: str
    descending: bool
    filters: dict = field(default_factory=dict)


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


def dashboard_choices(*, manager, line=None, team_ids=None, modules=None):
    """``(teams, modules)``: the teams of the manager's reporting line and the teams above them,
    which the manager can filter by and in which ``line_query`` walks a filter's sub-teams (that
    part of the tree holds every team a person of the line is in, with the path up from it);
    and the modules. ``team_ids``: the line's teams as kept (``headlines.KeptLine``), or
    ``line``: the manager's line already read (a ``LineRead``), else it is walked here.
    ``modules``: the modules already read from the shared cache, else they are read here."""
    if team_ids is not None:
        line_team_ids = team_ids
    elif line is None:
        line_team_ids = (
            reporting_line(manager=manager).values_list("team_id", flat=True).distinct().order_by()
        )
    else:
        line_team_ids = line.team_ids
    if modules is None:
        modules = modules_for_tracking_cached()
    return list(teams_above(team_ids=line_team_ids)), modules


@dataclass(frozen=True)
class LineQuery:
    """What a dashboard request asks of the line, once its filters and sort are checked."""

    people: object  # the reporting line (filtered by team), a queryset; None when read by name
    modules: list
    status: str
    sort: str
    module_id: int | None  # the module sorted by, for sort "module-<id>"
    descending: bool
    today: datetime.date
    # {team id: parent id} of every team of the line and every team above them, when read
    # already (``dashboard_choices``): the SQL then need not walk the team tree itself.
    team_tree: dict | None = None

    def _ordered_line(self):
        """The arguments of ``status_sql`` that pick and order the line's people."""
        return {
            "people": self.people,
            "modules": self.modules,
            "today": self.today,
            "status": self.status,
            "sort": "module" if self.module_id is not None else self.sort,
            "sort_module_id": self.module_id,
            "descending": self.descending,
            "team_tree": self.team_tree,
        }

    def page(self, *, offset, limit):
        return status_sql.line_page(**self._ordered_line(), offset=offset, limit=limit)

    def chunks(self, *, size):
        """The whole line in the page's order, ``size`` people at a time, as the database sends
        them."""
        return status_sql.line_ordered(**self._ordered_line(), chunk=size)

    def totals(self):
        return status_sql.line_totals(
            people=self.people,
            modules=self.modules,
            today=self.today,
            status=self.status,
            team_tree=self.team_tree,
        )

    def rows(self, *, people, facts=None):
        """The grid rows of these people (PersonRows), in this order: ``status_compute`` builds
        each cell from ``facts``, those the page was picked by (``status_sql.LinePage``), or,
        when not given, the facts read now."""
        if facts is None:
            rows = stored_status_grid(people=people, modules=self.modules, today=self.today)
        else:
            rows = status_grid_build(
                people=people, modules=self.modules, facts=facts, today=self.today
            )
        for row in rows:
            person = row["person"]
            row["team_name"] = person.team_name or "No team"
            row["values"] = [
                person.full_name,
                row["team_name"],
                *(cell.label for cell in row["cells"]),
            ]
        return rows


def line_query(
    *,
    manager,
    teams,
    line=None,
    all_modules,
    status="",
    module_id=None,
    team_id=None,
    sort="name",
    descending=False,
    today=None,
):
    """The manager's reporting line as asked: filters checked, and a sort that is not one of
    ours (or a module not shown) falls back to the name. ``line``: the manager's line already
    read (a ``LineRead``), else the walk goes into each query."""
    modules = [module for module in all_modules if module_id is None or module.pk == module_id]
    people = reporting_line(manager=manager) if line is None else line.people
    parent_of = {team.pk: team.parent_id for team in teams}
    if team_id is not None:
        people = people.filter(
            team_id__in=team_and_sub_team_ids(team_id=team_id, parent_of=parent_of)
        )
    # The teams handed on to the SQL must hold every team of the line and the path up from it
    # (as ``dashboard_choices`` reads them); where that is not known, the SQL walks the tree.
    holds_the_line = line is not None and line.team_ids - {None} <= parent_of.keys()
    closed_upwards = all(parent is None or parent in parent_of for parent in parent_of.values())
    team_tree = parent_of if holds_the_line and closed_upwards else None
    sort_module_id = None
    if sort.startswith("module-"):
        wanted = sort.removeprefix("module-")
        sort_module_id = next((module.pk for module in modules if str(module.pk) == wanted), None)
        if sort_module_id is None:
            sort = "name"
    elif sort not in SORTS:
        sort = "name"
    return LineQuery(
        people=people,
        modules=modules,
        status=status if status in statuses.STATUS_NAMES else "",
        sort=sort,
        module_id=sort_module_id,
        descending=descending,
        today=today or timezone.localdate(),
        team_tree=team_tree,
    )


# Beyond any line: a page number past it goes straight to "the last page", never into an OFFSET
# that the database's integers cannot hold.
MAX_PAGE = 2**31


def _page_number(value):
    """As ``Paginator.get_page`` reads it: not a whole number is the first page; below one, or
    past the end, the last."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def headline_from(totals):
    headline = Headline(
        people=totals.people, overdue=totals.overdue, expiring_soon=totals.expiring_soon
    )
    if totals.assigned_people:
        headline.percent_compliant = round(100 * totals.compliant_people / totals.assigned_people)
    return headline


def whole_line_by_name(*, status="", module_id=None, team_id=None, sort="name", **_asked):
    """Whether the view asked for is the whole line in name order (the default view, either
    way round), whose headline is kept (``headlines``) and whose page is read along the name
    index, so that it costs the same for a line of ten thousand as for one of ten."""
    return not status and module_id is None and team_id is None and sort == "name"


def dashboard_build(*, page=1, page_size=None, kept=None, **asked):
    """One page of the manager's reporting line, filtered and sorted in the database with the
    headline's aggregates in the same query; only the page's rows are built. A fixed number of
    queries whatever the size of the line (one more when the page asked for is past the end).
    ``kept``: the manager's ``headlines.KeptLine``; the whole line by name then reads its
    headline from it and its page along the name index."""
    page_size = page_size or settings.LMS_DASHBOARD_PAGE_SIZE
    number = _page_number(page)
    if kept is not None and whole_line_by_name(**asked):
        # No filter and no sort to check, and the page is read by the manager's id: the line's
        # queryset (``line_query``) would be built for nothing.
        query = LineQuery(
            people=None,
            modules=list(asked["all_modules"]),
            status="",
            sort="name",
            module_id=None,
            descending=bool(asked.get("descending")),
            today=asked.get("today") or timezone.localdate(),
        )
        number = Paginator(range(kept.totals.people), page_size).get_page(number).number
        people = status_sql.line_page_by_name(
            manager_id=asked["manager"].pk,
            descending=query.descending,
            offset=(number - 1) * page_size,
            limit=page_size,
        )
        return _dashboard(
            query,
            asked,
            rows=query.rows(people=people),
            number=number,
            page_size=page_size,
            totals=kept.totals,
        )
    query = line_query(**asked)
    found = status_sql.LinePage(people=[], totals=None, facts={})
    if 1 <= number <= MAX_PAGE // page_size:
        found = query.page(offset=(number - 1) * page_size, limit=page_size)
    totals = found.totals
    if totals is None:
        # No rows: an empty line (on the first page), or a page before the first or past the last,
        # which shows the last page as Paginator.get_page does.
        totals = query.totals() if number != 1 else status_sql.LineTotals()
        number = Paginator(range(totals.people), page_size).get_page(number).number
        if totals.people:
            found = query.page(offset=(number - 1) * page_size, limit=page_size)
            # None only if the line shrank between the two reads: then the totals stand alone.
            totals = found.totals or totals
    rows = query.rows(people=found.people, facts=found.facts)
    return _dashboard(query, asked, rows=rows, number=number, page_size=page_size, totals=totals)


def _dashboard(query, asked, *, rows, number, page_size, totals):
    shown = Page(rows, number, Paginator(range(totals.people), page_size))
    return Dashboard(
        modules=query.modules,
        all_modules=asked["all_modules"],
        teams=asked["teams"],
        page=shown,
        headers=_headers(query.modules),
        headline=headline_from(totals),
        sort=f"module-{query.module_id}" if query.module_id is not None else query.sort,
        descending=query.descending,
        filters={
            "status": query.status,
            "module": asked.get("module_id"),
            "team": asked.get("team_id"),
        },
    )


def _headers(modules):
    return ["Name", "Team", *(module.title for module in modules)]


def dashboard_headers(**asked):
    return _headers(line_query(**asked).modules)


# People per chunk of an export: each chunk's cells cost the grid's few bulk reads, for that
# chunk's people only, so memory stays flat however long the line.
EXPORT_CHUNK = 2000


def dashboard_export_rows(**asked):
    """Every row of the filtered, sorted line (every page), as the exports give it, lazily: the
    people in the page's order as the database sends them, each chunk's cells built as the
    screen builds its page's."""
    query = line_query(**asked)
    for people in query.chunks(size=EXPORT_CHUNK):
        for row in query.rows(people=people):
            yield row["values"]
