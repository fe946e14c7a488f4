"""Wide content at 320 CSS pixels (400% zoom of a 1280 pixel window): the manager's and the
auditor's tables stack each row into a block with its cells labelled, and quiz results are blocks
and summary lists, so nothing in the main content scrolls sideways."""

import re

from django.urls import reverse

from quizzes.models import Question
from quizzes.services import attempt_submit
from tests.factories import (
    QuizFactory,
    attempt_begin,
    days,
    multiple_response_create,
    ordering_create,
    scenario_judgement_create,
    single_choice_create,
    true_false_create,
)
from tests.quizzes.answers import answers_for
from tracking.services import assignment_create

from .keyboard import activate, tab_to
from .steps import pass_quiz, sign_in
from .test_layout import HORIZONTAL_OVERFLOW_JS


def _assert_no_horizontal_scrolling(page):
    overflow = page.evaluate(HORIZONTAL_OVERFLOW_JS)
    assert overflow["page"] <= 0 and not overflow["outside"], (
        f"{page.url} scrolls sideways at 320px: {overflow}"
    )


def _table_semantics(page, table_selector):
    """What Chromium's accessibility tree (what a screen reader is given) makes of a table: its
    role, and the role of each node of its rows (headers and cells), in order, by row."""
    cdp = page.context.new_cdp_session(page)
    table = cdp.send(
        "Runtime.evaluate", {"expression": f"document.querySelector({table_selector!r})"}
    )
    object_id = table["result"]["objectId"]
    own = cdp.send(
        "Accessibility.getPartialAXTree", {"objectId": object_id, "fetchRelatives": False}
    )
    rows = cdp.send("Accessibility.queryAXTree", {"objectId": object_id, "role": "row"})["nodes"]
    by_id = {node["nodeId"]: node for node in cdp.send("Accessibility.getFullAXTree")["nodes"]}
    cells = [
        [by_id[child]["role"]["value"] for child in row.get("childIds", []) if child in by_id]
        for row in rows
    ]
    cdp.detach()
    return own["nodes"][0]["role"]["value"], cells


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
    label = sam.locator("td[data-status]").evaluate(
        "el => getComputedStyle(el, '::before').content"
    )
    assert module.title in label


def test_stacked_tables_are_still_tables_to_a_screen_reader(new_page, people, module, quiz):
    """The markup carries no ARIA roles (they would repeat the table's own elements, which is
    invalid HTML): the browser must still expose the stacked rows as a table's rows and cells."""
    assignment_create(module=module, due_on=days(-5))
    pass_quiz(person=people["staff"], quiz=quiz)
    page = new_page(width=320, height=640)
    sign_in(page, "maria.manager", start_at=reverse("team_dashboard"))
    assert (
        page.locator("#reporting-line tbody tr").first.evaluate(
            "el => getComputedStyle(el).display"
        )
        == "block"
    )  # stacked
    role, rows = _table_semantics(page, "#reporting-line")
    assert role == "table"
    header, *body = rows
    assert header and set(header) == {"columnheader"}, header
    assert body and all(row[0] == "rowheader" and set(row[1:]) == {"cell"} for row in body), rows
    assert all(len(row) == len(header) for row in body), rows


def test_auditor_list_reflows_at_320_pixels(new_page, people, module, quiz):
    pass_quiz(person=people["staff"], quiz=quiz)
    page = new_page(width=320, height=640)
    sign_in(page, "ada.auditor")
    _open_from_menu(page, "Certificates")
    _assert_no_horizontal_scrolling(page)
    status = page.locator("tbody tr").first.locator("td[data-label='Status']")
    assert status.evaluate("el => getComputedStyle(el, '::before').content") == '"Status: "'


def test_hidden_column_headings_show_while_their_sort_links_have_the_focus(
    new_page, people, module
):
    page = new_page(width=320, height=640)
    sign_in(page, "maria.manager", start_at=reverse("team_dashboard"))
    headings = page.locator("#reporting-line thead")
    sort_by_name = headings.get_by_role("link", name=re.compile(r"^Name"))
    assert headings.bounding_box()["width"] <= 1  # stacked: the headings are hidden
    tab_to(page, sort_by_name)
    assert (
        headings.bounding_box()["width"] > 200
    )  # and shown while one of their links has the focus
    box = sort_by_name.bounding_box()
    assert (
        box["width"] > 20
        and box["height"] > 10
        and box["x"] >= 0
        and box["x"] + box["width"] <= 320
    )
    _assert_no_horizontal_scrolling(page)


def _result_quiz(module, clause):
    """One question of each type, each with an explanation that only a full review shows."""
    quiz = QuizFactory(module=module, pass_mark=60)
    for sort_order, create in enumerate(
        (
            single_choice_create,
            multiple_response_create,
            true_false_create,
            ordering_create,
            scenario_judgement_create,
        )
    ):
        question = create(quiz=quiz, clause=clause, sort_order=sort_order)
        Question.objects.filter(pk=question.pk).update(
            explanation=f"Why question {sort_order + 1}: the policy says so."
        )
    return quiz


def _sit(person, quiz, *, passing):
    attempt = attempt_begin(person=person, quiz=quiz)
    wrong = set() if passing else {question["id"] for question in attempt.questions}
    return attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong))


def test_quiz_results_reflow_at_320_pixels_and_show_the_key_only_after_a_pass(
    new_page, people, module, clause
):
    quiz = _result_quiz(module, clause)
    failed = _sit(people["staff"], quiz, passing=False)
    page = new_page(width=320, height=640)
    sign_in(page, "sam.staff", start_at=reverse("quizzes:attempt", args=[failed.pk]))
    assert page.get_by_role("heading", level=1).inner_text() == "You did not pass this time"
    _assert_no_horizontal_scrolling(page)
    main = page.locator("#main-content").inner_text()
    assert (
        "Question 4: not right" in main
        and "clause 2.19" in main
        and "Attempts left before a wait" in main
    )
    assert "Why question" not in main and "Feedback" not in main and "Policy answer" not in main
    assert "The answer the policy expects" not in main

    passed = _sit(people["staff"], quiz, passing=True)
    page.goto(reverse("quizzes:attempt", args=[passed.pk]))
    page.audit.check()
    assert page.get_by_role("heading", level=1).inner_text() == "You passed"
    _assert_no_horizontal_scrolling(page)
    main = page.locator("#main-content").inner_text()
    assert (
        "Why question 1: the policy says so." in main
        and "Why question 5: the policy says so." in main
    )
    assert "Policy answer" in main and "Feedback on Step 1" in main


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
