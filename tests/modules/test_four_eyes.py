"""Four eyes: an author writes, a different reviewer publishes, for modules, quizzes and
questions. Nobody in either role can publish directly; approving the review publishes; nobody
approves what they wrote or submitted, even holding both roles. A module that counts towards base
competence goes live only with a published quiz that passes the content checks, and the review
screen says what publishing it does."""

import pytest

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowTask

from lms import roles
from modules.models import IndependentReviewTask, ModulePage
from modules.services import MODULE_WORKFLOW_NAME, module_index_ensure, roles_sync
from people.models import Person
from quizzes.models import Option, Question, SingleChoiceQuestion
from quizzes.selectors import quiz_bank, quiz_publish_problems
from quizzes.services import attempt_start
from tests.factories import (
    PolicyClauseFactory,
    QuizFactory,
    module_steps_finish,
    single_choice_create,
)

from .test_admin_authoring import _add_url, _module_form


@pytest.fixture
def index(db):
    return module_index_ensure()


def _submit_module(client, index, *, base_competence=False, slug="working-with-whatsapp"):
    form = _module_form(
        clause=PolicyClauseFactory(reference="4.3"),
        slug=slug,
        action="action-submit",
        base_competence=base_competence,
    )
    response = client.post(_add_url(index), form)
    assert response.status_code == 302
    return ModulePage.objects.get(slug=slug)


def _submit_base_competence_module(client, index):
    """A base-competence module is submitted once its quiz is published (the content checks
    refuse it before): the author saves a draft, the quiz is written and published, then the
    module is submitted."""
    clause = PolicyClauseFactory(reference="4.3")
    form = _module_form(clause=clause, base_competence=True)
    assert client.post(_add_url(index), form).status_code == 302
    page = ModulePage.objects.get(slug="working-with-whatsapp")
    quiz = _sound_quiz(module=page, clause=clause)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), {**form, "action-submit": "submit"}
    )
    assert response.status_code == 302
    page.refresh_from_db()
    return page, quiz


def _approve_url(page):
    return reverse(
        "wagtailadmin_pages:workflow_action",
        args=[page.pk, "approve", page.current_workflow_task_state.pk],
    )


def _assert_refused(response):
    """Wagtail's admin answers a PermissionDenied by sending the user to the dashboard."""
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def _task_actions(obj, user):
    return [name for name, *_ in obj.current_workflow_task.specific.get_actions(obj, user)]


def _sound_quiz(*, module, clause, live=True):
    """A quiz that passes the content checks: keys spread over the option positions."""
    quiz = QuizFactory(module=module, live=live)
    for number, correct_index in enumerate([0, 1, 2]):
        single_choice_create(
            quiz=quiz,
            clause=clause,
            text=f"Question {number}?",
            correct_index=correct_index,
            sort_order=number,
        )
    return quiz


# Roles and permissions


def test_neither_authors_nor_reviewers_may_publish_anything_directly(
    people, reviewer, author_reviewer
):
    for user in [people["author"].user, reviewer.user, author_reviewer.user]:
        assert user.has_perm("wagtailadmin.access_admin")
        for model in roles.REVIEWED_SNIPPET_MODELS["quizzes"]:
            assert not user.has_perm(f"quizzes.publish_{model}"), (user, model)
        for model in roles.REVIEWED_SNIPPET_MODELS["modules"]:
            assert not user.has_perm(f"modules.publish_{model}"), (user, model)
    assert not GroupPagePermission.objects.filter(
        group__name__in=[roles.AUTHORS, roles.REVIEWERS], permission__codename="publish_page"
    ).exists()
    # Reviewers read content; they do not write it.
    assert reviewer.user.has_perm("quizzes.view_quiz")
    assert not reviewer.user.has_perm("quizzes.change_quiz")
    assert not reviewer.user.has_perm("modules.change_policyclause")
    # Someone holding both roles writes as an author does.
    assert author_reviewer.user.has_perm("quizzes.change_quiz")


