"""Figure 1's yardsticks: the bare page and the goals of each page against it (no timing)."""

import pytest

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bench.pages import BARE_PAGE, BARE_VIEW, _page_figures


def _run(rate):
    return {
        "rate": rate,
        "p50_us": 1000,
        "p95_us": 2000,
        "errors": 0,
        "errors_connect": 0,
        "errors_read": 0,
        "errors_write": 0,
        "errors_status": 0,
        "errors_timeout": 0,
    }


def test_each_page_is_measured_against_the_bare_page_and_the_bare_page_against_the_bare_view():
    results = {
        BARE_VIEW: [_run(1000)],
        BARE_PAGE: [_run(200)],
        "module page": [_run(110)],  # 0.55: meets 0.5
        "quiz page": [_run(90)],  # 0.45: misses 0.5
        "manager dashboard": [_run(70)],  # 0.35: meets 0.3
        "manager dashboard, drawn": [_run(30)],  # no goal of its own
        "quiz submission": [_run(50)],  # 0.25: misses 0.3
    }
    figures = {figure.name: figure for figure in _page_figures(results, exhausted=0)}
    drawn = figures["manager dashboard, drawn: requests/s"]
    assert (drawn.goal, drawn.passed, drawn.yardstick) == ("", None, BARE_PAGE)
    assert "drawn on every request" in drawn.note
    assert "kept as drawn" in figures["manager dashboard: requests/s"].note
    bare_page = figures["bare page: requests/s"]
    assert bare_page.yardstick == BARE_VIEW and bare_page.yardstick_value == 1000
    assert bare_page.passed is None and bare_page.goal == ""
    verdicts = {
        name: (figures[f"{name}: requests/s"].goal, figures[f"{name}: requests/s"].passed)
        for name in ("module page", "quiz page", "manager dashboard", "quiz submission")
    }
    assert verdicts == {
        "module page": ("ratio >= 0.5", True),
        "quiz page": ("ratio >= 0.5", False),
        "manager dashboard": ("ratio >= 0.3", True),
        "quiz submission": ("ratio >= 0.3", False),
    }
    for name in ("module page", "quiz page", "manager dashboard", "quiz submission"):
        for kind in ("requests/s", "p50 latency", "p95 latency"):
            assert figures[f"{name}: {kind}"].yardstick == BARE_PAGE
    assert "bare view: requests/s" not in figures


def test_a_submission_round_that_ran_out_of_attempts_says_so_on_the_submission_only():
    results = {
        name: [_run(100)]
        for name in (BARE_VIEW, BARE_PAGE, "module page", "quiz page", "quiz submission")
    }
    figures = {figure.name: figure for figure in _page_figures(results, exhausted=1)}
    assert "ran out of fresh attempts" in figures["quiz submission: requests/s"].note
    assert figures["module page: requests/s"].note == ""


@pytest.fixture
def bench_urls():
    with override_settings(ROOT_URLCONF="bench.urls"):
        yield


def test_the_bare_page_renders_the_page_frame_for_someone_signed_in_with_no_queries_of_its_own(
    bench_urls, people, client_for
):
    client = client_for(people["manager"])
    client.get("/bench/bare-page/")  # the session is now in the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/bench/bare-page/")
    assert response.status_code == 200
    assert [template.name for template in response.templates][0] == "base.html"
    page = response.content.decode()
    assert "Sign out" in page and "My team" in page  # the signed-in frame, with its navigation
    tables = {
        table
        for query in captured.captured_queries
        for table in ("auth_user", "auth_group", "django_session", "lms_person")
        if f'"{table}"' in query["sql"]
    }
    # The signed-in user and their roles (for the navigation): what every page reads.
    assert len(captured.captured_queries) == 2 and tables == {"auth_user", "auth_group"}


def test_the_bare_page_sends_someone_not_signed_in_to_sign_in(bench_urls, client, db):
    response = client.get("/bench/bare-page/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
