"""L&D authors write modules in the Wagtail admin: create, review, preview; and nothing else there."""

from datetime import timedelta
from io import StringIO

import pytest

from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from wagtail.admin.menu import admin_menu
from wagtail.models import Workflow, WorkflowPage
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from lms import roles
from modules.models import IndependentReviewTask, ModulePage
from modules.services import MODULE_WORKFLOW_NAME, module_index_ensure, roles_sync
from tests.factories import PolicyClauseFactory, QuizFactory


def _choice(text, *, clause, correct, branch_to=""):
    return {
        "text": text,
        "consequence": f"Then: {text}",
        "feedback": f"Because: {text}",
        "clause": clause.pk,
        "is_correct": "on" if correct else "",
        "branch_to": branch_to,
    }


def _list_block(items):
    data = {
        str(index): {"value": item, "deleted": "", "order": str(index), "id": ""}
        for index, item in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def _module_form(
    *,
    clause,
    title="Working with WhatsApp",
    slug="working-with-whatsapp",
    choices=None,
    action=None,
    base_competence=False,
    key="ask",
    decision_clause=None,
):
    if choices is None:
        choices = [
            _choice("Ask a parent for written consent", clause=clause, correct=True),
            _choice("Reply from your own phone", clause=clause, correct=False),
        ]
    data = nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "When you may use WhatsApp with a family.",
            "learning_outcomes": rich_text("<ul><li>When consent is needed</li></ul>"),
            "estimated_minutes": "15",
            "validity_months": "12",
            "base_competence": "on" if base_competence else "",
            "steps": streamfield(
                [
                    (
                        "narrative",
                        {
                            "heading": "Meet Jade",
                            "body": rich_text("<p>Jade is 14.</p>"),
                            "image": "",
                            "image_alt": "",
                        },
                    ),
                    (
                        "decision",
                        {
                            "key": key,
                            "heading": "Jade asks for your number",
                            "situation": rich_text("<p>Jade asks to message you.</p>"),
                            "choices": _list_block(choices),
                            "clause": decision_clause.pk if decision_clause else "",
                        },
                    ),
                ]
            ),
            "comments": inline_formset([]),
        }
    )
    if action:
        data[action] = action
    return data


@pytest.fixture
def index(db):
    return module_index_ensure()


@pytest.fixture
def author_client(people, client_for, index):
    return client_for(people["author"])


def _add_url(index):
    return reverse("wagtailadmin_pages:add", args=["modules", "modulepage", index.pk])


@pytest.mark.django_db
def test_an_author_creates_a_module_with_a_narrative_and_a_decision_citing_a_clause(
    people, author_client, index
):
    clause = PolicyClauseFactory(reference="4.3")
    assert author_client.get(_add_url(index)).status_code == 200

    response = author_client.post(_add_url(index), _module_form(clause=clause))

    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    page = ModulePage.objects.get(slug="working-with-whatsapp")
    assert page.get_parent().pk == index.pk
    assert not page.live  # saved as a draft
    assert [step.block_type for step in page.steps] == ["narrative", "decision"]
    decision = page.steps[1].value
    assert [choice["clause"] for choice in decision["choices"]] == [clause, clause]
    assert [choice["is_correct"] for choice in decision["choices"]] == [True, False]
    assert page.latest_revision.user == people["author"].user


@pytest.mark.django_db
def test_a_decision_left_without_a_key_gets_one_that_stays_on_every_save(author_client, index):
    clause = PolicyClauseFactory(reference="4.3")
    response = author_client.post(_add_url(index), _module_form(clause=clause, key=""))
    assert response.status_code == 302
    page = ModulePage.objects.get(slug="working-with-whatsapp")
    made = page.get_latest_revision_as_object().steps[1].value["key"]
    assert made == "jade-asks-for-your-number"

    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    # The edit screen shows the key made, so that a choice can branch to it...
    assert made in author_client.get(edit_url).content.decode()
    # ...and saving again (the form posts the key it showed) keeps it.
    assert author_client.post(edit_url, _module_form(clause=clause, key=made)).status_code == 302
    page.refresh_from_db()
    assert page.get_latest_revision_as_object().steps[1].value["key"] == made


@pytest.mark.django_db
def test_the_editor_refuses_a_decision_without_a_policy_correct_choice_and_keeps_the_input(
    author_client, index
):
    clause = PolicyClauseFactory(reference="4.3")
    form = _module_form(
        clause=clause,
        choices=[
            _choice("First", clause=clause, correct=False),
            _choice("Second", clause=clause, correct=False),
        ],
    )

    response = author_client.post(_add_url(index), form)

    assert response.status_code == 200
    assert not ModulePage.objects.filter(slug="working-with-whatsapp").exists()
    page = response.content.decode()
    assert "Mark exactly one choice as the policy-correct choice." in page
    assert "Reply from your own phone" not in page and "Second" in page


