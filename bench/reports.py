"""Figure 5: exporting the organisation-wide compliance reports (CSV from the Wagtail admin
report views) against a plain SQL count over the same person x module rows."""

import time

from django.db import connection
from django.test import Client
from django.urls import reverse

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


def _export(client, url_name):
    response = client.get(reverse(url_name), {"export": "csv"})
    if response.status_code != 200:
        raise RuntimeError(f"{url_name} export answered {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.count(b"\n")


def _plain_count():
    with connection.cursor() as cursor:
        cursor.execute(PLAIN_COUNT)
        return cursor.fetchone()[0]


def reports_measure(*, admin, rounds, people, log):
    client = Client()
    client.force_login(admin)
    figures = []
    count_rows = _plain_count()
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
            goal="< 10 s",
            extra={"csv_lines": lines},
        )
        figure.passed = figure.value < 10
        log(f"  {title}: {figure.value:.2f} s ({lines:,} CSV lines)")
        figures.append(figure)
    return figures
