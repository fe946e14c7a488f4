"""Figure 9, the organisation's teams: the manager dashboard (the line of ``BENCH_DASHBOARD_LINE``)
and a learner's own page (My learning, their grid) with the organisation grown by
``BENCH_EXTRA_TEAMS`` empty teams (100,000 by default: an organisation the NHS's size has tens of
thousands), against the same requests with the organisation's own teams. A page reads the teams on
the path up from its people's teams, never the organisation's, so the two must take about as long.

Single warm requests with Django's test client, in process, the two states alternated block by
block. The extra teams are committed and the statistics refreshed before they are measured, as a
live system's autovacuum would have them; they are named with ``SCRATCH_PREFIX`` and removed
afterwards, and a run stopped halfway leaves them for the next run to remove first."""

import statistics

from django.db import connection, transaction
from django.test import Client

from people.models import Team

from .dashboard import _time_request
from .stats import Figure

SCRATCH_PREFIX = "Bench scratch team "
# Regions, then this many sub-teams under each team of the level above, down to the teams.
FAN_OUT = 10
GOAL_RATIO = 1.5


def _teams_add(*, count):
    """``count`` teams (at least), in a tree four levels deep under regions: the levels above
    the last hold a tenth, a hundredth and a thousandth as many."""
    regions = max(1, count // FAN_OUT**3)
    level = Team.objects.bulk_create(
        [Team(name=f"{SCRATCH_PREFIX}{index}") for index in range(regions)], batch_size=5000
    )
    added = len(level)
    for _level in range(3):
        level = Team.objects.bulk_create(
            [
                Team(
                    name=f"{SCRATCH_PREFIX}{parent.name[len(SCRATCH_PREFIX) :]}.{index}",
                    parent=parent,
                )
                for parent in level
                for index in range(FAN_OUT)
            ],
            batch_size=5000,
        )
        added += len(level)
    return added


def scratch_teams_remove():
    """Remove the teams this figure added (nothing refers to them: they hold no one). Their parent
    links go first, as a team cannot be deleted while another names it as its parent."""
    table = connection.ops.quote_name(Team._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        pattern = f"{SCRATCH_PREFIX}%"
        cursor.execute(f"UPDATE {table} SET parent_id = NULL WHERE name LIKE %s", [pattern])  # noqa: S608  (our table name)
        cursor.execute(f"DELETE FROM {table} WHERE name LIKE %s", [pattern])  # noqa: S608  (our table name)
    _statistics_refresh()


def _statistics_refresh():
    """What autovacuum does after a bulk change, at once (outside a transaction only: within a
    test's, the planner reads the rows as they stand)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Team._meta.db_table)}")


def _measure(*, clients, requests, warmup=3):
    times = {}
    for name, (client, path) in clients.items():
        for _ in range(warmup):
            _time_request(client, path, {})
        times[name] = [_time_request(client, path, {})[0] for _ in range(requests)]
    return times


def teams_measure(*, data, extra_teams, requests, log):
    scratch_teams_remove()  # what a stopped run left
    manager, learner = Client(), Client()
    manager.force_login(data.manager.user)
    learner.force_login(data.viewer.user)
    clients = {
        # The first page asked for by number, so that it is drawn (reading the teams) on every
        # request rather than shown as kept (tracking.kept_view), which reads no team.
        f"manager dashboard: p50 at line of {data.manager_line:,}": (manager, "/team/?page=1"),
        "my learning: p50": (learner, "/"),
    }
    for client, _path in clients.values():
        client.get("/")  # the session's first-request writes are not the page's
    own = {name: [] for name in clients}
    grown = {name: [] for name in clients}
    teams = Team.objects.count()
    added = 0
    try:
        for _ in range(max(1, requests // 10)):
            for name, times in _measure(clients=clients, requests=min(10, requests)).items():
                own[name].extend(times)
            added = _teams_add(count=extra_teams)
            _statistics_refresh()
            for name, times in _measure(clients=clients, requests=min(10, requests)).items():
                grown[name].extend(times)
            scratch_teams_remove()
    finally:
        scratch_teams_remove()
    figures = []
    for name in clients:
        ratio = statistics.median(grown[name]) / statistics.median(own[name])
        log(
            f"  {name}: {statistics.median(grown[name]):.1f} ms with {added:,} more teams, "
            f"{statistics.median(own[name]):.1f} ms with the organisation's {teams:,}: "
            f"ratio {ratio:.2f}"
        )
        figures.append(
            Figure(
                name=f"{name} with {added:,} more teams",
                unit="ms",
                rounds=grown[name],
                yardstick=f"the same page with the organisation's {teams:,} teams",
                yardstick_rounds=own[name],
                goal=f"ratio <= {GOAL_RATIO}",
                passed=ratio <= GOAL_RATIO,
                note="single warm requests, Django test client in process; the machine is shared",
                extra={"teams": teams, "added": added},
            )
        )
    return figures