@pytest.mark.django_db
def test_the_editor_refuses_a_branch_to_a_decision_that_does_not_exist(author_client, index):
    clause = PolicyClauseFactory(reference="4.3")
    form = _module_form(
        clause=clause,
        choices=[
            _choice("First", clause=clause, correct=True),
            _choice("Second", clause=clause, correct=False, branch_to="later"),
        ],
    )

    response = author_client.post(_add_url(index), form)

    assert response.status_code == 200
    errors = response.context["form"].errors["steps"].as_data()[0].as_json_data()
    choice_errors = errors["blockErrors"][1]["blockErrors"]["choices"]["blockErrors"]
    assert choice_errors[1]["blockErrors"]["branch_to"]["messages"] == [
        "There is no decision with the key “later” in this module."
    ]
    assert not ModulePage.objects.filter(slug="working-with-whatsapp").exists()


@pytest.mark.django_db
def test_modules_go_through_review_before_they_are_published(
    people, reviewer, author_client, index
):
    clause = PolicyClauseFactory(reference="4.3")

    author_client.post(_add_url(index), _module_form(clause=clause, action="action-submit"))

    page = ModulePage.objects.get(slug="working-with-whatsapp")
    assert not page.live
    state = page.current_workflow_state
    assert state is not None and state.workflow.name == MODULE_WORKFLOW_NAME
    task_state = page.current_workflow_task_state
    assert task_state.task.name == "L&D review"

    assert "approve" in [
        action[0] for action in task_state.task.specific.get_actions(page, reviewer.user)
    ]
    # Neither the author who submitted it nor someone outside the L&D reviewers can approve.
    assert task_state.task.specific.get_actions(page, people["author"].user) == []
    assert task_state.task.specific.get_actions(page, people["manager"].user) == []
    task_state.task.specific.on_action(task_state, reviewer.user, "approve")
    page.refresh_from_db()
    assert page.live and page.live_revision is not None


@pytest.mark.django_db
def test_the_review_workflow_is_created_once_and_assigned_to_the_module_catalogue(index):
    roles_sync()
    roles_sync()
    module_index_ensure()

    workflow = Workflow.objects.get(name=MODULE_WORKFLOW_NAME)
    assert WorkflowPage.objects.get(page=index).workflow == workflow
    tasks = [task.specific for task in workflow.tasks]
    assert len(tasks) == 1 and isinstance(tasks[0], IndependentReviewTask)
    assert [group.name for group in tasks[0].groups.all()] == [roles.REVIEWERS]
    assert Workflow.objects.filter(name=MODULE_WORKFLOW_NAME).count() == 1
    assert IndependentReviewTask.objects.filter(name="L&D review").count() == 1


@pytest.mark.django_db
def test_a_workflow_assigned_by_hand_is_not_overridden(index):
    other = Workflow.objects.create(name="Legal review")
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": other})
    roles_sync()
    assert WorkflowPage.objects.get(page=index).workflow == other


@pytest.mark.django_db
def test_an_author_can_lock_a_module_and_see_its_revisions(people, author_client, module):
    module.save_revision(user=people["author"].user)
    response = author_client.post(reverse("wagtailadmin_pages:lock", args=[module.pk]))
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.locked and module.locked_by == people["author"].user

    history = author_client.get(reverse("wagtailadmin_pages:history", args=[module.pk]))
    assert history.status_code == 200
    first, latest = module.revisions.order_by("created_at")[:2]
    compare = author_client.get(
        reverse("wagtailadmin_pages:revisions_compare", args=[module.pk, first.pk, latest.pk])
    )
    assert compare.status_code == 200


@pytest.mark.django_db
def test_an_author_can_schedule_a_module_to_go_live(people, reviewer, author_client, index):
    clause = PolicyClauseFactory(reference="4.3")
    form = _module_form(clause=clause, action="action-submit")
    form["go_live_at"] = "2099-01-01 09:00"

    response = author_client.post(_add_url(index), form)

    assert response.status_code == 302
    page = ModulePage.objects.get(slug="working-with-whatsapp")
    # The reviewer's approval schedules it; it is not live yet.
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, reviewer.user, "approve")
    page.refresh_from_db()
    assert not page.live
    revision = page.latest_revision
    assert revision.approved_go_live_at is not None

    # The cron job (manage.py publish_scheduled) publishes it once the time has come.
    call_command("publish_scheduled", stdout=StringIO())
    page.refresh_from_db()
    assert not page.live
    # Time passes: move the scheduled moment into the past.
    past = timezone.now() - timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled", stdout=StringIO())
    page.refresh_from_db()
    assert page.live and page.live_revision_id == revision.pk


