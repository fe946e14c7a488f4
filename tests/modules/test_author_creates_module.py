"""An L&D author builds a module in the Wagtail admin: a narrative step and a decision citing a clause."""

from django.urls import reverse

from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from modules.models import ModuleIndexPage, ModulePage
from modules.services import module_index_ensure


def test_author_creates_a_module_in_the_admin_and_submits_it_for_review(client_for, people, clause):
    index = module_index_ensure()
    client = client_for(people["author"])
    url = reverse("wagtailadmin_pages:add", args=["modules", "modulepage", index.pk])
    assert client.get(url).status_code == 200
    data = nested_form_data(
        {
            "title": "Privacy settings",
            "slug": "privacy-settings",
            "summary": "Check your settings often.",
            "learning_outcomes": rich_text("<ul><li>Know what not to post</li></ul>"),
            "estimated_minutes": 15,
            "validity_months": 12,
            # Not part of base competence: such a module is submitted only once its quiz is
            # published (tests/modules/test_module_checks.py).
            "base_competence": "",
            "steps": streamfield(
                [
                    (
                        "narrative",
                        {
                            "heading": "Why it matters",
                            "body": rich_text("<p>Platforms reset settings.</p>"),
                            "image": "",
                            "image_alt": "",
                        },
                    ),
                    (
                        "decision",
                        {
                            "key": "d1",
                            "heading": "A friend request",
                            "situation": rich_text(
                                "<p>A parent in a case sends you a friend request.</p>"
                            ),
                            "choices": streamfield(
                                [
                                    (
                                        "item",
                                        {
                                            "text": "Decline it",
                                            "consequence": "Nothing happens.",
                                            "feedback": "Right.",
                                            "clause": clause.pk,
                                            "is_correct": "on",
                                            "branch_to": "",
                                        },
                                    ),
                                    (
                                        "item",
                                        {
                                            "text": "Accept it",
                                            "consequence": "A complaint follows.",
                                            "feedback": "Wrong.",
                                            "clause": clause.pk,
                                            "branch_to": "",
                                        },
                                    ),
                                ]
                            ),
                        },
                    ),
                ]
            ),
            "action-submit": "submit",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = ModulePage.objects.get(slug="privacy-settings")
    # Four eyes: it waits for a reviewer (tests/modules/test_four_eyes.py).
    assert not page.live and page.current_workflow_state is not None
    assert [step.block_type for step in page.steps] == ["narrative", "decision"]
    choices = page.steps[1].value["choices"]
    assert choices[0]["clause"] == clause and choices[0]["is_correct"]
    assert ModuleIndexPage.objects.count() == 1


def test_a_decision_without_exactly_one_correct_choice_is_refused(client_for, people, clause):
    index = module_index_ensure()
    client = client_for(people["author"])
    url = reverse("wagtailadmin_pages:add", args=["modules", "modulepage", index.pk])
    choice = {
        "text": "Either",
        "consequence": "-",
        "feedback": "-",
        "clause": clause.pk,
        "branch_to": "",
    }
    data = nested_form_data(
        {
            "title": "Broken",
            "slug": "broken",
            "summary": "x",
            "learning_outcomes": rich_text(""),
            "estimated_minutes": 5,
            "validity_months": 12,
            "steps": streamfield(
                [
                    (
                        "decision",
                        {
                            "key": "d1",
                            "heading": "h",
                            "situation": rich_text("<p>s</p>"),
                            "choices": streamfield([("item", choice), ("item", choice)]),
                        },
                    )
                ]
            ),
            "action-publish": "publish",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Mark exactly one choice" in response.content.decode()
    assert not ModulePage.objects.filter(slug="broken").exists()
