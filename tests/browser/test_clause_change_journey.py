"""An L&D author proposes a change of meaning to a published clause, a reviewer approves it, the
author moves what cites the old version on to the new one, and an administrator raises the
policy document's version; each admin page passes the accessibility checks."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from modules.models import ClauseChange, PolicyClause
from quizzes.models import Option

from .steps import PASSWORD, sign_in


def test_author_changes_a_clause_and_moves_its_citations(page, people, reviewer, quiz, clause):
    revise_url = reverse("wagtailsnippets_modules_policyclause:revise", args=[clause.pk])
    sign_in(page, "alex.author", start_at=f"/accounts/login/?next={revise_url}")
    page.audit.check()

    page.get_by_label("A change of meaning", exact=False).check()
    page.get_by_label("Summary").fill("Now also needs a manager's agreement.")
    page.get_by_role("button", name="Submit version 2 for review").click()
    page.wait_for_url(
        f"**{reverse('wagtailsnippets_modules_policyclause:citations', args=[clause.pk])}"
    )
    page.get_by_text("is submitted for review").wait_for()
    page.audit.check()
    new = PolicyClause.objects.get(reference=clause.reference, version=2)
    assert new.change == ClauseChange.CHANGE and not new.live

    # A reviewer approves it (the approval screens are Wagtail's, tested in test_four_eyes.py).
    task_state = new.current_workflow_task_state
    task_state.task.specific.on_action(task_state, reviewer.user, "approve")
    new.refresh_from_db()
    assert new.live
    page.reload()

    page.get_by_role("button", name="Move the ticked citations to version 2").click()
    page.get_by_text("Moved 1 module(s) and 3 question(s) to version 2").wait_for()
    page.audit.check()
    assert not Option.objects.filter(clause=clause).exists()

    # Raising the document's version publishes every clause at once: an administrator's act.
    get_user_model().objects.create_superuser("root.admin", "root.admin@example.org", PASSWORD)
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    raise_url = reverse(
        "wagtailsnippets_modules_policydocument:raise_version", args=[clause.document_id]
    )
    sign_in(page, "root.admin", start_at=f"/accounts/login/?next={raise_url}")
    page.audit.check()
    page.get_by_label("New version").fill("3.0")
    page.get_by_role("button", name="Publish the new version").click()
    page.get_by_text("is now version 3.0").wait_for()
    page.audit.check()
    assert PolicyClause.objects.get(reference=clause.reference, version=3).change == (
        ClauseChange.CORRECTION
    )
