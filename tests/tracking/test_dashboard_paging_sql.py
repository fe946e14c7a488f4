"""A page of the dashboard's filtered, sorted line, worked out in the database
(tracking.dashboard), must be the page the old path gave: every row built in Python, then
filtered, sorted and paged; and its exports must be every page of the screen, in order.

Every test here asks the same line of 65 people, made once for the module
(``rows_shared_by_a_module``)."""

import copy
import csv
import dataclasses
import datetime
import io

import pytest
from openpyxl import load_workbook

from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from lms import roles
from modules.services import roles_sync, wagtail_root_ensure
from people.models import Person
from people.selectors import reporting_line, reporting_line_read_once
from tests.conftest import people_make, rows_shared_by_a_module
from tests.factories import PolicyClauseFactory, facts_refreshed_once
from tracking import status as statuses
from tracking.dashboard import (
    dashboard_build,
    dashboard_choices,
    dashboard_export_rows,
    headline_compute,
    line_query,
    whole_line_by_name,
)
from tracking.headlines import line_headline_kept
from tracking.selectors import module_status_grid

from .line_maker import line_make, line_modules
from .test_dashboard import table_of
from .test_status_sql import as_shown

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_export_chunks(monkeypatch):
    # Chunks that do not line up with the pages (7), so that every export here crosses chunk
    # boundaries, ties included.
    monkeypatch.setattr("tracking.dashboard.EXPORT_CHUNK", 6)


def _line_make():
    """``people``'s manager with a line of 62 more people, over four modules."""
    wagtail_root_ensure()
    roles_sync()
    people = people_make()
    today = timezone.localdate()
    modules = line_modules(clause=PolicyClauseFactory(reference="2.19"), today=today)
    with facts_refreshed_once():
        line_make(manager=people["manager"], modules=modules, seed=11, size=62, today=today)
    return {"people": people, "modules": modules}


@pytest.fixture(scope="module")
def line_shared(django_db_setup, django_db_blocker):
    with rows_shared_by_a_module(django_db_blocker, make=_line_make) as shared:
        yield shared


@pytest.fixture
def shared(db, line_shared):
    return copy.deepcopy(line_shared)


@pytest.fixture
def people(shared):
    return shared["people"]


@pytest.fixture
def modules(shared):
    return shared["modules"]


@pytest.fixture
def line(people):
    return people["manager"]


def _sort_key(sort, module_index):
    """The dashboard's sort as it was, in Python: the yardstick for the database's ORDER BY."""

    def by_name(row):
        person = row["person"]
        return (person.last_name.lower(), person.first_name.lower(), person.pk)

    if sort == "team":
        return lambda row: ((row["person"].team_name or "No team").lower(), by_name(row))
    if module_index is not None:
        return lambda row: (
            row["cells"][module_index].urgency,
            row["cells"][module_index].due_on or datetime.date.max,
            by_name(row),
        )
    return by_name


def old_path(*, manager, modules, status, sort, descending, page, page_size, today):
    """What the dashboard showed before: every row built, then filtered, sorted and paged."""
    rows = module_status_grid(people=reporting_line(manager=manager), modules=modules, today=today)
    if status:
        rows = [row for row in rows if any(cell.status == status for cell in row["cells"])]
    module_index = None
    if sort.startswith("module-"):
        ids = [str(module.pk) for module in modules]
        module_index = ids.index(sort.removeprefix("module-"))
    rows.sort(key=_sort_key(sort, module_index), reverse=descending)
    shown = Paginator(rows, page_size).get_page(page)
    return shown, headline_compute(rows=rows, today=today), rows


def _asked(manager, **changes):
    # As the view asks: the line read once, its teams from that read.
    line = reporting_line_read_once(manager=manager)
    teams, all_modules = dashboard_choices(manager=manager, line=line)
    walked = dashboard_choices(manager=manager)
    assert (teams, all_modules) == walked
    return {"manager": manager, "line": line, "teams": teams, "all_modules": all_modules, **changes}


