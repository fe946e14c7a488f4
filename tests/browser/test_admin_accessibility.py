"""The Wagtail admin pages that L&D authors, auditors and administrators use, run through axe with
the same WCAG 2.2 A and AA rules as the service's own pages (``page.audit.check_admin()``): the
dashboard, a module's editor with its StreamField block picker and rich-text editors, the policy
library, quizzes and assignments, and every report under the Reports menu (the insight reports
drawn and narrowed to a team, with their charts, in test_insight_reports.py).

What Wagtail itself got wrong is worked around in lms/static/lms/admin.css and admin.js; these
tests show the workarounds do what they say (the editors have names, new ones too; the status
message is at full contrast as soon as it shows), not only that axe is quiet."""

import datetime
import re

from playwright.sync_api import expect

from django.contrib.auth import get_user_model
from django.utils import timezone

from modules.models import ModuleIndexPage
from people.models import Organisation
from tracking.services import assignment_create

from .a11y import violations_report, without_excused
from .steps import PASSWORD, pass_quiz, sign_in

# The module's rich-text fields: its learning outcomes, the narrative step's body and the decision
# step's situation (tests.factories.default_steps).
RICH_TEXT_FIELDS = ("Learning outcomes", "Body", "Situation")
STREAMFIELD_PICKER = "[data-tippy-root]"
EDITOR_PICKER = ".Draftail-Editor [data-tippy-root]"


def _open_admin_page(page, path):
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    page.audit.check_admin()


def _editors_named(page, count):
    """Wait until ``count`` rich-text editors are on the page and each has its label as its name."""
    editors = page.locator(".Draftail-Editor [role='textbox']")
    expect(editors).to_have_count(count)
    for index in range(count):
        expect(editors.nth(index)).to_have_attribute("aria-labelledby", re.compile(r"\S"))
    return editors


