"""The organisation's insight reports in the Wagtail admin (compliance over time, most-missed
policy clauses, item analysis per quiz) narrowed to a team the way a person does it: open the
filters, choose the team, and the report redraws. Each filtered page is run through axe (and
its console and Content-Security-Policy are watched), its figures are the team's, a team of
fewer than five people has its figures withheld with the reason, and the downloads of the
filtered report hold the team's rows only.

The data: everyone is assigned the module. Family court team is Maria, Sam, Lee and Rita with a
sub-team (Family court duty desk) of two more: six people, of whom Sam and one of the duty desk
fail the quiz (every answer wrong) and the other four pass (and so hold the module's
certificate). Oscar, in Other team, fails it. So the organisation has seven first attempts, the
team six, the duty desk two."""

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from django.urls import reverse

from lms.small_numbers import SUPPRESSED, SUPPRESSED_WHY
from people.models import Team
from tests.factories import PersonFactory, attempt_failed, attempt_passed, days
from tracking.services import assignment_create

from .keyboard import activate, choose_option, open_modal, tab_to
from .steps import sign_in

TEAM = "Family court team"
SMALL_TEAM = "Family court duty desk"


@pytest.fixture
def sittings(people, module, quiz):
    assignment_create(module=module, due_on=days(10))
    team = Team.objects.get(name=TEAM)
    duty_desk = Team.objects.create(name=SMALL_TEAM, parent=team)
    first, second = (PersonFactory(team=duty_desk) for _ in range(2))
    for person in (people["manager"], people["lead"], people["deep"], second):
        attempt_passed(person=person, quiz=quiz)
    for person in (people["staff"], first, people["other_staff"]):
        attempt_failed(person=person, quiz=quiz)
    return {"team": team, "duty_desk": duty_desk}


def _open_report(page, who, path):
    sign_in(page, who, start_at="/admin/")
    page.audit.check_admin()
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    page.audit.check_admin()


def _open_filter(page, name):
    """Open the filters menu (unless it is open), and in it the filter ``name`` (going back
    from another filter that is open)."""
    filters = page.locator("#filters-drilldown")
    toggle = filters.get_by_role("button", name="Show filters")
    if toggle.get_attribute("aria-expanded") != "true":
        activate(page, toggle, navigates=False)
    back = filters.get_by_role("button", name="Back").filter(visible=True)
    if back.count():
        activate(page, back, navigates=False)
    activate(page, filters.get_by_role("button", name=name), navigates=False)


def _choose_team(page, team):
    """Open the filters, open the team filter and choose ``team`` with the keyboard in the team
    chooser (search for it, follow its link): the report redraws (Wagtail fetches its results
    and swaps them in) and the address says the team."""
    _open_filter(page, "Team (with its sub-teams)")
    widget = page.locator("#id_team-chooser")
    if "blank" in widget.get_attribute("class").split():
        chooser = widget.get_by_role("button", name="Choose a team")
    else:
        # A team is chosen: choosing another is in the widget's own actions menu.
        activate(page, widget.get_by_role("button", name="Actions"), navigates=False)
        chooser = widget.get_by_role("button", name="Choose another team")
    modal = open_modal(page, chooser)
    search = modal.get_by_label("Search by name")
    tab_to(page, search)
    with page.expect_response(lambda response: "choose-team/results/" in response.url):
        page.keyboard.type(team.name)
    choice = modal.get_by_role("link", name=team.name, exact=True)
    expect(choice).to_be_visible()
    page.audit.check_admin(within=".modal-dialog")
    with page.expect_response(
        lambda response: "/results/" in response.url and f"team={team.pk}" in response.url
    ):
        activate(page, choice, navigates=False)
    expect(modal).to_be_hidden()
    page.wait_for_url(re.compile(rf"[?&]team={team.pk}(&|$)"))
    _wait_for_redraw(page)
    page.audit.check_admin()


def _wait_for_redraw(page):
    """Wagtail marks the results busy from the request until the new ones are swapped in."""
    page.wait_for_function("() => !document.querySelector('[aria-busy=true]')")


def _table_rows(page):
    """The report table's body rows, each as the text of its cells."""
    return page.locator("#listing-results table tbody tr").evaluate_all(
        """rows => rows.map(row => [...row.cells].map(
             cell => cell.textContent.replace(/\\s+/g, ' ').trim()))"""
    )


def _export_links(page, team):
    """The header's download links (in its Actions menu, opened with the keyboard), which must
    now carry the team too."""
    actions = page.locator("#w-slim-header-buttons").get_by_role("button", name="Actions")
    if actions.get_attribute("aria-expanded") != "true":
        activate(page, actions, navigates=False)
    menu = "#w-slim-header-buttons [data-tippy-root]"
    page.locator(menu).wait_for()
    page.audit.check_admin(within=menu)
    links = [
        page.locator(menu).get_by_role("link", name=name)
        for name in ("Download XLSX", "Download CSV")
    ]
    for link in links:
        href = link.get_attribute("href")
        assert f"team={team.pk}" in href, f"the download {href} does not keep the team"
    return links


def _download_xlsx(page, link):
    with page.expect_download() as download_info:
        activate(page, link, navigates=False)
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as workbook:
        sheet = load_workbook(workbook).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _download_csv(page, link):
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    return list(csv.reader(io.StringIO(response.text())))


def _chart(page):
    chart = page.locator("#listing-results .app-chart__image")
    expect(chart).to_have_count(1)
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    return chart.get_attribute("alt")