def _compare(manager, *, status="", sort="name", descending=False, page=1, page_size=7):
    today = timezone.localdate()
    asked = _asked(manager, status=status, sort=sort, descending=descending, today=today)
    new = dashboard_build(page=page, page_size=page_size, **asked)
    old_page, old_headline, old_rows = old_path(
        manager=manager,
        modules=asked["all_modules"],
        status=status,
        sort=sort,
        descending=descending,
        page=page,
        page_size=page_size,
        today=today,
    )
    # Whole PersonRows: the shown fields are joined to the page's people after the line is
    # sorted, so each must be that person's own (names, team, job, their manager's names).
    assert [row["person"] for row in new.page.object_list] == [
        row["person"] for row in old_page.object_list
    ]
    assert [row["cells"] for row in new.page.object_list] == [
        [as_shown(cell) for cell in row["cells"]] for row in old_page.object_list
    ]
    assert (new.page.number, new.page.paginator.num_pages) == (
        old_page.number,
        old_page.paginator.num_pages,
    )
    assert new.headline == old_headline
    if whole_line_by_name(**asked):
        # The default view as the view builds it: the kept headline (counted now, then read
        # back as kept) and the page read along the name index.
        for _ in range(2):
            kept = line_headline_kept(manager=manager, modules=asked["all_modules"], today=today)
            from_kept = dashboard_build(page=page, page_size=page_size, kept=kept, **asked)
            assert [row["person"] for row in from_kept.page.object_list] == [
                row["person"] for row in new.page.object_list
            ]
            assert [row["cells"] for row in from_kept.page.object_list] == [
                row["cells"] for row in new.page.object_list
            ]
            assert (from_kept.page.number, from_kept.page.paginator.num_pages) == (
                new.page.number,
                new.page.paginator.num_pages,
            )
            assert from_kept.headline == new.headline
        assert kept.line is None  # the second time, read from the kept row
    exported = list(dashboard_export_rows(**asked))
    assert [values[0] for values in exported] == [row["person"].full_name for row in old_rows]
    assert len(exported) == new.headline.people
    return new


SORTS = ["name", "team", "module-0", "module-2", "module-3"]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", SORTS)
def test_every_sort_gives_the_old_order_with_its_ties(line, modules, sort, descending):
    if sort.startswith("module-"):
        sort = f"module-{modules[int(sort.removeprefix('module-'))].pk}"
    pages = Paginator(range(65), 7).num_pages
    for page in range(1, pages + 1):
        _compare(line, sort=sort, descending=descending, page=page)
    # Ties are there to break: people with the same name in either case.
    names = [
        (person.user.last_name.lower(), person.user.first_name.lower())
        for person in reporting_line(manager=line)
    ]
    assert len(set(names)) < len(names)


@pytest.mark.parametrize("status", sorted(statuses.STATUS_NAMES))
def test_every_status_filter_gives_the_old_rows_and_headline(line, modules, status):
    new = _compare(line, status=status, sort=f"module-{modules[1].pk}")
    _compare(line, status=status, page=2)
    assert new.headline.people > 0


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        (1, 1),
        ("2", 2),
        (10, 10),  # the last page, two people
        (11, 10),  # past the end: the last page, as Paginator.get_page does
        ("999", 10),
        ("0", 10),
        ("-1", 10),
        ("abc", 1),
        ("", 1),
        (None, 1),
        ("2.5", 1),
    ],
)
def test_any_page_number_gives_the_page_the_old_path_gave(line, page, shown):
    new = _compare(line, page=page)
    assert new.page.number == shown
    assert len(new.page.object_list) == (2 if shown == 10 else 7)


def test_an_empty_line_and_an_empty_filter(people):
    nobody = _compare(people["staff"])
    assert (nobody.headline.people, list(nobody.page.object_list)) == (0, [])
    assert nobody.headline.percent_compliant is None
    empty = _compare(people["staff"], page="5", status="overdue")
    assert empty.page.number == 1


def test_with_no_module_to_track_the_page_is_its_people_without_cells(line):
    today = timezone.localdate()
    asked = _asked(line, today=today, all_modules=[])
    new = dashboard_build(page=2, page_size=7, **asked)
    old_page, old_headline, _old_rows = old_path(
        manager=line,
        modules=[],
        status="",
        sort="name",
        descending=False,
        page=2,
        page_size=7,
        today=today,
    )
    assert [row["person"] for row in new.page.object_list] == [
        row["person"] for row in old_page.object_list
    ]
    assert len(new.page.object_list) == 7
    assert all(row["cells"] == [] for row in new.page.object_list)
    assert new.headline == old_headline and new.headline.people == 65


def test_bad_sort_order_and_page_give_a_page_not_an_error(line, client_for, modules):
    client = client_for(line)
    for params in (
        {"sort": "module-999999", "page": "abc"},
        {"sort": "nonsense", "order": "sideways", "page": "-3"},
        {"sort": "module-", "page": "99999999999999999999"},
        {"status": "nonsense", "team": "x", "module": "0"},
    ):
        response = client.get(reverse("team_dashboard"), params)
        assert response.status_code == 200, params
        dashboard = response.context["dashboard"]
        assert dashboard.sort == "name"
        assert len(dashboard.page.object_list) > 0
        people = Person.objects.filter(pk__in=[row["person"].pk for row in dashboard.page])
        assert set(people) <= set(reporting_line(manager=line))