def test_author_admin_pages(page, people, module, quiz, clause):
    assignment_create(module=module, due_on=timezone.localdate() + datetime.timedelta(days=30))
    # A policy past its review date, so that the dashboard lists it (and axe checks the list).
    clause.document.review_on = timezone.localdate() - datetime.timedelta(days=60)
    clause.document.save(update_fields=["review_on"])
    # An organisation none of whose policies the quiz asks about, so that the dashboard lists its
    # staff as unable to reach base competence (and axe checks that table too).
    Organisation.objects.create(code="northshire", name="Northshire Council")

    sign_in(page, "alex.author", start_at="/admin/")
    # The dashboard, with the sign-in's status message: white on green, shown at full contrast.
    message = page.locator(".messages .success")
    expect(message).to_contain_text("Successfully signed in")
    expect(page.get_by_role("heading", name="Policies to review")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Staff who cannot reach base competence")
    ).to_be_visible()
    expect(page.get_by_role("rowheader", name="Northshire Council")).to_be_visible()
    page.audit.check_admin()
    assert message.evaluate("el => getComputedStyle(el.closest('ul')).opacity") == "1"

    # A module's editor: each rich-text editor is named by its field's label.
    page.goto(f"/admin/pages/{module.pk}/edit/")
    _editors_named(page, len(RICH_TEXT_FIELDS))
    page.audit.check_admin()
    for name in RICH_TEXT_FIELDS:
        expect(page.get_by_role("textbox", name=name)).to_have_count(1)
    # Clicking a label puts the cursor in its editor, as for any other field.
    page.locator("#steps-0-value-body").locator("xpath=ancestor::*[@data-contentpath][1]").locator(
        ":scope > label"
    ).click()
    expect(page.get_by_role("textbox", name="Body")).to_be_focused()

    # The StreamField block picker, open.
    page.locator("button.c-sf-add-button").first.click()
    picker = page.locator(STREAMFIELD_PICKER)
    expect(picker.get_by_role("combobox", name="Search options…")).to_be_visible()
    # Only the picker: the rest of the page was checked above. (Scrolled to the button, the page
    # has other targets partly under Wagtail's sticky header, which axe counts against their size.)
    page.audit.check_admin(within=STREAMFIELD_PICKER)
    # A block added from it brings a new editor, which is named as it appears.
    picker.get_by_role("option", name="Narrative").click()
    _editors_named(page, len(RICH_TEXT_FIELDS) + 1)
    expect(page.get_by_role("textbox", name="Body")).to_have_count(2)

    # A rich-text editor's own block picker, opened by typing "/" in the new, empty one.
    page.get_by_role("textbox", name="Body").filter(has_not_text="Jade").click()
    page.keyboard.type("/")
    # Its search box and list are named after the button that opens it.
    expect(page.get_by_role("listbox", name="Insert a block")).to_be_visible()
    page.audit.check_admin(within=EDITOR_PICKER)
    page.keyboard.press("Escape")

    # The module's place in the page tree, the policy library, quizzes and assignments.
    index = ModuleIndexPage.objects.get()
    for path in (
        f"/admin/pages/{index.pk}/",
        "/admin/snippets/modules/policydocument/",
        f"/admin/snippets/modules/policydocument/edit/{clause.document.pk}/",
        "/admin/snippets/modules/policyclause/",
        f"/admin/snippets/modules/policyclause/edit/{clause.pk}/",
        f"/admin/snippets/modules/policyclause/revise/{clause.pk}/",
        f"/admin/snippets/modules/policyclause/citations/{clause.pk}/",
        "/admin/snippets/quizzes/quiz/",
        f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/",
        "/admin/snippets/quizzes/singlechoicequestion/",
        "/admin/snippets/lms/assignment/",
        "/admin/snippets/lms/assignment/add/",
        f"/admin/snippets/quizzes/quiz/add/?module={module.pk}",
    ):
        _open_admin_page(page, path)

    # The quiz's own screen edits its questions: its picker of question types, open, and a new
    # question with the two options it starts with. The picker is opened from the keyboard, as a
    # keyboard user would: a click first waits for the button to hold still over two animation
    # frames, and once in a CI run the editor's last "+" had not for 10 s (not seen since).
    _open_admin_page(page, f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/")
    add_question = page.locator(
        "#panel-child-questions-question_editor-section button.c-sf-add-button"
    ).last
    add_question.focus()
    expect(add_question).to_be_focused()
    page.keyboard.press("Enter")
    picker = page.locator(STREAMFIELD_PICKER)
    expect(picker.get_by_role("option", name="True or false")).to_be_visible()
    page.audit.check_admin(within=STREAMFIELD_PICKER)
    picker.get_by_role("option", name="Scenario judgement").click()
    new = quiz.questions.count()
    expect(page.locator(f"#question_editor-{new}-value-options-1-value-text")).to_be_visible()
    # check_admin waits for the new question to finish sliding open and the picker to fade out.
    # Scrolled to the new question, the stream's "+" above it sits partly under the header:
    # check_admin sees the whole document, so that does not count against the button's size.
    page.audit.check_admin()


def test_auditor_reports(page, people, module, quiz):
    pass_quiz(person=people["staff"], quiz=quiz)
    assignment_create(module=module, due_on=timezone.localdate() - datetime.timedelta(days=3))

    sign_in(page, "ada.auditor", start_at="/admin/")
    page.audit.check_admin()
    for path in (
        "/admin/reports/completion/",
        "/admin/reports/overdue/",
        "/admin/reports/expiring/",
        "/admin/reports/clause-coverage/",
        "/admin/reports/item-analysis/",
        "/admin/reports/compliance-over-time/",
        "/admin/reports/most-missed-clauses/",
    ):
        _open_admin_page(page, path)


def test_administrator_pages(page, people):
    get_user_model().objects.create_superuser("root.admin", "root.admin@example.org", PASSWORD)
    sign_in(page, "root.admin", start_at="/admin/")
    page.audit.check_admin()
    for path in (
        "/admin/reports/failed-tasks/",
        "/admin/people/import/",
        "/admin/api-clients/",
        "/admin/users/",
        "/admin/groups/",
    ):
        _open_admin_page(page, path)


def test_an_excuse_covers_only_its_exact_rule_and_selector():
    violations = [
        {"id": "aria-input-field-name", "nodes": [{"target": ["#a"]}, {"target": ["#b"]}]},
        {"id": "color-contrast", "nodes": [{"target": ["#a"]}]},
    ]
    excused = (("aria-input-field-name", "#a", "why"),)
    assert without_excused(violations, excused) == [
        {"id": "aria-input-field-name", "nodes": [{"target": ["#b"]}]},
        {"id": "color-contrast", "nodes": [{"target": ["#a"]}]},
    ]
    # A rule with nothing left is not reported.
    assert without_excused(violations[1:], (("color-contrast", "#a", "why"),)) == []


def test_a_violation_report_names_what_is_in_the_way():
    violations = [
        {
            "id": "target-size",
            "impact": "serious",
            "help": "All touch targets must be 24px large",
            "helpUrl": "https://example.org/target-size",
            "nodes": [
                {
                    "target": ["#chooser > .w-dropdown__toggle"],
                    "failureSummary": "Fix any of the following:\n  partially obscured",
                    "any": [
                        {"relatedNodes": [{"target": [".w-minimap__collapse-all"]}]},
                        {"relatedNodes": [{"target": [".w-minimap__collapse-all"]}]},
                    ],
                    "none": [{"relatedNodes": [{"target": ["#footer"]}]}],
                }
            ],
        }
    ]
    assert violations_report("/admin/x/", violations).splitlines() == [
        "1 accessibility violation(s) on /admin/x/:",
        "- target-size (serious): All touch targets must be 24px large [https://example.org/target-size]",
        "    at #chooser > .w-dropdown__toggle",
        "      Fix any of the following:   partially obscured",
        "      related: #footer",
        "      related: .w-minimap__collapse-all",
    ]


def test_the_clause_chooser_in_a_module_step(page, people, module, clause):
    """The clause chooser opened from a step of a module: it is sent the module, lists the
    module's own documents first (marked "cited here"), names clauses by their document's short
    name, reference and heading, and passes axe; choosing one shows its short label."""
    from tests.factories import PolicyClauseFactory, PolicyDocumentFactory

    PolicyClauseFactory(
        document=PolicyDocumentFactory(title="Another policy", short_name="AAA guide"),
        reference="1.1",
        heading="Be kind online",
    )
    sign_in(page, "alex.author", start_at="/admin/")
    page.goto(f"/admin/pages/{module.pk}/edit/")
    _editors_named(page, len(RICH_TEXT_FIELDS))
    chooser = page.locator(".snippet-chooser").filter(has_text=f"{clause.reference} (v1)").first
    chooser.get_by_role("button", name="Actions").click()
    with page.expect_request(re.compile(r"/admin/snippets/choose/modules/policyclause/")) as sent:
        page.get_by_role("button", name="Choose another policy clause").filter(visible=True).click()
    assert f"module={module.pk}" in sent.value.url
    modal = page.locator(".modal-content")
    rows = modal.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("(cited here)")
    expect(rows.first).to_contain_text(f"{clause.reference} {clause.heading}")
    expect(rows.nth(1)).to_contain_text("AAA guide")
    page.audit.check_admin(within=".modal-content")
    rows.nth(1).get_by_role("link").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_text("AAA guide 1.1 (v1): Be kind online")).to_have_count(1)