def test_roles_sync_takes_back_a_publish_right_and_replaces_the_authors_review_task(index):
    """A database from before four eyes: authors could publish pages and approved each other's."""
    groups = roles_sync()
    workflow = Workflow.objects.get(name=MODULE_WORKFLOW_NAME)
    legacy = GroupApprovalTask.objects.create(name="L&D review")
    legacy.groups.add(groups[roles.AUTHORS])
    WorkflowTask.objects.filter(workflow=workflow).update(task=legacy)
    IndependentReviewTask.objects.all().delete()
    GroupPagePermission.objects.create(
        group=groups[roles.AUTHORS],
        page=index.get_parent(),
        permission=GroupPagePermission._meta.get_field("permission").related_model.objects.get(
            codename="publish_page"
        ),
    )

    roles_sync()
    roles_sync()

    tasks = [task.specific for task in workflow.tasks]
    assert len(tasks) == 1 and isinstance(tasks[0], IndependentReviewTask)
    assert [group.name for group in tasks[0].groups.all()] == [roles.REVIEWERS]
    legacy.refresh_from_db()
    assert not legacy.active
    assert not GroupPagePermission.objects.filter(
        group=groups[roles.AUTHORS], permission__codename="publish_page"
    ).exists()


# Modules


def test_an_author_posting_publish_directly_only_saves_a_draft(people, client_for, index):
    client = client_for(people["author"])
    form = _module_form(clause=PolicyClauseFactory(reference="4.3"), action="action-publish")
    client.post(_add_url(index), form)
    page = ModulePage.objects.get(slug="working-with-whatsapp")
    assert not page.live and page.live_revision is None

    # The editor offers no Publish button either.
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'name="action-publish"' not in html
    assert 'name="action-submit"' in html


def test_a_reviewer_approves_an_authors_module_and_that_publishes_it(
    people, reviewer, client_for, index
):
    page = _submit_module(client_for(people["author"]), index)
    assert not page.live
    assert _task_actions(page, people["author"].user) == []
    assert "approve" in _task_actions(page, reviewer.user)

    response = client_for(reviewer).post(_approve_url(page), {"comment": ""})

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and page.live_revision.user == people["author"].user


def test_someone_with_both_roles_cannot_approve_their_own_submission(
    author_reviewer, reviewer, client_for, index
):
    page = _submit_module(client_for(author_reviewer), index)
    assert _task_actions(page, author_reviewer.user) == []

    # Not through the admin...
    response = client_for(author_reviewer).post(_approve_url(page), {"comment": ""})
    _assert_refused(response)
    # ...nor by any other caller of the task.
    task_state = page.current_workflow_task_state
    with pytest.raises(PermissionDenied):
        task_state.task.specific.on_action(task_state, author_reviewer.user, "approve")
    page.refresh_from_db()
    assert not page.live
    # It is not waiting for their review on their dashboard either.
    assert not IndependentReviewTask.objects.get().get_task_states_user_can_moderate(
        author_reviewer.user
    )

    # Another reviewer can.
    client_for(reviewer).post(_approve_url(page), {"comment": ""})
    page.refresh_from_db()
    assert page.live


def test_a_reviewer_who_edits_what_they_review_can_no_longer_approve_it(
    people, author_reviewer, client_for, index
):
    page = _submit_module(client_for(people["author"]), index)
    assert "approve" in _task_actions(page, author_reviewer.user)
    page.get_latest_revision_as_object().save_revision(user=author_reviewer.user)
    page.refresh_from_db()
    assert _task_actions(page, author_reviewer.user) == []


def test_a_superuser_must_not_approve_their_own_work_either(
    django_user_model, reviewer, client_for, index
):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    page = _submit_module(client_for_user(client_for, admin), index)
    assert _task_actions(page, admin) == []


def client_for_user(client_for, user):
    client = Client()
    client.force_login(user)
    return client


# Base competence


def test_a_new_module_does_not_count_towards_base_competence_unless_ticked(index):
    assert ModulePage._meta.get_field("base_competence").default is False
    assert ModulePage(title="New").base_competence is False