def test_compliance_over_time_narrowed_to_a_team(page, people, sittings):
    _open_report(page, "ada.auditor", reverse("lms_report_compliance-over-time"))
    # The whole organisation this month: ten people, four holding the certificate.
    this_month = _table_rows(page)[-1]
    assert this_month[2:] == ["10", "10", "4", "40.0"], this_month
    assert "the organisation" in _chart(page)

    _choose_team(page, sittings["team"])
    assert _table_rows(page)[-1][2:] == ["6", "6", "4", "66.7"]
    assert "Compliance by month: the team" in _chart(page)
    # Six people: every figure shown, so nothing to explain.
    expect(page.get_by_text(SUPPRESSED_WHY)).to_have_count(0)
    xlsx, csv_link = _export_links(page, sittings["team"])
    exported = _download_xlsx(page, xlsx)
    assert [str(cell) for cell in exported[-1][2:]] == ["6", "6", "4", "66.7"]
    assert _download_csv(page, csv_link)[-1][2:] == ["6", "6", "4", "66.7"]

    # Two people: no month's figure is shown, and the page says why.
    _choose_team(page, sittings["duty_desk"])
    rows = _table_rows(page)
    assert len(rows) == 12
    assert all(row[2:] == [SUPPRESSED] * 4 for row in rows), rows
    assert "No month has a figure to show" in _chart(page)
    expect(page.get_by_text(SUPPRESSED_WHY)).to_be_visible()
    _xlsx, csv_link = _export_links(page, sittings["duty_desk"])
    exported = _download_csv(page, csv_link)[1:]
    assert len(exported) == 12
    assert all(row[2:] == [SUPPRESSED] * 4 for row in exported), exported

    # The team cleared from the chooser's own menu: the whole organisation again.
    _open_filter(page, "Team (with its sub-teams)")
    widget = page.locator("#id_team-chooser")
    activate(page, widget.get_by_role("button", name="Actions"), navigates=False)
    with page.expect_response(
        lambda response: (
            "/results/" in response.url
            and parse_qs(urlsplit(response.url).query).get("team", [""]) == [""]
        )
    ):
        activate(page, widget.get_by_role("button", name=re.compile("^Clear")), navigates=False)
    page.wait_for_url(lambda url: "team=" not in url)
    _wait_for_redraw(page)
    page.audit.check_admin()
    assert _table_rows(page)[-1][2:] == ["10", "10", "4", "40.0"]
    assert "the organisation" in _chart(page)


def test_most_missed_clauses_narrowed_to_a_team(page, people, sittings, clause):
    _open_report(page, "alex.author", reverse("lms_report_most-missed-clauses"))
    # Three questions citing the clause, seven attempts, three of them all wrong.
    (row,) = _table_rows(page)
    assert row[1:6] == [clause.reference, clause.heading, "21", "9", "42.9"], row

    _choose_team(page, sittings["team"])
    (row,) = _table_rows(page)
    assert row[3:6] == ["18", "6", "33.3"], row
    assert "Most-missed policy clauses: the team" in _chart(page)
    expect(page.get_by_text(SUPPRESSED_WHY)).to_have_count(0)
    xlsx, csv_link = _export_links(page, sittings["team"])
    (exported,) = _download_csv(page, csv_link)[1:]
    assert exported[3:6] == ["18", "6", "33.3"]
    (exported,) = _download_xlsx(page, xlsx)[1:]
    assert [str(cell) for cell in exported[3:6]] == ["18", "6", "33.3"]

    _choose_team(page, sittings["duty_desk"])
    (row,) = _table_rows(page)
    assert row[3:7] == [SUPPRESSED] * 4, row
    assert "No clause has a figure to show" in _chart(page)
    expect(page.get_by_text(SUPPRESSED_WHY)).to_be_visible()


def test_item_analysis_narrowed_to_a_team(page, people, reviewer, sittings, quiz):
    _open_report(page, "rosa.reviewer", reverse("quizzes_report_item-analysis"))
    _open_filter(page, "Quiz")
    with page.expect_response(lambda response: f"quiz={quiz.pk}" in response.url):
        choose_option(page, page.get_by_label("Quiz", exact=True), label=quiz.title)
    page.wait_for_url(re.compile(rf"[?&]quiz={quiz.pk}(&|$)"))
    _wait_for_redraw(page)
    page.audit.check_admin()
    rows = _table_rows(page)
    assert len(rows) == 3
    # Seven first attempts, four of them right throughout.
    assert all(row[4:6] == ["7", "57.1"] for row in rows), rows
    assert "3 questions" in _chart(page)

    _choose_team(page, sittings["team"])
    assert f"quiz={quiz.pk}" in page.url
    rows = _table_rows(page)
    assert len(rows) == 3
    assert all(row[4:6] == ["6", "66.7"] for row in rows), rows
    expect(page.get_by_text(SUPPRESSED_WHY)).to_have_count(0)
    xlsx, csv_link = _export_links(page, sittings["team"])
    assert f"quiz={quiz.pk}" in xlsx.get_attribute("href")
    exported = _download_xlsx(page, xlsx)[1:]
    assert sorted(str(row[4]) + "/" + str(row[5]) for row in exported) == ["6/66.7"] * 3

    _choose_team(page, sittings["duty_desk"])
    rows = _table_rows(page)
    assert len(rows) == 3
    assert all(row[4:11] == [SUPPRESSED] * 7 for row in rows), rows
    # Nothing to place: no chart.
    expect(page.locator("#listing-results .app-chart__image")).to_have_count(0)
    expect(page.get_by_text(SUPPRESSED_WHY)).to_be_visible()
    exported = _download_csv(page, _export_links(page, sittings["duty_desk"])[1])[1:]
    assert len(exported) == 3
    assert all(row[4:] == [SUPPRESSED] * 7 for row in exported), exported