def test_an_author_restores_a_withdrawn_question_by_keyboard(page, people, quiz):
    """The withdrawals waiting for review, listed under the quiz's questions: readable, checked
    by axe, and a withdrawal undone with the keyboard alone."""
    withdrawn = quiz.questions.order_by("sort_order").first()
    withdrawn.withdrawn = True
    withdrawn.save_revision(user=people["author"].user)

    sign_in(page, "alex.author", start_at="/admin/")
    _open_admin_page(page, f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/")
    restore = page.get_by_role("checkbox", name=re.compile(re.escape(withdrawn.text)))
    expect(restore).to_be_visible()
    expect(page.get_by_text("Withdrawn, waiting for review")).to_be_visible()
    restore.focus()
    page.keyboard.press("Space")
    expect(restore).to_be_checked()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Save draft").press("Enter")
    page.audit.check_admin()
    expect(page.get_by_text("Withdrawn, waiting for review")).to_have_count(0)
    withdrawn.refresh_from_db()
    assert not withdrawn.get_latest_revision_as_object().withdrawn


def test_the_folded_minimap_in_a_short_window(new_page, people, quiz):
    """In a short window (a laptop's, with its browser bars, zoomed in) the quiz editor's folded
    minimap is longer than the window. Folded, its links are out of the tab order, so a
    scrollable column of them is a region no keyboard can reach: it is clipped instead
    (lms/static/lms/admin.css), and unfolding it gives back a list of links the Tab key
    reaches."""
    page = new_page(height=420)
    sign_in(page, "alex.author", start_at=f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/")
    minimap = page.locator(".w-minimap__list")
    expect(minimap.get_by_role("link").first).to_be_attached()
    clipped = minimap.evaluate(
        "el => ({overflows: el.scrollHeight > el.clientHeight, overflow: getComputedStyle(el).overflowY})"
    )
    assert clipped == {"overflows": True, "overflow": "hidden"}, clipped
    page.audit.check_admin()

    page.locator("#w-minimap-toggle").click()
    expect(page.locator(".w-minimap--expanded")).to_be_visible()
    assert minimap.get_by_role("link").first.get_attribute("tabindex") is None
    assert minimap.evaluate("el => getComputedStyle(el).overflowY") == "auto"


def test_the_admin_check_sees_a_scrolled_editor_whole(page, people, quiz):
    """Wagtail's editor scrolls its main column, not the window, and a click can leave that
    column scrolled down and sideways. For axe, the check scrolls it back to its start and grows
    the window until the whole form is in it; afterwards the window is its own size again."""
    sign_in(page, "alex.author", start_at=f"/admin/snippets/quizzes/quiz/edit/{quiz.pk}/")
    main = page.locator("main")
    expect(page.locator("#question_editor-0-value-text")).to_be_visible()
    size = page.viewport_size
    main.evaluate("m => m.scrollTo({top: m.scrollHeight, left: 118, behavior: 'instant'})")
    scrolled = main.evaluate("m => ({top: m.scrollTop, left: m.scrollLeft})")
    assert scrolled["top"] > 0 and scrolled["left"] > 0, "the editor's column did not scroll"

    with page.audit._whole_document_in_view():
        seen = main.evaluate(
            "m => ({top: m.scrollTop, left: m.scrollLeft,"
            " formEnd: m.querySelector('form').getBoundingClientRect().bottom})"
        )
        assert (seen["top"], seen["left"]) == (0, 0)
        assert seen["formEnd"] <= page.viewport_size["height"]
        assert page.viewport_size["height"] > size["height"]
    assert page.viewport_size == size
    page.audit.check_admin()