def test_a_base_competence_module_without_a_published_quiz_cannot_be_approved(
    people, reviewer, client_for, index
):
    page, quiz = _submit_base_competence_module(client_for(people["author"]), index)
    # Its quiz is taken offline while the module waits for review.
    quiz.live = False
    quiz.save()

    actions = _task_actions(page, reviewer.user)
    assert "approve" not in actions and "reject" in actions
    response = client_for(reviewer).post(_approve_url(page), {"comment": ""})
    _assert_refused(response)
    page.refresh_from_db()
    assert not page.live

    # The review screen says why.
    html = client_for(reviewer).get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert "needs a published quiz" in html.content.decode()


def test_a_module_that_does_not_teach_what_its_quiz_asks_cannot_be_submitted(
    people, client_for, index
):
    client = client_for(people["author"])
    form = _module_form(clause=PolicyClauseFactory(reference="4.3"), base_competence=True)
    client.post(_add_url(index), form)
    page = ModulePage.objects.get(slug="working-with-whatsapp")
    untaught = PolicyClauseFactory(reference="9.9")
    _sound_quiz(module=page, clause=untaught)

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), {**form, "action-submit": "submit"}
    )

    assert response.status_code == 200
    assert (
        f"tests {untaught.document.label}:9.9, which no step of the module teaches"
        in response.content.decode()
    )
    page.refresh_from_db()
    assert page.current_workflow_state is None


def test_a_superuser_publishing_directly_meets_the_same_rule(
    django_user_model, people, client_for, index
):
    author = client_for(people["author"])
    author.post(_add_url(index), _module_form(clause=PolicyClauseFactory(reference="4.3")))
    page = ModulePage.objects.get(slug="working-with-whatsapp")
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client = client_for_user(client_for, admin)
    form = _module_form(
        clause=PolicyClauseFactory(reference="4.4"), action="action-publish", base_competence=True
    )

    response = client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), form, follow=True)

    page.refresh_from_db()
    assert not page.live
    assert "needs a published quiz" in response.content.decode()


def test_a_draft_quiz_or_one_failing_the_content_checks_does_not_count(clause, index):
    from tests.factories import module_page_create

    module = module_page_create(clause=clause, slug="m", base_competence=True)
    quiz = _sound_quiz(module=module, clause=clause, live=False)
    assert "needs a published quiz" in quiz_publish_problems(module=module)[0]

    quiz.live = True
    quiz.save()
    assert quiz_publish_problems(module=module) == []

    # Every key in the first position: "always pick the first" would pass.
    for question in SingleChoiceQuestion.objects.filter(quiz=quiz):
        Option.objects.filter(question=question).update(is_correct=False)
        Option.objects.filter(question=question, sort_order=0).update(is_correct=True)
    problems = quiz_publish_problems(module=module)
    assert problems and "fails the content checks" in problems[0]

    module.base_competence = False
    assert quiz_publish_problems(module=module) == []


def test_a_base_competence_module_with_a_sound_quiz_is_approved_and_the_effect_shown(
    people, reviewer, client_for, index
):
    page, _ = _submit_base_competence_module(client_for(people["author"]), index)

    html = client_for(reviewer).get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    text = html.content.decode()
    # Every current person in the organisation must now complete it; none has yet. Nobody had
    # anything assigned before (no other module), so there was no figure.
    count = Person.objects.filter(left_on__isnull=True).count()
    assert f"assigns it to {count} people; compliance goes from no figure to 0 %" in text

    assert "approve" in _task_actions(page, reviewer.user)
    client_for(reviewer).post(_approve_url(page), {"comment": ""})
    page.refresh_from_db()
    assert page.live


def test_the_effect_names_the_fall_in_compliance(people, index, clause):
    from tests.factories import module_certificate_for, module_page_create, quiz_for
    from tracking.reports import module_publish_effect

    established = module_page_create(clause=clause, slug="established")
    quiz = quiz_for(module=established, clause=clause)
    for person in people.values():
        module_certificate_for(person=person, quiz=quiz)
    new = module_page_create(clause=clause, slug="new", base_competence=False)
    new.base_competence = True

    effect = module_publish_effect(module=new)

    assert effect.newly_assigned == len(people)
    assert effect.percent_before == 100 and effect.percent_after == 0
    assert effect.sentence() == (
        f"Publishing this version assigns it to {len(people)} people; compliance falls from "
        "100 % to 0 %."
    )


# Quizzes and questions


