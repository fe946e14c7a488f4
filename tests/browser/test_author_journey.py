"""An L&D author edits a module's decision in the Wagtail admin, previews it and submits it for
review; once a reviewer approves it, staff who start afterwards see the new text, while someone
part-way through keeps the version they began."""

import re

from django.urls import reverse

from lms import roles
from modules.services import module_progress_start
from people.services import person_create
from tests.factories import OrganisationFactory

from .keyboard import activate
from .steps import assert_refused, sign_in, sign_out

NEW_HEADING = "Jade asks to message you on WhatsApp at night"
NEW_FEEDBACK = "Right: a parent must agree in writing first for anyone under 16."


def _open_decision_step(page, module):
    """As staff: start the module and go on to its decision (step 2)."""
    page.goto(module.url)
    page.audit.check()
    activate(
        page, page.get_by_role("button", name=re.compile("Start module|Continue where you stopped"))
    )
    page.audit.check()
    if "/step/1/" in page.url:
        activate(page, page.get_by_role("button", name="Continue"))
        page.audit.check()
    assert page.url.endswith("/step/2/")


def test_author_edits_previews_and_publishes_a_decision(page, new_page, people, reviewer, module):
    # Outside base competence, so that its approval needs no quiz (tests/modules/test_four_eyes.py).
    module.base_competence = False
    module.save_revision().publish()
    # Someone starts the module before the edit: their run is pinned to the version they began.
    module_progress_start(person=people["staff"], module=module)

    sign_in(page, "alex.author", start_at=f"/accounts/login/?next=/admin/pages/{module.pk}/edit/")
    assert page.url.endswith(f"/admin/pages/{module.pk}/edit/")
    page.locator("#steps-1-value-heading").fill(NEW_HEADING)
    page.locator("#steps-1-value-choices-0-value-feedback").fill(NEW_FEEDBACK)

    # Preview: the side panel shows every step with the unsaved edit.
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("iframe[title='Preview']").first
    preview.get_by_role("heading", name=NEW_HEADING).wait_for()
    assert NEW_FEEDBACK in preview.locator("main").inner_text()
    page.audit.check_frame(
        page.locator("iframe[title='Preview']").first.element_handle().content_frame()
    )

    # Four eyes: the author has no Publish; they submit it, and a reviewer approves it.
    page.get_by_role("button", name="More actions").click()
    assert page.get_by_role("button", name="Publish").count() == 0
    page.get_by_role("button", name="Submit to Module review").click()
    # The edit page's own address matches /admin/pages/N/ too: wait for the one submitting leads to.
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    module.refresh_from_db()
    assert module.live_revision is None or NEW_HEADING not in str(module.live_revision.content)
    task_state = module.current_workflow_task_state
    task_state.task.specific.on_action(task_state, reviewer.user, "approve")
    module.refresh_from_db()
    assert NEW_HEADING in str(module.live_revision.content)

    # The author may not see the other roles' pages.
    page.goto("/")
    page.audit.check()
    assert_refused(page, reverse("team_dashboard"), reverse("certificates:auditor_list"))
    sign_out(page)

    # A member of staff who joins after publishing sees the new decision and its feedback.
    person_create(
        username="nia.new",
        first_name="Nia",
        last_name="New",
        email="nia.new@example.org",
        password="correct-horse-battery",
        roles_held=[roles.STAFF],
        line_manager=people["manager"],
        organisation=OrganisationFactory(),
    )
    newcomer = new_page()
    sign_in(newcomer, "nia.new")
    _open_decision_step(newcomer, module)
    assert newcomer.get_by_role("heading", level=1).inner_text() == NEW_HEADING
    activate(
        newcomer,
        newcomer.get_by_label("Agree once a parent consents in writing"),
        key="Space",
        navigates=False,
    )
    activate(newcomer, newcomer.get_by_role("button", name="Confirm my choice"))
    newcomer.audit.check()
    assert NEW_FEEDBACK in newcomer.locator("#feedback").inner_text()

    # Whoever had already started keeps the decision as it was when they began.
    earlier = new_page()
    sign_in(earlier, "sam.staff")
    _open_decision_step(earlier, module)
    assert earlier.get_by_role("heading", level=1).inner_text() == "Jade asks to use WhatsApp"
