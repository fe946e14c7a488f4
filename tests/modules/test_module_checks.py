"""Checks as you write, in the module editor: warnings while drafting, refusals on submitting."""

import pytest

from django.urls import reverse

from modules.models import ModulePage
from modules.services import policy_clause_revise
from tests.factories import PolicyClauseFactory
from tests.modules.test_admin_authoring import _add_url, _module_form

BASE_COMPETENCE_WITHOUT_QUIZ = "needs a published quiz before it is published"


@pytest.fixture
def index(db):
    from modules.services import module_index_ensure

    return module_index_ensure()


@pytest.fixture
def author_client(people, client_for, index):
    return client_for(people["author"])


def _edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def _draft(author_client, index, clause, **form):
    response = author_client.post(_add_url(index), _module_form(clause=clause, **form))
    assert response.status_code == 302
    return ModulePage.objects.get(slug="working-with-whatsapp")


def _checks_panel(html):
    start = html.index("data-content-checks")
    return html[start : html.index("</div>", start)]


@pytest.mark.django_db
def test_a_draft_shows_its_problems_as_warnings_and_saving_it_is_never_refused(
    author_client, index
):
    clause = PolicyClauseFactory(reference="4.3")
    page = _draft(author_client, index, clause, base_competence=True)
    panel = _checks_panel(author_client.get(_edit_url(page)).content.decode())
    assert BASE_COMPETENCE_WITHOUT_QUIZ in panel
    # Saving the draft again goes through.
    response = author_client.post(
        _edit_url(page), _module_form(clause=clause, base_competence=True)
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["action-submit", "action-publish"])
def test_submitting_a_module_with_problems_is_refused_with_them_listed(
    author_client, index, action
):
    clause = PolicyClauseFactory(reference="4.3")
    page = _draft(author_client, index, clause)
    response = author_client.post(
        _edit_url(page), _module_form(clause=clause, base_competence=True, action=action)
    )
    assert response.status_code == 200  # the editor again, not a redirect
    assert BASE_COMPETENCE_WITHOUT_QUIZ in response.content.decode()
    page.refresh_from_db()
    assert page.current_workflow_state is None and not page.live
    assert not page.base_competence  # nothing of the refused form was saved


@pytest.mark.django_db
def test_creating_and_submitting_at_once_is_refused_too(author_client, index):
    clause = PolicyClauseFactory(reference="4.3")
    response = author_client.post(
        _add_url(index), _module_form(clause=clause, base_competence=True, action="action-submit")
    )
    assert response.status_code == 200
    assert BASE_COMPETENCE_WITHOUT_QUIZ in response.content.decode()
    assert not ModulePage.objects.filter(slug="working-with-whatsapp").exists()


@pytest.mark.django_db
def test_a_module_without_problems_is_submitted_into_the_review_workflow(author_client, index):
    clause = PolicyClauseFactory(reference="4.3")
    page = _draft(author_client, index, clause)
    panel = _checks_panel(author_client.get(_edit_url(page)).content.decode())
    assert "find nothing to put right" in panel
    response = author_client.post(
        _edit_url(page), _module_form(clause=clause, action="action-submit")
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.current_workflow_state.status == "in_progress"


@pytest.mark.django_db
def test_a_step_citing_a_replaced_clause_version_is_warned_and_refused_on_submit(
    author_client, index
):
    clause = PolicyClauseFactory(reference="4.3", heading="Consent")
    page = _draft(author_client, index, clause)
    policy_clause_revise(clause=clause, heading="Consent, revised", summary="New.", user=None)
    clause.refresh_from_db()
    # The carry-through moved the saved draft on; the author's open form still cites v1.
    response = author_client.post(
        _edit_url(page), _module_form(clause=clause, action="action-submit")
    )
    assert response.status_code == 200
    assert "Step 2 cites" in response.content.decode()
    assert "in a replaced version (v1)" in response.content.decode()
    page.refresh_from_db()
    assert page.current_workflow_state is None
