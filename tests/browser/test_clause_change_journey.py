"""An L&D author changes the meaning of a published clause, moves what cites the old version on to
the new one, and raises the policy document's version; each admin page passes the accessibility
checks."""

from django.urls import reverse

from modules.models import ClauseChange, PolicyClause
from quizzes.models import Option

from .steps import sign_in


def test_author_changes_a_clause_and_moves_its_citations(page, people, quiz, clause):
    revise_url = reverse("wagtailsnippets_modules_policyclause:revise", args=[clause.pk])
    sign_in(page, "alex.author", start_at=f"/accounts/login/?next={revise_url}")
    page.audit.check()

    page.get_by_label("A change of meaning", exact=False).check()
    page.get_by_label("Summary").fill("Now also needs a manager's agreement.")
    page.get_by_role("button", name="Publish version 2").click()
    page.wait_for_url(
        f"**{reverse('wagtailsnippets_modules_policyclause:citations', args=[clause.pk])}"
    )
    page.audit.check()
    new = PolicyClause.objects.get(reference=clause.reference, version=2)
    assert new.change == ClauseChange.CHANGE

    page.get_by_role("button", name="Move the ticked citations to version 2").click()
    page.get_by_text("Moved 1 module(s) and 3 question(s) to version 2").wait_for()
    page.audit.check()
    assert not Option.objects.filter(clause=clause).exists()

    page.goto(
        reverse("wagtailsnippets_modules_policydocument:raise_version", args=[clause.document_id])
    )
    page.audit.check()
    page.get_by_label("New version").fill("3.0")
    page.get_by_role("button", name="Publish the new version").click()
    page.get_by_text("is now version 3.0").wait_for()
    page.audit.check()
    assert PolicyClause.objects.get(reference=clause.reference, version=3).change == (
        ClauseChange.CORRECTION
    )
