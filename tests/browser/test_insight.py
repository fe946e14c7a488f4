"""A line manager's insight page in a real browser: reached by keyboard from My team, axe- and
HTML-clean, its charts shown as images that load (no Content-Security-Policy violation: the
page fails on any), each beside the table of its figures; with a small line every figure is
suppressed and says why, and with five people the figures show."""

import csv
import datetime
import io
from pathlib import Path

from django.utils import timezone

from tests.factories import PersonFactory, days
from tests.quizzes.test_clause_misses import sit
from tracking.insight import SUPPRESSED
from tracking.services import assignment_create

from .keyboard import activate
from .steps import sign_in

IMAGE_LOADED = "image => image.complete && image.naturalWidth > 0"


def _open_insight(page):
    sign_in(page, "maria.manager")
    activate(page, page.get_by_role("link", name="My team"))
    page.audit.check()
    activate(page, page.get_by_role("link", name="Insight into your team"))
    page.audit.check()


def test_a_small_line_sees_charts_and_tables_with_its_figures_suppressed(
    page, people, module, quiz
):
    assignment_create(module=module, due_on=days(10))
    sit(people["staff"], quiz, timezone.now() - datetime.timedelta(days=1), q4=False)
    _open_insight(page)
    charts = page.get_by_role("img")
    assert charts.count() == 2
    for index in range(2):
        assert charts.nth(index).evaluate(IMAGE_LOADED)
    assert page.get_by_role("img", name="Compliance by month: your reporting line").count() == 1
    assert "fewer than 5 people is not shown" in page.locator("#small-numbers").inner_text()
    table = page.get_by_role("table", name="Compliance by month")
    assert SUPPRESSED in table.inner_text()
    assert "Sam Staff" not in page.content()


def test_five_people_show_their_figures_and_the_download_matches(page, people, module, quiz):
    assignment_create(module=module, due_on=days(10))
    yesterday = timezone.now() - datetime.timedelta(days=1)
    line = [people["staff"], people["lead"], people["deep"]]
    line += [PersonFactory(line_manager=people["staff"]) for _ in range(2)]
    for person, right in zip(line, (False, False, True, False, True), strict=True):
        sit(person, quiz, yesterday, q4=right)
    _open_insight(page)
    clauses = page.get_by_role("table", name="Most-missed policy clauses")
    row = clauses.get_by_role("row").filter(has_text="Heading 10")
    assert "60.0" in row.inner_text()
    assert page.get_by_role("img", name="Most-missed policy clauses: your reporting line").evaluate(
        IMAGE_LOADED
    )
    with page.expect_download() as download_info:
        activate(
            page,
            page.get_by_role("link", name="CSV file of most-missed policy clauses"),
            navigates=False,
        )
    download = download_info.value
    assert download.suggested_filename == "reporting-line-clauses.csv"
    exported = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert exported[1][:6] == ["Safeguarding", "10", "Heading 10", "5", "3", "60.0"]


FITS_JS = """image => image.getBoundingClientRect().width > 0
  && image.getBoundingClientRect().right <= document.querySelector("main").getBoundingClientRect().right + 1"""


def test_the_insight_page_prints_its_charts_and_tables(new_page, people, module, quiz):
    assignment_create(module=module, due_on=days(10))
    sit(people["staff"], quiz, timezone.now() - datetime.timedelta(days=1), q4=False)
    page = new_page(width=1024)
    sign_in(page, "maria.manager", start_at="/team/insight/")
    page.emulate_media(media="print")
    charts = page.locator(".app-chart__image")
    assert charts.count() == 2
    for index in range(2):
        assert charts.nth(index).evaluate(IMAGE_LOADED)
        assert charts.nth(index).evaluate(FITS_JS)
    for table in ("#compliance-table", "#clauses-table"):
        assert (
            page.locator(f"{table} thead").evaluate("el => getComputedStyle(el).display")
            == "table-header-group"
        )