def test_an_author_cannot_publish_a_quiz_and_a_reviewer_approves_it(
    people, reviewer, author_reviewer, client_for, module, clause
):
    quiz = _sound_quiz(module=module, clause=clause, live=False)
    author = people["author"].user
    edit_url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])

    html = client_for(people["author"]).get(edit_url).content.decode()
    assert 'name="action-publish"' not in html

    # Wagtail treats a publish it does not allow as a plain save; nothing goes live.
    client_for(people["author"]).post(edit_url, {"action-publish": "action-publish"})
    quiz.refresh_from_db()
    assert not quiz.live

    quiz.save_revision(user=author)
    quiz.get_workflow().start(quiz, author)
    assert _task_actions(quiz, author) == []
    approve_url = reverse(
        "wagtailsnippets_quizzes_quiz:workflow_action",
        args=[quiz.pk, "approve", quiz.current_workflow_task_state.pk],
    )
    _assert_refused(client_for(people["author"]).post(approve_url, {"comment": ""}))

    client_for(reviewer).post(approve_url, {"comment": ""})
    quiz.refresh_from_db()
    assert quiz.live


def test_questions_share_the_review_workflow_and_keep_their_subclass_in_revisions(
    people, reviewer, quiz
):
    question = Question.objects.filter(quiz=quiz).first()
    assert isinstance(question, SingleChoiceQuestion)
    assert question.get_workflow().name == MODULE_WORKFLOW_NAME
    question.text = "Reworded?"
    revision = question.save_revision(user=people["author"].user)
    restored = revision.as_object()
    assert isinstance(restored, SingleChoiceQuestion)
    assert restored.text == "Reworded?" and len(restored.options.all()) == 3


def test_learners_only_ever_get_live_questions(people, quiz, clause):
    staff = people["staff"]
    module_steps_finish(person=staff, module=quiz.module)
    draft = single_choice_create(quiz=quiz, clause=clause, text="Draft question?", sort_order=9)
    draft.live = False
    draft.save()
    # An unpublished edit of a live question stays in its revisions.
    live_question = SingleChoiceQuestion.objects.filter(quiz=quiz).first()
    live_question.text = "Edited but not approved?"
    live_question.save_revision(user=people["author"].user)

    assert draft.pk not in [entry.id for entry in quiz_bank(quiz=quiz)]
    attempt = attempt_start(person=staff, quiz=quiz)
    shown = [question["text"] for question in attempt.questions]
    assert "Draft question?" not in shown
    assert "Edited but not approved?" not in shown
    assert {q["id"] for q in attempt.questions} == set(
        Question.objects.filter(quiz=quiz, live=True).values_list("pk", flat=True)
    )


def test_a_quiz_that_is_not_live_cannot_be_started(people, quiz):
    from quizzes.services import AttemptError

    quiz.live = False
    quiz.save()
    with pytest.raises(AttemptError):
        attempt_start(person=people["staff"], quiz=quiz)


def test_reviewers_group_exists_with_the_role_name(role_groups):
    assert Group.objects.filter(name=roles.REVIEWERS).exists()


def test_policy_clauses_go_through_the_same_review(people, reviewer, client_for):
    from lms.audit import CONTENT_PUBLISHED
    from lms.models import AuditEvent

    author = people["author"].user
    clause = PolicyClauseFactory(reference="4.3", heading="Original")
    clause.heading = "Reworded"
    clause.save_revision(user=author)
    clause.get_workflow().start(clause, author)
    assert _task_actions(clause, author) == []
    approve_url = reverse(
        "wagtailsnippets_modules_policyclause:workflow_action",
        args=[clause.pk, "approve", clause.current_workflow_task_state.pk],
    )
    _assert_refused(client_for(people["author"]).post(approve_url, {"comment": ""}))
    clause.refresh_from_db()
    assert clause.heading == "Original"

    client_for(reviewer).post(approve_url, {"comment": ""})
    clause.refresh_from_db()
    assert clause.heading == "Reworded"
    event = AuditEvent.objects.filter(action=CONTENT_PUBLISHED).latest("pk")
    assert event.actor_id == reviewer.user.pk and "submitted by alex.author" in event.summary
