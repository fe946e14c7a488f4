"""The dashboard costs the same number of queries for a reporting line of 10, 1,000 or 10,000."""

import io
import math

import pytest

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.organisation import organisation_generate
from people.models import Person, ReportingLink, Team
from people.selectors import reporting_line
from tracking.dashboard import EXPORT_CHUNK
from tracking.kept_view import line_views_forget
from tracking.models import Assignment, ModuleStatusFacts
from tracking.status import FAILED

pytestmark = pytest.mark.django_db


def _sign_in(client, person):
    # One request first, so that the session's own first-request writes (lms.middleware) are
    # not counted against the dashboard.
    client.force_login(person.user)
    client.get(reverse("home"))


def _read(response):
    # A streamed export runs its queries as it is read.
    if response.streaming:
        b"".join(response.streaming_content)
    return response


# The quiz cooldown ("failed, can retry on …") is looked up only for a page or export chunk
# with a cell that may be failed (tracking.stored_grid): the cooldown quizzes, then, for anyone
# with enough attempts to be waiting, their retry allowances and attempts. Its queries are the
# only ones of the dashboard that read the quiz tables.
COOLDOWN_LOOKUP_AT_MOST = 3


def _counted(queries):
    """(queries less the cooldown look-ups', the look-ups' queries)."""
    cooldown = sum('"quizzes_' in query["sql"] for query in queries)
    return len(queries) - cooldown, cooldown


def dashboard_queries(client, person, params=None):
    _sign_in(client, person)
    # The default view drawn, not read back as kept (tracking.kept_view; the kept view's own
    # reads are counted by test_a_kept_view_reads_neither_the_line_nor_its_facts).
    line_views_forget()
    with CaptureQueriesContext(connection) as queries:
        response = _read(client.get(reverse("team_dashboard"), params))
    assert response.status_code == 200
    return *_counted(queries.captured_queries), response


def _statistics_refresh():
    # A live PostgreSQL has statistics on its tables (autovacuum); thousands of rows bulk-made a
    # moment ago have none, and without them the planner may walk the line's joins row by row.
    # ANALYZE sees the rows this test's own transaction has written.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


VIEWS = [
    {},
    {"status": "overdue", "sort": "team", "order": "desc"},
    {"export": "csv"},
    {"export": "xlsx"},
]


def test_query_count_does_not_grow_with_the_reporting_line(
    role_groups, module, quiz, client, monkeypatch
):
    # The session notes "last seen" once a minute (3 queries): on a slow machine a big export can
    # take that long, and the next request would pay for it. Not the dashboard's queries.
    monkeypatch.setattr("lms.middleware.SEEN_RESOLUTION_SECONDS", 10**9)
    small = organisation_generate(people=10, seed=3)
    # Once first, so that every view counted finds the modules in the shared cache, as all but
    # the first after each content change does.
    dashboard_queries(client, small.top_manager)
    baselines = [dashboard_queries(client, small.top_manager, params)[0] for params in VIEWS]
    # A small fixed budget: the line, the teams and modules, the page with its totals and cells.
    assert baselines[0] <= 10
    # The exports read the line a chunk at a time: each chunk costs one read of its people's
    # facts, however big the chunk. Nine people in chunks of four: three.
    monkeypatch.setattr("tracking.dashboard.EXPORT_CHUNK", 4)
    three_chunks, lookups, _response = dashboard_queries(
        client, small.top_manager, {"export": "csv"}
    )
    per_chunk, remainder = divmod(three_chunks - baselines[2], 2)
    assert remainder == 0 and per_chunk == 1
    assert lookups <= 3 * COOLDOWN_LOOKUP_AT_MOST
    monkeypatch.undo()
    monkeypatch.setattr("lms.middleware.SEEN_RESOLUTION_SECONDS", 10**9)
    for size in (1_000, 10_000):
        big = organisation_generate(people=size, seed=3)
        _statistics_refresh()
        _sign_in(client, big.top_manager)
        # Warm, as the small line's were: its headline counted and kept by a first request.
        client.get(reverse("team_dashboard"))
        chunks = math.ceil((size - 1) / EXPORT_CHUNK)
        for params, baseline in zip(VIEWS, baselines, strict=True):
            expected = baseline + (per_chunk * (chunks - 1) if "export" in params else 0)
            line_views_forget()
            with CaptureQueriesContext(connection) as queries:
                response = _read(client.get(reverse("team_dashboard"), params))
            assert response.status_code == 200
            counted, lookups = _counted(queries.captured_queries)
            assert counted == expected, [query["sql"][:80] for query in queries.captured_queries]
            # At most one cooldown look-up per page or export chunk.
            assert lookups <= COOLDOWN_LOOKUP_AT_MOST * (chunks if "export" in params else 1)
            if not params:
                assert response.context["dashboard"].headline.people == size - 1
                # A line this big has someone on the first page who failed, whose wait (if any)
                # the look-up reads: the bound above is tested where it applies. (The quizzes'
                # cooldown settings come from the shared cache, so the look-up's own queries
                # are only the histories of those with enough failures to be waiting.)
                shown = response.context["dashboard"].page.object_list
                assert any(cell.status == FAILED for row in shown for cell in row["cells"])
    assert big.certificates > 1000 and big.attempts > 500