def _menu_names(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.name for item in admin_menu.menu_items_for_request(request)}


@pytest.mark.django_db
def test_authors_reach_modules_policies_and_quizzes_and_nothing_else(
    people, author_client, index, quiz
):
    names = _menu_names(people["author"].user)
    assert {"explorer", "policy-library", "quizzes"} <= names
    assert "settings" not in names and "users" not in names

    reachable = [
        reverse("wagtailadmin_explore", args=[index.pk]),
        reverse("wagtailsnippets_modules_policyclause:list"),
        reverse("wagtailsnippets_modules_policydocument:list"),
        reverse("wagtailsnippets_quizzes_quiz:list"),
        reverse("wagtailsnippets_quizzes_singlechoicequestion:list"),
        reverse("wagtailsnippets_quizzes_truefalsequestion:list"),
        reverse("wagtailadmin_pages:edit", args=[quiz.module.pk]),
    ]
    for url in reachable:
        assert author_client.get(url).status_code == 200, url

    out_of_reach = [
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_groups:index"),
        reverse("wagtailsites:index"),
        reverse("wagtailadmin_workflows:index"),
        reverse("wagtailredirects:index"),
    ]
    for url in out_of_reach:
        response = author_client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response.url == reverse("wagtailadmin_home"), url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "manager"])
def test_other_roles_have_no_admin(people, client_for, role):
    response = client_for(people[role]).get(reverse("wagtailadmin_home"))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.django_db
def test_auditors_reach_the_admin_for_reports_but_no_content(people, client_for, module):
    client = client_for(people["auditor"])
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    for url in [
        reverse("wagtailadmin_pages:edit", args=[module.pk]),
        reverse("wagtailsnippets_modules_policyclause:list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home"), url


@pytest.mark.django_db
def test_a_decisions_clause_is_chosen_once_and_cited_by_each_choice(author_client, index):
    clause = PolicyClauseFactory(reference="4.3")
    own = PolicyClauseFactory(reference="4.4")
    choices = [
        {**_choice("Ask a parent", clause=clause, correct=True), "clause": ""},
        {**_choice("Reply at once", clause=own, correct=False)},
    ]
    data = _module_form(clause=clause, choices=choices, decision_clause=clause)
    assert author_client.post(_add_url(index), data).status_code == 302
    decision = ModulePage.objects.get(slug="working-with-whatsapp").steps[1].value
    assert [choice["clause"] for choice in decision["choices"]] == [clause, own]

    # Neither the decision nor a choice: refused, saying which choice cites nothing.
    choices[1]["clause"] = ""
    data = _module_form(clause=clause, choices=choices, slug="second", title="Second")
    response = author_client.post(_add_url(index), data)
    assert response.status_code == 200
    assert "or one for each choice: choices 1 and 2 cite none." in response.content.decode()
    assert not ModulePage.objects.filter(slug="second").exists()


@pytest.mark.django_db
def test_the_admin_home_offers_authors_a_new_module_in_one_click(
    people, client_for, author_client, index
):
    home = author_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Write a module" in home
    assert f'href="{_add_url(index)}"' in home
    # Auditors reach the admin for reports, but may not add a module: no such panel for them.
    auditor_home = client_for(people["auditor"]).get(reverse("wagtailadmin_home"))
    assert auditor_home.status_code == 200
    assert "Write a module" not in auditor_home.content.decode()


@pytest.mark.django_db
def test_a_module_saved_without_a_quiz_says_so_with_the_way_to_create_it(author_client, index):
    clause = PolicyClauseFactory(reference="4.3")
    response = author_client.post(_add_url(index), _module_form(clause=clause), follow=True)
    module = ModulePage.objects.get(slug="working-with-whatsapp")
    html = response.content.decode().replace("&amp;", "&")
    assert "This module has no quiz yet." in html
    assert f"{reverse('wagtailsnippets_quizzes_quiz:add')}?module={module.pk}" in html

    QuizFactory(module=module)
    edit_url = reverse("wagtailadmin_pages:edit", args=[module.pk])
    again = author_client.post(edit_url, _module_form(clause=clause), follow=True)
    assert again.status_code == 200
    assert "This module has no quiz yet." not in again.content.decode()
