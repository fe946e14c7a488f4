"""Figure 5: exporting the organisation-wide compliance reports (CSV from the Wagtail admin
report views) against a plain SQL count over the same person x module rows, and the peak memory
of each export (Python's allocations, the streamed response read to its end) at two sizes of
organisation: flat memory means the export streams rather than holding the report."""

import json
import os
import subprocess
import sys
import time
import tracemalloc

from django.db import connection
from django.test import Client
from django.urls import reverse

from .database import DEFAULT_URL
from .stats import Figure

REPORTS = (
    ("lms_report_completion", "completion by team and module"),
    ("lms_report_overdue", "overdue training"),
)
PLAIN_COUNT = """
    SELECT COUNT(*) FROM lms_person person
    CROSS JOIN modules_modulepage module
    JOIN wagtailcore_page page ON page.id = module.page_ptr_id AND page.live
    LEFT JOIN certificates_certificate certificate
      ON certificate.person_id = person.id AND certificate.module_id = module.page_ptr_id
    WHERE person.left_on IS NULL
"""
GOAL_RATIO = 10
MEMORY_GOAL_RATIO = 1.5


def _export(client, url_name):
    """Read the export to its end a chunk at a time, as a browser would; its line count."""
    response = client.get(reverse(url_name), {"export": "csv"})
    if response.status_code != 200:
        raise RuntimeError(f"{url_name} export answered {response.status_code}")
    if not response.streaming:
        return response.content.count(b"\n")
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    response.close()
    return lines


def export_peak_memory(*, admin, url_name):
    """Peak bytes Python allocated while producing the whole export (tracemalloc)."""
    client = Client()
    client.force_login(admin)
    _export(client, url_name)  # warm: imports, templates and caches are not the report's
    tracemalloc.start()
    try:
        _export(client, url_name)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _plain_count():
    with connection.cursor() as cursor:
        cursor.execute(PLAIN_COUNT)
        return cursor.fetchone()[0]


def _larger_peaks(*, people, log):
    """The peaks at ``people`` in their own database (see bench.report_memory), or None."""
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    environment = {**os.environ, "BENCH_DATABASE_URL": f"{url.rstrip('/')}_{people // 1000}k"}
    log(f"  peak memory at {people:,} people (own database; generated once, then reused)")
    finished = subprocess.run(  # noqa: S603 (this interpreter, our module)
        [sys.executable, "-m", "bench.report_memory", "--people", str(people)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        log(finished.stderr[-2000:])
        raise RuntimeError(f"bench.report_memory at {people:,} people failed")
    return json.loads(finished.stdout.strip().splitlines()[-1])["peaks"]


def reports_measure(*, admin, rounds, people, larger_people, log):
    client = Client()
    client.force_login(admin)
    figures = []
    count_rows = _plain_count()
    peaks = {}
    for url_name, title in REPORTS:
        export_times, count_times, lines = [], [], 0
        for _ in range(rounds):
            started = time.perf_counter()
            lines = _export(client, url_name)
            export_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            _plain_count()
            count_times.append(time.perf_counter() - started)
        figure = Figure(
            name=f"report export: {title} ({people:,} people)",
            unit="s",
            rounds=export_times,
            yardstick=f"SQL count of the {count_rows:,} person x module rows",
            yardstick_rounds=count_times,
            goal=f"<= {GOAL_RATIO}x the SQL count",
            extra={"csv_lines": lines},
        )
        figure.passed = figure.value <= GOAL_RATIO * figure.yardstick_value
        log(
            f"  {title}: {figure.value:.2f} s ({lines:,} CSV lines), "
            f"{figure.value / figure.yardstick_value:.1f}x the count"
        )
        figures.append(figure)
        peaks[title] = export_peak_memory(admin=admin, url_name=url_name)
        log(f"  {title}: peak memory {peaks[title] / 1e6:.1f} MB")
        figures.append(
            Figure(
                name=f"report export: peak memory of {title} ({people:,} people)",
                unit="MB",
                rounds=[peaks[title] / 1e6],
                yardstick="",
                yardstick_rounds=[],
                note="tracemalloc peak while producing the whole export",
            )
        )
    if larger_people:
        larger = _larger_peaks(people=larger_people, log=log)
        for _, title in REPORTS:
            figure = Figure(
                name=f"report export: peak memory ratio {larger_people // 1000}k/"
                f"{people // 1000}k ({title})",
                unit="MB",
                rounds=[larger[title] / 1e6],
                yardstick=f"peak at {people:,} people",
                yardstick_rounds=[peaks[title] / 1e6],
                goal=f"ratio <= {MEMORY_GOAL_RATIO}",
                extra={"people": larger_people},
            )
            figure.passed = larger[title] <= MEMORY_GOAL_RATIO * peaks[title]
            log(
                f"  {title}: peak {larger[title] / 1e6:.1f} MB at {larger_people:,} people, "
                f"{larger[title] / peaks[title]:.2f}x"
            )
            figures.append(figure)
    return figures
