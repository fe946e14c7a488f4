"""Page-type rules, the catalogue, and the author's preview of a module."""

import json

import pytest

from django.test import RequestFactory
from django.urls import reverse

from wagtail.models import Page

from modules.models import ModuleIndexPage, ModulePage
from modules.services import module_index_ensure
from tests.factories import PolicyClauseFactory, QuizFactory, default_steps, module_page_create


@pytest.mark.django_db
def test_page_type_rules():
    root = Page.get_first_root_node()
    index = module_index_ensure()
    module = module_page_create(clause=PolicyClauseFactory())

    assert ModuleIndexPage.allowed_parent_page_models() == [Page]
    assert ModuleIndexPage.allowed_subpage_models() == [ModulePage]
    assert ModulePage.allowed_parent_page_models() == [ModuleIndexPage]
    assert ModulePage.allowed_subpage_models() == []

    assert ModulePage.can_create_at(index)
    assert not ModulePage.can_create_at(root)
    assert not ModulePage.can_create_at(module)
    # One catalogue: a second index cannot be created anywhere.
    assert not ModuleIndexPage.can_create_at(root)
    assert not ModuleIndexPage.can_create_at(index)


@pytest.mark.django_db
def test_the_catalogue_is_the_site_root_and_lists_live_modules_only(people, client_for):
    clause = PolicyClauseFactory()
    live = module_page_create(clause=clause)
    index = module_index_ensure()
    draft = index.add_child(
        instance=ModulePage(
            title="Not yet",
            slug="not-yet",
            summary="Draft.",
            live=False,
            steps=json.dumps(default_steps(clause=clause)),
        )
    )

    response = client_for(people["staff"]).get("/learn/")

    page = response.content.decode()
    assert response.status_code == 200
    assert live.title in page and draft.title not in page
    assert live.url == "/learn/whatsapp/"


@pytest.mark.django_db
def test_modules_need_a_login(client, module):
    response = client.get(module.url)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def _preview(page, user):
    request = RequestFactory().get("/")
    request.user = user
    response = page.serve_preview(request, page.default_preview_mode)
    response.render()
    return response.content.decode()


@pytest.mark.django_db
def test_preview_shows_the_overview_and_every_step_with_the_feedback_of_every_choice(people):
    clause = PolicyClauseFactory(reference="4.3")
    steps = default_steps(clause=clause)
    steps.insert(
        1,
        {"type": "policy_extract", "value": {"clause": clause.pk, "commentary": "Why it matters."}},
    )
    steps.append(
        {
            "type": "key_rules",
            "value": {
                "heading": "Remember",
                "rules": [{"text": "Consent first.", "clause": clause.pk}],
            },
        }
    )
    module = module_page_create(clause=clause, steps=steps)
    QuizFactory(module=module, pass_mark=75)

    html = _preview(module, people["author"].user)

    assert module.title in html and module.summary in html
    for number in range(1, 6):
        assert f"Step {number} of 5" in html
    assert (
        "Meet Jade" in html
        and "Why it matters." in html
        and "Think" in html
        and "Consent first." in html
    )
    # Both choices, which is policy-correct, and each consequence, feedback and citation.
    assert "Choice 1: Agree once a parent consents in writing" in html
    assert "Choice 2: Agree straight away" in html
    assert (
        html.count("Policy-correct</strong>") == 1
        and html.count("Not policy-correct</strong>") == 1
    )
    assert "You record consent." in html and "Your manager raises it." in html
    assert "under-16s need a parent" in html and "Not without a parent" in html
    assert html.count("clause 4.3") >= 4  # extract, two choices, key rule
    assert "pass mark 75%" in html
    assert 'type="radio"' not in html  # nothing to answer in a preview
    assert html.count("<h1") == 1  # the module title; every step heading sits below it
    assert '<h2 class="govuk-heading-l">Meet Jade</h2>' in html


@pytest.mark.django_db
def test_preview_of_an_unsaved_draft_shows_its_branches(people):
    clause = PolicyClauseFactory()
    steps = default_steps(clause=clause)
    later = json.loads(json.dumps(steps[1]))
    later["value"].update(key="d2", heading="Later decision")
    steps[1]["value"]["choices"][1]["branch_to"] = "d2"
    draft = ModulePage(
        title="Draft module", slug="draft", summary="S", steps=json.dumps(steps + [later])
    )

    html = _preview(draft, people["author"].user)

    assert '<a class="govuk-link" href="#step-4">Step 4</a> (decision “d2”)' in html
    assert "This module has no quiz yet" in html


@pytest.mark.django_db
def test_an_author_previews_a_draft_from_the_admin(people, client_for, module):
    module.title = "Revised title in a draft"
    module.save_revision(user=people["author"].user)

    response = client_for(people["author"]).get(
        reverse("wagtailadmin_pages:view_draft", args=[module.pk])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Revised title in a draft" in html and "Choice 2: Agree straight away" in html
