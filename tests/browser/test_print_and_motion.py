"""Paper and motion: the pages people print print their content alone (no menu, footer, buttons or
page links) with a table's headings on each sheet; and asking the system for less motion stops any
transition from playing out."""

from django.urls import reverse

from tests.factories import days
from tracking.services import assignment_create

from .steps import pass_quiz, sign_in

SHOWN_JS = "el => getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0"
# A transition of the kind a component might have, on an element the test adds (through the CSSOM,
# which the Content-Security-Policy allows).
TRANSITION_JS = """() => {
  const el = document.createElement("div");
  el.style.transition = "opacity 2s";
  document.querySelector("main").append(el);
  const duration = getComputedStyle(el).transitionDuration;
  el.remove();
  return duration;
}"""


def _shown(page, selector):
    return [
        page.locator(selector).nth(i).evaluate(SHOWN_JS)
        for i in range(page.locator(selector).count())
    ]


def test_the_team_dashboard_prints_its_table_without_the_controls(new_page, people, module, quiz):
    assignment_create(module=module, due_on=days(-5))
    pass_quiz(person=people["staff"], quiz=quiz)
    page = new_page()
    sign_in(page, "maria.manager", start_at=reverse("team_dashboard"))
    on_screen = {
        selector: _shown(page, selector)
        for selector in (
            ".govuk-service-navigation",
            ".govuk-footer",
            ".app-sign-out",
            ".govuk-button",
        )
    }
    assert all(shown and all(shown) for shown in on_screen.values()), on_screen

    page.emulate_media(media="print")
    for selector in on_screen:
        assert not any(_shown(page, selector)), f"{selector} is printed"
    assert _shown(page, "#reporting-line") == [True]
    assert (
        page.locator("#reporting-line thead").evaluate("el => getComputedStyle(el).display")
        == "table-header-group"
    )
    assert "Sam Staff" in page.locator("#reporting-line").inner_text()
    tag = page.locator("#reporting-line .govuk-tag").first
    assert tag.evaluate("el => getComputedStyle(el).printColorAdjust") == "exact"


def test_the_result_page_prints_the_result(new_page, people, module, quiz):
    certificate = pass_quiz(person=people["staff"], quiz=quiz)
    page = new_page()
    sign_in(page, "sam.staff", start_at=reverse("quizzes:attempt", args=[certificate.attempt_id]))
    page.emulate_media(media="print")
    assert _shown(page, "h1") == [True]
    assert not any(_shown(page, ".govuk-service-navigation")) and not any(
        _shown(page, ".govuk-footer")
    )


def test_reduced_motion_stops_transitions(page, people):
    page.goto(reverse("accessibility_statement"))
    page.audit.check()
    assert page.evaluate(TRANSITION_JS) == "2s"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(TRANSITION_JS) in {"1e-05s", "0s"}
