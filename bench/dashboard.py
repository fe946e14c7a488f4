"""Figure 9: the manager dashboard's time for one request, warm, at a reporting line of 10,000
against the same page at a line of 10 (the yardstick): the work must not grow with the line.

Single requests with Django's test client, in process (no load, no network), one after another,
the two sizes interleaved round by round so that a noisy neighbour hits both alike. The line is
cut to size inside a transaction that is rolled back, as in figure 2."""

import statistics
import time

from django.db import transaction
from django.test import Client

from people.models import Person
from people.selectors import reporting_line

from .data import dead_rows_remove
from .queries import _line_limit
from .stats import Figure

# The page and filters measured at both sizes: the default view (page 1, by name), and a filtered,
# sorted one that a manager uses to chase (an extra figure; the goal is on the default view).
VIEWS = {
    "page 1 by name": {},
    "overdue, by the first module, page 2": {"status": "overdue", "sort": "module", "page": "2"},
}
GOAL_MS, GOAL_RATIO = 300, 2


class _Rollback(Exception):
    pass


def _time_request(client, path, params):
    started = time.perf_counter()
    response = client.get(path, params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} {params} answered {response.status_code}")
    return elapsed, response


def _measure_line(*, top, size, params, requests, warmup=3):
    """Milliseconds of ``requests`` warm requests of the dashboard with ``top``'s line cut to
    ``size``, and the size of the line as the dashboard reads it (to prove the cut)."""
    times, people = [], None
    try:
        with transaction.atomic():
            _line_limit(size=size)
            client = Client()
            client.force_login(top.user)
            client.get("/")  # the session's first-request writes are not the dashboard's
            for _ in range(warmup):
                _time_request(client, "/team/", params)
            for _ in range(requests):
                elapsed, _response = _time_request(client, "/team/", params)
                times.append(elapsed)
            people = reporting_line(manager=top).count()
            raise _Rollback
    except _Rollback:
        pass
    dead_rows_remove(Person)
    return times, people


def dashboard_measure(*, data, line_sizes, requests, log):
    top = Person.objects.select_related("user").get(employee_number="GEN-000001")
    small, big = min(line_sizes), max(line_sizes)
    module_id = data.module.pk
    figures = []
    for view, params in VIEWS.items():
        params = {**params}
        if params.get("sort") == "module":
            params["sort"] = f"module-{module_id}"
        rounds = {small: [], big: []}
        people = {}
        # Interleaved in blocks, so that both sizes meet the same neighbours.
        for _ in range(max(1, requests // 10)):
            for size in (small, big):
                times, people[size] = _measure_line(
                    top=top, size=size, params=params, requests=min(10, requests)
                )
                rounds[size].extend(times)
        big_p50, small_p50 = statistics.median(rounds[big]), statistics.median(rounds[small])
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
                rounds=rounds[big],
                yardstick=f"the same page at a line of {small:,}",
                yardstick_rounds=rounds[small],
                goal=f"< {GOAL_MS} ms and ratio <= {GOAL_RATIO}" if main else "",
                passed=(big_p50 < GOAL_MS and ratio <= GOAL_RATIO) if main else None,
                note="single warm requests, Django test client in process; the machine is shared",
                extra={"params": params, "people": {str(k): v for k, v in people.items()}},
            )
        )
    return figures