def _facts_reads(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("team_dashboard"), params)
    assert response.status_code == 200
    shown = response.context["dashboard"].page.object_list
    assert shown and all(len(row["cells"]) == 1 for row in shown)
    return shown, [
        query["sql"] for query in queries.captured_queries if "dash_fact" in query["sql"]
    ]


def test_a_filtered_page_its_totals_and_its_cells_are_one_read(role_groups, module, quiz, client):
    """The shown cells' facts come with the page that was picked and counted by them: one query
    reads the stored facts, so a write between two reads cannot show a cell that contradicts the
    filter or the headline."""
    line = organisation_generate(people=300, seed=5)
    _sign_in(client, line.top_manager)
    client.get(reverse("team_dashboard"))  # the whole line's headline counted and kept
    shown, facts_reads = _facts_reads(client, {"status": "failed", "sort": "team", "order": "desc"})
    assert all(row["cells"][0].status == "failed" for row in shown)
    assert len(facts_reads) == 1 and "total_people" in facts_reads[0]


def test_the_whole_line_by_name_reads_its_kept_headline_and_its_page_s_cells(
    role_groups, module, quiz, client
):
    """The default view counts the whole line once and keeps the headline
    (tracking.headlines); drawn again from the kept headline, it reads only the page's people's
    facts."""
    line = organisation_generate(people=300, seed=5)
    _sign_in(client, line.top_manager)
    _shown, counting = _facts_reads(client, {})
    assert len(counting) == 2  # the whole line counted, then the page's cells
    line_views_forget()
    shown, facts_reads = _facts_reads(client, {})
    assert len(facts_reads) == 1 and "total_people" not in facts_reads[0]
    assert len(shown) == 100  # a whole page of the 299


def _main(response):
    """The page's main content (the rest of the page carries each response's own nonce)."""
    return response.content.split(b"<main", 1)[1].split(b"</main>", 1)[0]


def test_a_kept_view_reads_neither_the_line_nor_its_facts(role_groups, module, quiz, client):
    """Shown again while nothing has changed, the default view is the kept one
    (tracking.kept_view): the headline's row, the check that nothing it rests on changed, and
    the signed-in manager's own reads; nothing of the line, its people or their facts."""
    line = organisation_generate(people=300, seed=5)
    _sign_in(client, line.top_manager)
    drawn = client.get(reverse("team_dashboard"))
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(reverse("team_dashboard"))
    assert _main(kept) == _main(drawn)
    assert b"299 people in your reporting line, page 1 of 3" in _main(kept)
    assert "dashboard" not in kept.context  # not drawn again
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    for model in (ModuleStatusFacts, ReportingLink, Team, Assignment):
        assert model._meta.db_table not in tables
    assert "dash_fact" not in tables
    assert len(queries.captured_queries) <= 6, [q["sql"][:80] for q in queries.captured_queries]


def test_the_generated_line_is_deep_and_the_generator_is_idempotent(role_groups, module):
    first = organisation_generate(people=200, seed=7)
    assert (first.created, first.total) == (200, 200)
    assert reporting_line(manager=first.top_manager).count() == 199
    deepest = Person.objects.get(employee_number="GEN-000200")
    depth, person = 0, deepest
    while person.line_manager_id:
        person, depth = person.line_manager, depth + 1
    assert depth >= 3
    again = organisation_generate(people=200, seed=7)
    assert (
        again.created == 0
        and Person.objects.filter(employee_number__startswith="GEN-").count() == 200
    )
    more = organisation_generate(people=260, seed=7)
    assert more.created == 60
    assert reporting_line(manager=first.top_manager).count() == 259


def test_the_command(role_groups, module):
    out = io.StringIO()
    call_command("generate_organisation", "--people", "30", "--seed", "2", stdout=out)
    assert "30 new people (30 in all)" in out.getvalue()
    assert (
        Person.objects.get(employee_number="GEN-000001")
        .user.groups.filter(name="Line managers")
        .exists()
    )


def test_the_benchmark_command_runs(role_groups, module):
    out = io.StringIO()
    call_command("bench_tracking", "--people", "20", "--repeat", "1", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if "queries" in line]
    assert len(lines) == 3
