"""The manager's and the auditor's wide tables at 320 CSS pixels (400% zoom of a 1280 pixel window):
each row stacks into a block with its cells labelled, so nothing in the main content scrolls sideways."""

import re

from django.urls import reverse

from lms.services import assignment_create
from tests.lms.helpers import days

from .keyboard import activate, tab_to
from .steps import pass_quiz, sign_in
from .test_layout import HORIZONTAL_OVERFLOW_JS


def _assert_no_horizontal_scrolling(page):
    overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    assert overflow["page"] <= 0 and not overflow["outside"], f"{page.url} scrolls sideways at 320px: {overflow}"


def _open_from_menu(page, link_name):
    activate(page, page.get_by_role("button", name="Menu"), navigates=False)
    activate(page, page.get_by_role("link", name=link_name))
    page.audit.check()


def test_team_dashboard_reflows_at_320_pixels(new_page, people, module, quiz):
    assignment_create(module=module, due_on=days(-5))
    pass_quiz(person=people["staff"], quiz=quiz)
    page = new_page(width=320, height=640)
    sign_in(page, "maria.manager")
    _open_from_menu(page, "My team")
    _assert_no_horizontal_scrolling(page)
    # Each stacked cell still says which module its status is for.
    sam = page.locator("#reporting-line tbody tr").filter(has_text="Sam Staff")
    label = sam.locator("td[data-status]").evaluate("el => getComputedStyle(el, '::before').content")
    assert module.title in label


def test_auditor_list_reflows_at_320_pixels(new_page, people, module, quiz):
    pass_quiz(person=people["staff"], quiz=quiz)
    page = new_page(width=320, height=640)
    sign_in(page, "ada.auditor")
    _open_from_menu(page, "Certificates")
    _assert_no_horizontal_scrolling(page)
    status = page.locator("tbody tr").first.locator("td[data-label='Status']")
    assert status.evaluate("el => getComputedStyle(el, '::before').content") == '"Status: "'


def test_hidden_column_headings_show_while_their_sort_links_have_the_focus(new_page, people, module):
    page = new_page(width=320, height=640)
    sign_in(page, "maria.manager", start_at=reverse("team_dashboard"))
    headings = page.locator("#reporting-line thead")
    sort_by_name = headings.get_by_role("link", name=re.compile(r"^Name"))
    assert headings.bounding_box()["width"] <= 1  # stacked: the headings are hidden
    tab_to(page, sort_by_name)
    assert headings.bounding_box()["width"] > 200  # and shown while one of their links has the focus
    box = sort_by_name.bounding_box()
    assert box["width"] > 20 and box["height"] > 10 and box["x"] >= 0 and box["x"] + box["width"] <= 320
    _assert_no_horizontal_scrolling(page)


def test_checking_a_certificate_by_code_reflows_at_320_pixels(new_page, people, module, quiz):
    certificate = pass_quiz(person=people["staff"], quiz=quiz)
    page = new_page(width=320, height=640)
    page.goto(reverse("certificates:check_file"))
    page.audit.check()
    _assert_no_horizontal_scrolling(page)
    field = page.get_by_label("Enter the verification code")
    box = field.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    tab_to(page, field)
    page.keyboard.type(certificate.code_for_reading)
    activate(page, page.get_by_role("button", name="Check code"))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "This certificate is valid"
    assert certificate.code_for_reading in page.locator("main").inner_text()
    _assert_no_horizontal_scrolling(page)