def _download_rows(response):
    if response["Content-Type"].startswith("text/csv"):
        assert response.streaming  # rows go out as the database sends them
        text = b"".join(response.streaming_content).decode()
        return list(csv.reader(io.StringIO(text)))
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]


@override_settings(LMS_DASHBOARD_PAGE_SIZE=7)
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"order": "desc"},
        {"sort": "team"},
        {"sort": "module-2", "order": "desc"},
        {"status": "overdue", "sort": "module-0"},
        {"status": "not_assigned", "sort": "name"},
    ],
)
def test_the_export_is_every_page_of_the_screen_in_order(line, modules, client_for, params):
    if params.get("sort", "").startswith("module-"):
        params = {**params, "sort": f"module-{modules[int(params['sort'][7:])].pk}"}
    client = client_for(line)
    first = client.get(reverse("team_dashboard"), params)
    pages = first.context["dashboard"].page.paginator.num_pages
    screen = table_of(first)
    for number in range(2, pages + 1):
        screen += table_of(client.get(reverse("team_dashboard"), {**params, "page": number}))[1:]
    # Every page, and (unfiltered) more people than a chunk of the export.
    assert (
        len(screen) - 1
        == first.context["dashboard"].headline.people
        > (0 if "status" in params else 6)
    )
    for export in ("csv", "xlsx"):
        response = client.get(reverse("team_dashboard"), {**params, "export": export})
        assert _download_rows(response) == screen, export


def test_the_export_never_reaches_outside_the_managers_line(line, people, client_for):
    middle = (
        Person.objects.filter(line_manager=line, direct_reports__isnull=False)
        .exclude(pk=people["lead"].pk)
        .distinct()
        .first()
    )
    middle.user.groups.add(Group.objects.get(name=roles.LINE_MANAGERS))
    for manager in (middle, people["lead"], people["other_manager"]):
        client = client_for(manager)
        inside = {person.full_name for person in reporting_line(manager=manager)}
        outside = {
            person.full_name
            for person in Person.objects.exclude(pk__in=reporting_line(manager=manager))
        } - inside
        assert outside
        for export in ("csv", "xlsx"):
            response = client.get(reverse("team_dashboard"), {"export": export})
            assert response.status_code == 200
            rows = _download_rows(response)[1:]
            assert len(rows) == reporting_line(manager=manager).count() > 0
            assert {row[0] for row in rows} <= inside
            assert not {row[0] for row in rows} & outside


@pytest.mark.parametrize("status", ["", statuses.OVERDUE, statuses.NOT_STARTED])
def test_the_line_s_team_tree_handed_to_the_sql_gives_what_its_own_walk_gives(line, status):
    """The dashboard hands the SQL the team tree its choices read (the line's teams and those
    above them), so that the query does not walk every team of the organisation; the team
    assignment on "Region" must still reach the people of "Patch" below it."""
    asked = _asked(line, status=status)
    query = line_query(**asked)
    assert query.team_tree == {team.pk: team.parent_id for team in asked["teams"]}
    assert {team.name for team in asked["teams"]} >= {"Region", "Patch"}
    walked = dataclasses.replace(query, team_tree=None)
    handed, own = query.page(offset=0, limit=1000), walked.page(offset=0, limit=1000)
    assert [person.pk for person in handed.people] == [person.pk for person in own.people]
    assert handed.people, "the filter leaves no one to compare"
    assert (handed.totals, handed.facts) == (own.totals, own.facts)
    assert query.totals() == walked.totals() == handed.totals
    assert list(query.chunks(size=10)) == list(walked.chunks(size=10))


def test_teams_that_may_not_hold_the_line_s_tree_are_not_handed_to_the_sql(line):
    asked = _asked(line)
    patch = next(team for team in asked["teams"] if team.name == "Patch")
    # Without the team above Patch: the tree would stop short of Region's assignment.
    short = [team for team in asked["teams"] if team.name != "Region"]
    assert patch in short
    assert line_query(**{**asked, "teams": short}).team_tree is None
    # Without one of the line's own teams.
    assert line_query(**{**asked, "teams": [patch]}).team_tree is None
    # Without the line read: its teams are not known here.
    assert line_query(**{**asked, "line": None}).team_tree is None
