"""Figure 9: the manager dashboard's time for one request, warm, at a reporting line of 10,000
against the same page at a line of 10 (the yardstick): the work must not grow with the line.

Single requests with Django's test client, in process (no load, no network), one after another,
the two sizes interleaved round by round so that a noisy neighbour hits both alike.

The line is cut to size and the cut committed and vacuumed before the requests, then put back:
the line is read from the stored reporting links, and a cut left uncommitted (rolled back at
the end, as in figure 2) would leave the links it removed in the index the line is read by, so
that a line of 10 read past 50,000 links it cannot see. A live system's autovacuum clears them;
the cut of a benchmark must too. What a cut changes is written to ``BENCH_VAR`` first, so that
a run stopped halfway puts the line back when the next one starts."""

import json
import statistics
import time

from django.conf import settings
from django.db import transaction
from django.test import Client

from people.models import Person, ReportingLink
from people.selectors import reporting_line
from tracking.kept_view import line_views_forget

from .data import dead_rows_remove
from .stats import Figure

# The page and filters measured at both sizes: the default view (page 1, by name), and a filtered,
# sorted one that a manager uses to chase (an extra figure; the goal is on the default view).
# The default view is measured drawn (its kept view dropped before each request, so each draws
# it from the kept headline and keeps it again, as the first request after a learner's change
# does), and, as an extra figure, kept as drawn (tracking.kept_view: nothing changed since).
VIEWS = {
    "page 1 by name": {},
    "page 1 by name, kept as drawn": {},
    "overdue, by the first module, page 2": {"status": "overdue", "sort": "module", "page": "2"},
}
KEPT_VIEW = "page 1 by name, kept as drawn"
GOAL_MS, GOAL_RATIO = 300, 2


def _time_request(client, path, params):
    started = time.perf_counter()
    response = client.get(path, params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} {params} answered {response.status_code}")
    return elapsed, response


def _cut_record():
    """Where a cut's undo waits until it is done; None under settings without ``BENCH_VAR``
    (the test suite's, whose transaction is rolled back after each test anyway)."""
    var = getattr(settings, "BENCH_VAR", None)
    return None if var is None else var / "dashboard-line-cut.json"


def _line_put_back():
    """Undo a cut that a stopped run left behind, if any."""
    record = _cut_record()
    if record is not None and record.exists():
        _line_restore(managers=json.loads(record.read_text()))


def _line_cut(*, size):
    """Leave GEN-000001 exactly ``size`` people below (everyone after GEN-(size + 1) leaves the
    line; the generator numbers people so that every manager comes before their reports), and
    return what it changed: ``{person id: their line manager}``."""
    cut = Person.objects.filter(
        employee_number__startswith="GEN-",
        employee_number__gt=f"GEN-{size + 1:06d}",
        line_manager__isnull=False,
    )
    managers = {str(pk): manager for pk, manager in cut.values_list("pk", "line_manager_id")}
    record = _cut_record()
    if record is not None:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(managers))
    with transaction.atomic():
        Person.objects.filter(pk__in=[int(pk) for pk in managers]).update(line_manager=None)
    return managers


def _line_restore(*, managers):
    """Give back the line managers a cut took away: one update for each manager's people."""
    by_manager = {}
    for pk, manager in managers.items():
        by_manager.setdefault(manager, []).append(int(pk))
    with transaction.atomic():
        for manager, pks in by_manager.items():
            Person.objects.filter(pk__in=pks).update(line_manager=manager)
    record = _cut_record()
    if record is not None:
        record.unlink(missing_ok=True)
    for model in (Person, ReportingLink):
        dead_rows_remove(model)


def _measure_line(*, top, size, views, requests, warmup=3):
    """With ``top``'s line cut to ``size``: ``{view: milliseconds of requests}`` for ``requests``
    warm requests of each of ``views``, and the size of the line as the dashboard reads it (to
    prove the cut)."""
    times = {view: [] for view in views}
    managers = _line_cut(size=size)
    try:
        for model in (Person, ReportingLink):
            dead_rows_remove(model)
        client = Client()
        client.force_login(top.user)
        client.get("/")  # the session's first-request writes are not the dashboard's
        for view, params in views.items():
            for _ in range(warmup):
                _time_request(client, "/team/", params)
            for _ in range(requests):
                if view != KEPT_VIEW:
                    line_views_forget()
                times[view].append(_time_request(client, "/team/", params)[0])
        people = reporting_line(manager=top).count()
    finally:
        _line_restore(managers=managers)
    return times, people


def dashboard_measure(*, data, line_sizes, requests, log):
    _line_put_back()
    top = Person.objects.select_related("user").get(employee_number="GEN-000001")
    small, big = min(line_sizes), max(line_sizes)
    views = {view: {**params} for view, params in VIEWS.items()}
    for params in views.values():
        if params.get("sort") == "module":
            params["sort"] = f"module-{data.module.pk}"
    rounds = {view: {small: [], big: []} for view in views}
    people = {}
    # Interleaved in blocks, so that both sizes meet the same neighbours; each cut serves every
    # view, since cutting and putting back a line of 50,000 takes seconds.
    for _ in range(max(1, requests // 10)):
        for size in (small, big):
            times, people[size] = _measure_line(
                top=top, size=size, views=views, requests=min(10, requests)
            )
            for view in views:
                rounds[view][size].extend(times[view])
    figures = []
    for view, params in views.items():
        big_p50 = statistics.median(rounds[view][big])
        small_p50 = statistics.median(rounds[view][small])
        ratio = big_p50 / small_p50
        log(
            f"  manager dashboard ({view}): p50 {big_p50:.0f} ms at a line of {big:,} "
            f"({people[big]:,} people in it), {small_p50:.0f} ms at {small:,}: "
            f"ratio {ratio:.2f}"
        )
        main = view == "page 1 by name"
        figures.append(
            Figure(
                name=f"manager dashboard: p50 at line of {big:,}" + ("" if main else f" ({view})"),
                unit="ms",
                rounds=rounds[view][big],
                yardstick=f"the same page at a line of {small:,}",
                yardstick_rounds=rounds[view][small],
                goal=f"< {GOAL_MS} ms and ratio <= {GOAL_RATIO}" if main else "",
                passed=(big_p50 < GOAL_MS and ratio <= GOAL_RATIO) if main else None,
                note="single warm requests, Django test client in process; the machine is shared",
                extra={"params": params, "people": {str(k): v for k, v in people.items()}},
            )
        )
    return figures
