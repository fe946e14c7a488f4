"""An author edits a quiz's questions on the quiz's own screen, through the real admin POST: every
kind added, reordered, edited and deleted there, each question still a row of its own with its
revisions and review, and bad input refused with nothing saved."""

import random

import pytest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from lms import audit
from lms.models import AuditEvent
from quizzes.admin_forms import QuizAdminForm
from quizzes.kinds import KINDS
from quizzes.models import (
    MultipleResponseQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    ScenarioJudgementQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from quizzes.selectors import (
    quiz_bank,
    quiz_check_problems,
    quiz_draw_problems,
    quiz_drawable_bank,
    quiz_item_analysis,
    quiz_question_edit_problems,
    quiz_questions_editor_raw,
    quiz_questions_withdrawal_pending,
)
from quizzes.services import (
    attempt_submit,
    quiz_question_withdrawals_restore,
    quiz_questions_save,
)
from tests.factories import (
    PolicyClauseFactory,
    QuizFactory,
    attempt_begin,
    module_page_create,
    single_choice_create,
    submission_followed_up,
    true_false_create,
)
from tests.quizzes.answers import answers_for
from tests.quizzes.editor_post import question_editor_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_client(client_for, people):
    return client_for(people["author"])


def _settings(quiz, **overrides):
    return nested_form_data(
        {
            "module": quiz.module_id,
            "title": quiz.title,
            "pass_mark": quiz.pass_mark,
            "questions_per_attempt": "",
            "partial_credit": "all_or_nothing",
            "attempts_before_cooldown": "3",
            "cooldown_hours": "24",
            "time_limit_minutes": "",
            "grace_seconds": "60",
            "max_attempts": "",
            "review_after_failure": "wrong_questions",
            "review_after_pass": "full",
            "shuffle_questions": "on",
            "shuffle_options": "on",
            "topic_draws": inline_formset([]),
            **overrides,
        }
    )


def _shown(quiz):
    """The items as the edit screen starts with them."""
    return quiz_questions_editor_raw(quiz=Quiz.objects.get(pk=quiz.pk))


def _post(client, quiz, items, *, action=None, restore=(), **settings):
    data = {**_settings(quiz, **settings), **question_editor_post(items)}
    if restore:  # the withdrawn questions ticked to be restored (their pks)
        data["withdrawals_restore"] = [str(pk) for pk in restore]
    if action:
        data[action] = action
    return client.post(reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk]), data)


def _options(clause, entries, *, keyed=True):
    return [
        {
            "id": None,
            "value": {
                "text": text,
                **({"is_correct": correct} if keyed else {}),
                "feedback": f"Because of {text}",
                "clause": clause.pk,
            },
        }
        for text, correct in entries
    ]


def _new(kind, clause, text="A new question?"):
    common = {"text": text, "topic": "", "critical": False, "explanation": ""}
    values = {
        "single_choice": {"options": _options(clause, [("Yes", True), ("No", False)])},
        "multiple_response": {
            "partial_credit": "per_option",
            "options": _options(clause, [("A", True), ("B", True), ("C", False)]),
        },
        "true_false": {
            "answer": "false",
            "feedback_true": "Not so",
            "feedback_false": "Right",
            "clause": clause.pk,
        },
        "ordering": {"options": _options(clause, [("First", None), ("Second", None)], keyed=False)},
        "scenario_judgement": {
            "options": _options(clause, [("Tell them", True), ("Ignore it", False)])
        },
    }
    return {"type": kind, "id": None, "value": {**common, **values[kind]}}


def _revisions(question):
    return Revision.objects.filter(
        base_content_type__model="question", object_id=str(question.pk)
    ).count()


def _nothing_saved(quiz, before):
    assert _state(quiz) == before


def _state(quiz):
    questions = list(Question.objects.filter(quiz=quiz).order_by("pk"))
    return (
        [(question.pk, question.sort_order, question.latest_revision_id) for question in questions],
        Revision.objects.count(),
    )


def test_the_edit_screen_shows_every_question_in_the_editor(author_client, mixed_quiz):
    response = author_client.get(reverse("wagtailsnippets_quizzes_quiz:edit", args=[mixed_quiz.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="question_editor' in html
    for question in mixed_quiz.questions.all():
        assert f"question-{question.pk}" in html


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_question_of_each_kind_is_added_on_the_quiz_screen_as_a_draft(
    author_client, people, mixed_quiz, clause, kind
):
    kept = _shown(mixed_quiz)
    revisions_before = {
        question.pk: _revisions(question) for question in mixed_quiz.questions.all()
    }
    response = _post(author_client, mixed_quiz, [*kept, _new(kind, clause)])
    assert response.status_code == 302, response.content.decode()[:3000]
    new = Question.objects.filter(quiz=mixed_quiz, text="A new question?").get()
    assert new.question_type == kind and isinstance(new, KINDS[kind].model)
    # Never drawn until a reviewer publishes it; its history starts with the author's revision.
    assert not new.live and new.has_unpublished_changes
    assert new.latest_revision.user == people["author"].user
    assert new.sort_order == len(kept)
    assert AuditEvent.objects.filter(
        action=audit.CONTENT_PUBLISHED, target_id=str(new.pk), actor_id=people["author"].user.pk
    ).exists()
    snapshot = new.latest_revision.as_object().snapshot()
    assert len(snapshot["options"]) >= 2
    assert all(option["clause"]["id"] == clause.pk for option in snapshot["options"])
    # The questions nobody changed got no revision.
    for question in mixed_quiz.questions.exclude(pk=new.pk):
        assert _revisions(question) == revisions_before[question.pk]


def test_the_new_questions_keys_are_as_authored(author_client, mixed_quiz, clause):
    items = [_new(kind, clause, text=f"New {kind}") for kind in KINDS]
    assert _post(author_client, mixed_quiz, [*_shown(mixed_quiz), *items]).status_code == 302
    snapshots = {
        question.question_type: question.snapshot()
        for question in Question.objects.filter(quiz=mixed_quiz, text__startswith="New ")
    }
    assert [o["correct"] for o in snapshots["single_choice"]["options"]] == [True, False]
    assert [o["correct"] for o in snapshots["multiple_response"]["options"]] == [True, True, False]
    assert snapshots["multiple_response"]["partial_credit"] == "per_option"
    assert [(o["text"], o["position"]) for o in snapshots["ordering"]["options"]] == [
        ("First", 1),
        ("Second", 2),
    ]
    assert [o["appropriate"] for o in snapshots["scenario_judgement"]["options"]] == [True, False]
    assert [(o["id"], o["correct"]) for o in snapshots["true_false"]["options"]] == [
        ("true", False),
        ("false", True),
    ]


def test_reordering_moves_the_questions_without_a_revision(author_client, mixed_quiz):
    shown = _shown(mixed_quiz)
    revisions = Revision.objects.count()
    assert _post(author_client, mixed_quiz, list(reversed(shown))).status_code == 302
    order = list(
        Question.objects.filter(quiz=mixed_quiz).order_by("sort_order").values_list("pk", flat=True)
    )
    assert [f"question-{pk}" for pk in order] == [item["id"] for item in reversed(shown)]
    # Only the quiz's own draft was saved: the questions' words did not change.
    assert Revision.objects.count() == revisions + 1


@pytest.mark.parametrize("kind", list(KINDS))
def test_editing_a_live_question_of_each_kind_drafts_it(author_client, people, mixed_quiz, kind):
    for question in Question.objects.filter(quiz=mixed_quiz):
        question.get_real_instance().save_revision(user=None).publish()
    shown = _shown(mixed_quiz)
    item = next(item for item in shown if item["type"] == kind)
    question = Question.objects.get(pk=int(item["id"].removeprefix("question-")))
    live_text = question.text
    option_ids = sorted(question.options.values_list("pk", flat=True))
    item["value"]["text"] = "Reworded?"
    if "options" in item["value"]:
        item["value"]["options"][0]["value"]["feedback"] = "Better feedback"

    assert _post(author_client, mixed_quiz, shown).status_code == 302

    question.refresh_from_db()
    # Learners keep the published words until a reviewer publishes the draft.
    assert question.live and question.has_unpublished_changes and question.text == live_text
    draft = question.get_latest_revision_as_object()
    assert draft.text == "Reworded?"
    assert draft.latest_revision.user == people["author"].user
    if option_ids:
        # The options keep their rows: attempts' answers and item analysis still name them.
        assert sorted(option.pk for option in draft.options.all()) == option_ids
        first = min(draft.options.all(), key=lambda option: option.sort_order)
        assert first.feedback == "Better feedback"


def _withdrawn_in_draft(question):
    question = Question.objects.get(pk=question.pk)
    return question.has_unpublished_changes and question.get_latest_revision_as_object().withdrawn


def _editor_ids(quiz):
    return {int(item["id"].removeprefix("question-")) for item in _shown(quiz)}


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_administrator_removing_a_published_question_of_each_kind_withdraws_it_on_publishing(
    admin_client, mixed_quiz, kind
):
    # Whoever removes it, taking a question away from learners is a change to the quiz like any
    # other on this screen: a draft, published here by someone who may publish.
    shown = _shown(mixed_quiz)
    removed = next(item for item in shown if item["type"] == kind)
    removed_pk = int(removed["id"].removeprefix("question-"))
    kept = [item for item in shown if item is not removed]
    assert _post(admin_client, mixed_quiz, kept, action="action-publish").status_code == 302

    question = Question.objects.get(pk=removed_pk)  # the row stays: attempts name it
    assert question.withdrawn and question.live and not question.has_unpublished_changes
    assert removed_pk not in {entry.id for entry in quiz_bank(quiz=mixed_quiz)}
    assert len(quiz_bank(quiz=mixed_quiz)) == len(KINDS) - 1
    assert removed_pk not in _editor_ids(mixed_quiz)
    assert quiz_questions_withdrawal_pending(quiz=mixed_quiz) == []
    withdrew = AuditEvent.objects.get(action=audit.CONTENT_UNPUBLISHED)
    assert withdrew.summary.startswith("Withdrew ") and withdrew.target_id == str(removed_pk)


def test_an_author_removing_a_published_question_withdraws_it_in_a_draft(
    author_client, people, mixed_quiz
):
    single = SingleChoiceQuestion.objects.get(quiz=mixed_quiz)
    shown = _shown(mixed_quiz)
    shown[1]["value"]["text"] = "Reworded in the same save"
    assert _post(author_client, mixed_quiz, shown[1:]).status_code == 302

    single.refresh_from_db()
    # Learners are still asked it, as published, until a reviewer approves the withdrawal.
    assert single.live and not single.withdrawn and single.text == "Single?"
    assert _withdrawn_in_draft(single)
    assert single.latest_revision.user == people["author"].user
    assert single.pk in {entry.id for entry in quiz_bank(quiz=mixed_quiz)}
    assert Question.objects.get(quiz=mixed_quiz, text="Single?").live
    # The author's checks judge the bank as it will be, without it; the editor no longer offers it.
    assert single.pk not in {entry.id for entry in quiz_bank(quiz=mixed_quiz, as_written=True)}
    assert single.pk not in _editor_ids(mixed_quiz)
    assert [question.pk for question in quiz_questions_withdrawal_pending(quiz=mixed_quiz)] == [
        single.pk
    ]
    assert MultipleResponseQuestion.objects.get(quiz=mixed_quiz).has_unpublished_changes
    event = AuditEvent.objects.get(action=audit.CONTENT_UNPUBLISHED)
    assert event.summary.startswith('Withdrew single-choice question "Single?"')
    assert event.actor_id == people["author"].user.pk

    # The edit screen says which question leaves the quiz on approval, with a way to restore it.
    html = author_client.get(
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[mixed_quiz.pk])
    ).content.decode()
    assert "Withdrawn, waiting for review" in html
    assert f'name="withdrawals_restore" value="{single.pk}"' in html
    assert "Single? (single-choice question)" in html

    # Saving the editor again leaves the withdrawal as it is (it is not an item to re-save).
    assert _post(author_client, mixed_quiz, _shown(mixed_quiz)).status_code == 302
    assert _withdrawn_in_draft(single)
    assert Question.objects.filter(pk=single.pk).exists()


def test_the_edit_screen_lists_no_withdrawals_when_there_are_none(author_client, mixed_quiz):
    html = author_client.get(
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[mixed_quiz.pk])
    ).content.decode()
    assert "Withdrawn, waiting for review" not in html


def test_an_author_deletes_a_question_never_published(author_client, mixed_quiz, clause):
    shown = _shown(mixed_quiz)
    assert _post(author_client, mixed_quiz, [*shown, _new("true_false", clause)]).status_code == 302
    draft = Question.objects.get(quiz=mixed_quiz, live=False)
    shown = _shown(mixed_quiz)
    kept = [item for item in shown if item["id"] != f"question-{draft.pk}"]
    assert len(kept) == len(shown) - 1
    assert _post(author_client, mixed_quiz, kept).status_code == 302
    assert not Question.objects.filter(pk=draft.pk).exists()
    assert Question.objects.filter(quiz=mixed_quiz).count() == len(kept)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda value: value["options"].__delitem__(slice(1, None)),
            "The minimum number of items is 2",
        ),
        (
            lambda value: value["options"][0]["value"].update(is_correct=False),
            "Mark exactly one option as correct.",
        ),
        (
            # The options share the question's clause (the editor shows it once): removing it
            # leaves every option citing none.
            lambda value: value.update(clause=None),
            "Choose the clause the question rests on, or one for each option: options 1, 2 and 3 cite",
        ),
        (lambda value: value.update(text=""), "This field is required."),
    ],
    ids=["one option", "no keyed answer", "missing clause", "no text"],
)
def test_bad_input_is_refused_with_a_clear_error_and_saves_nothing(
    author_client, mixed_quiz, clause, change, message
):
    before = _state(mixed_quiz)
    shown = _shown(mixed_quiz)
    edited = next(item for item in shown if item["type"] == "single_choice")
    edited["value"]["text"] = "Reworded"
    change(edited["value"])
    new = _new("single_choice", clause)
    response = _post(author_client, mixed_quiz, [*shown, new], title="Renamed quiz")
    assert response.status_code == 200
    assert message in response.content.decode()
    _nothing_saved(mixed_quiz, before)
    assert Quiz.objects.get(pk=mixed_quiz.pk).title != "Renamed quiz"


@pytest.mark.parametrize("kind", ["multiple_response", "ordering", "single_choice"])
def test_the_questions_clause_is_cited_by_every_option_without_its_own(
    author_client, mixed_quiz, clause, kind
):
    other = PolicyClauseFactory(reference="9.9", heading="Another clause")
    new = _new(kind, clause)
    for option in new["value"]["options"]:
        option["value"]["clause"] = None
    new["value"]["options"][0]["value"]["clause"] = other.pk
    new["value"]["clause"] = clause.pk
    response = _post(author_client, mixed_quiz, [*_shown(mixed_quiz), new])
    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(quiz=mixed_quiz, text="A new question?")
    options = question.latest_revision.as_object().snapshot()["options"]
    cited = [option["clause"]["id"] for option in options]
    assert cited == [other.pk] + [clause.pk] * (len(cited) - 1)
    # Shown again, the options that differ name their own clause and the question none.
    shown = next(item for item in _shown(mixed_quiz) if item["id"] == f"question-{question.pk}")
    assert shown["value"]["clause"] is None
    assert [option["value"]["clause"] for option in shown["value"]["options"]] == cited


def test_a_clause_every_option_shares_is_shown_once_and_resaving_changes_nothing(
    author_client, mixed_quiz, clause
):
    new = _new("single_choice", clause)  # each option names the same clause
    assert _post(author_client, mixed_quiz, [*_shown(mixed_quiz), new]).status_code == 302
    question = Question.objects.get(quiz=mixed_quiz, text="A new question?")
    shown = next(item for item in _shown(mixed_quiz) if item["id"] == f"question-{question.pk}")
    assert shown["value"]["clause"] == clause.pk
    assert all(option["value"]["clause"] is None for option in shown["value"]["options"])
    # The same clause posted on the question and again on each option is the same question.
    for option in shown["value"]["options"]:
        option["value"]["clause"] = clause.pk
    revisions = _revisions(question)
    items = [shown if item["id"] == shown["id"] else item for item in _shown(mixed_quiz)]
    assert _post(author_client, mixed_quiz, items).status_code == 302
    assert _revisions(question) == revisions


@pytest.mark.parametrize("kind", ["multiple_response", "single_choice"])
def test_a_new_question_without_a_keyed_answer_is_refused(author_client, mixed_quiz, clause, kind):
    before = _state(mixed_quiz)
    new = _new(kind, clause)
    for option in new["value"]["options"]:
        option["value"]["is_correct"] = False
    response = _post(author_client, mixed_quiz, [*_shown(mixed_quiz), new])
    assert response.status_code == 200
    assert "option as correct." in response.content.decode()
    _nothing_saved(mixed_quiz, before)


@pytest.mark.parametrize(("answer", "stored"), [("true", True), ("false", False)])
def test_true_false_stores_the_answer_chosen(author_client, mixed_quiz, clause, answer, stored):
    new = _new("true_false", clause)
    new["value"]["answer"] = answer
    assert _post(author_client, mixed_quiz, [*_shown(mixed_quiz), new]).status_code == 302
    question = TrueFalseQuestion.objects.get(quiz=mixed_quiz, text="A new question?")
    assert question.correct_answer is stored
    assert question.latest_revision.as_object().correct_answer is stored


def test_true_false_without_a_choice_is_refused_not_taken_as_false(
    author_client, mixed_quiz, clause
):
    before = _state(mixed_quiz)
    new = _new("true_false", clause)
    new["value"]["answer"] = None
    response = _post(author_client, mixed_quiz, [*_shown(mixed_quiz), new])
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    _nothing_saved(mixed_quiz, before)


def test_the_true_false_answer_is_a_choice_of_true_or_false(author_client, mixed_quiz):
    html = author_client.get(
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[mixed_quiz.pk])
    ).content.decode()
    assert "Tick if the statement is true" not in html
    html = author_client.get(
        reverse("wagtailsnippets_quizzes_truefalsequestion:add")
    ).content.decode()
    assert 'type="radio" name="correct_answer" value="True"' in html
    assert 'type="radio" name="correct_answer" value="False"' in html


def test_the_true_false_snippet_form_refuses_no_choice(author_client, quiz, clause):
    data = {
        "quiz": quiz.pk,
        "text": "A statement",
        "topic": "",
        "explanation": "",
        "feedback_true": "T",
        "feedback_false": "F",
        "clause": clause.pk,
    }
    url = reverse("wagtailsnippets_quizzes_truefalsequestion:add")
    before = TrueFalseQuestion.objects.count()
    for action in ({}, {"action-submit": "submit"}):  # a draft as much as a submission
        response = author_client.post(url, {**data, **action})
        assert response.status_code == 200
        assert "This field is required." in response.content.decode()
        assert TrueFalseQuestion.objects.count() == before
    assert author_client.post(url, {**data, "correct_answer": "False"}).status_code == 302
    assert TrueFalseQuestion.objects.get(text="A statement").correct_answer is False


def test_another_quizs_question_cannot_be_edited_through_this_quiz(
    author_client, mixed_quiz, clause
):
    other_module = module_page_create(clause=clause, slug="other-module")
    other = single_choice_create(quiz=QuizFactory(module=other_module), clause=clause)
    before = _state(mixed_quiz)
    smuggled = _new("single_choice", clause)
    smuggled["id"] = f"question-{other.pk}"
    response = _post(author_client, mixed_quiz, [*_shown(mixed_quiz), smuggled])
    assert response.status_code == 200
    assert "is not one of this quiz&#x27;s questions" in response.content.decode()
    _nothing_saved(mixed_quiz, before)
    assert Question.objects.get(pk=other.pk).text == other.text


def test_a_question_cannot_change_its_type(author_client, mixed_quiz, clause):
    before = _state(mixed_quiz)
    shown = _shown(mixed_quiz)
    replacement = _new("multiple_response", clause)
    replacement["id"] = next(item["id"] for item in shown if item["type"] == "single_choice")
    shown = [item for item in shown if item["id"] != replacement["id"]]
    response = _post(author_client, mixed_quiz, [*shown, replacement])
    assert response.status_code == 200
    assert "cannot change its type" in response.content.decode()
    _nothing_saved(mixed_quiz, before)


def _locked_single_choice(quiz, *, by):
    """The quiz's single-choice question, locked by ``by`` (another author)."""
    question = SingleChoiceQuestion.objects.get(quiz=quiz)
    question.locked = True
    question.locked_by = by
    question.save()
    return question


def test_a_question_locked_by_another_author_is_not_changed(
    author_client, mixed_quiz, author_reviewer
):
    _locked_single_choice(mixed_quiz, by=author_reviewer.user)
    before = _state(mixed_quiz)
    shown = _shown(mixed_quiz)
    next(item for item in shown if item["type"] == "single_choice")["value"]["text"] = "Changed"
    response = _post(author_client, mixed_quiz, shown)
    assert response.status_code == 200
    assert "cannot be changed" in response.content.decode()
    _nothing_saved(mixed_quiz, before)


def test_a_settings_only_post_leaves_the_questions_alone(author_client, mixed_quiz):
    data = _settings(mixed_quiz, title="Renamed")
    url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[mixed_quiz.pk])
    assert author_client.post(url, data).status_code == 302
    assert Question.objects.filter(quiz=mixed_quiz).count() == len(KINDS)


def test_staff_and_auditors_cannot_post_questions(client_for, people, mixed_quiz, clause):
    before = _state(mixed_quiz)
    for role in ("staff", "auditor", "manager"):
        response = _post(
            client_for(people[role]), mixed_quiz, [*_shown(mixed_quiz), _new("ordering", clause)]
        )
        assert response.status_code in (302, 403)
        # Wagtail sends someone without the permission back to the dashboard (or the login).
        assert response.status_code == 403 or not response["Location"].endswith("/edit/")
    _nothing_saved(mixed_quiz, before)


def test_submitting_the_quiz_sends_its_drafted_questions_to_review(
    author_client, mixed_quiz, clause
):
    assert (
        _post(
            author_client,
            mixed_quiz,
            [*_shown(mixed_quiz), _new("scenario_judgement", clause)],
            action="action-submit",
        ).status_code
        == 302
    )
    new = ScenarioJudgementQuestion.objects.get(quiz=mixed_quiz, text="A new question?")
    assert new.workflow_in_progress and not new.live
    assert Quiz.objects.get(pk=mixed_quiz.pk).workflow_in_progress
    untouched = OrderingQuestion.objects.get(quiz=mixed_quiz)
    assert not untouched.workflow_in_progress


def test_publishing_the_quiz_publishes_its_drafted_questions(client, mixed_quiz, clause):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    shown = _shown(mixed_quiz)
    next(item for item in shown if item["type"] == "multiple_response")["value"]["text"] = "New"
    response = _post(
        client, mixed_quiz, [*shown, _new("true_false", clause)], action="action-publish"
    )
    assert response.status_code == 302
    new = TrueFalseQuestion.objects.get(quiz=mixed_quiz, text="A new question?")
    assert new.live and not new.has_unpublished_changes
    changed = MultipleResponseQuestion.objects.get(quiz=mixed_quiz)
    assert changed.text == "New" and not changed.has_unpublished_changes


def test_a_quiz_is_created_from_its_module_page(author_client, module, clause):
    edit_page = author_client.get(reverse("wagtailadmin_pages:edit", args=[module.pk]))
    add_url = f"{reverse('wagtailsnippets_quizzes_quiz:add')}?module={module.pk}"
    assert add_url.replace("?", "?") in edit_page.content.decode().replace("&amp;", "&")
    form = author_client.get(add_url)
    assert form.status_code == 200
    assert f"{module.title}: quiz" in form.content.decode()

    data = {
        **_settings(Quiz(module=module, title="Module quiz", pass_mark=80)),
        **question_editor_post(
            [_new("single_choice", clause), _new("true_false", clause, text="Statement")]
        ),
    }
    assert author_client.post(add_url, data).status_code == 302
    quiz = Quiz.objects.get(module=module)
    assert [question.text for question in quiz.questions.order_by("sort_order")] == [
        "A new question?",
        "Statement",
    ]
    edit_page = author_client.get(reverse("wagtailadmin_pages:edit", args=[module.pk]))
    assert (
        reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk]) in edit_page.content.decode()
    )


def test_the_quiz_screens_header_leads_to_its_preview_for_authors_only(
    author_client, client_for, people, mixed_quiz
):
    edit_url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[mixed_quiz.pk])
    header = author_client.get(edit_url).content.decode().split("</header>")[0]
    assert f'href="{reverse("quizzes:preview", args=[mixed_quiz.pk])}"' in header
    # An auditor reaches the admin but neither the quiz's screen nor its preview.
    assert client_for(people["auditor"]).get(edit_url).status_code in (302, 403)


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind != "true_false"])
def test_a_new_question_starts_with_the_two_options_it_needs(kind):
    assert len(KINDS[kind].editor_block().get_default()["options"]) == 2


def test_the_quizs_history_and_revision_comparison_still_open(author_client, mixed_quiz, clause):
    assert (
        _post(
            author_client, mixed_quiz, [*_shown(mixed_quiz), _new("ordering", clause)]
        ).status_code
        == 302
    )
    assert _post(author_client, mixed_quiz, _shown(mixed_quiz), title="Renamed").status_code == 302
    quiz = Quiz.objects.get(pk=mixed_quiz.pk)
    history = author_client.get(reverse("wagtailsnippets_quizzes_quiz:history", args=[quiz.pk]))
    assert history.status_code == 200
    first, latest = quiz.revisions.order_by("pk")[:2]
    compare = author_client.get(
        reverse(
            "wagtailsnippets_quizzes_quiz:revisions_compare",
            args=[quiz.pk, first.pk, latest.pk],
        )
    )
    assert compare.status_code == 200
    assert "Renamed" in compare.content.decode()


def _approve(content, user):
    task_state = content.current_workflow_task_state
    task_state.task.specific.on_action(task_state, user, "approve")


def test_approving_the_quiz_approves_the_questions_submitted_with_it(
    author_client, mixed_quiz, clause, reviewer
):
    # The reviewer judges the bank on the quiz's screen; approving the quiz publishes that bank,
    # each question through its own task (modules.handoffs.content_approved).
    shown = _shown(mixed_quiz)
    next(item for item in shown if item["type"] == "ordering")["value"]["text"] = "Reordered?"
    items = [*shown, _new("true_false", clause, text="Consent is needed?")]
    assert _post(author_client, mixed_quiz, items, action="action-submit").status_code == 302

    quiz = Quiz.objects.get(pk=mixed_quiz.pk)
    _approve(quiz, reviewer.user)

    quiz.refresh_from_db()
    assert quiz.live and not quiz.workflow_in_progress
    new = TrueFalseQuestion.objects.get(quiz=quiz, text="Consent is needed?")
    changed = OrderingQuestion.objects.get(quiz=quiz)
    for question in (new, changed):
        assert question.live and not question.has_unpublished_changes
        assert not question.workflow_in_progress
    assert changed.text == "Reordered?"
    approvals = AuditEvent.objects.filter(action=audit.CONTENT_PUBLISHED, actor_id=reviewer.user.pk)
    assert {event.target_id for event in approvals} >= {str(new.pk), str(changed.pk)}


def test_a_question_the_reviewer_may_not_approve_stays_in_its_own_review(
    client_for, people, mixed_quiz, clause, author_reviewer
):
    # bo.both wrote a draft question on its own screen and alex.author submitted the quiz: bo may
    # approve the quiz (someone else's work and submission) but not the question bo wrote.
    written_by_bo = true_false_create(quiz=mixed_quiz, clause=clause, sort_order=9)
    TrueFalseQuestion.objects.filter(pk=written_by_bo.pk).update(live=False, text="Bo wrote this?")
    written_by_bo.refresh_from_db()
    written_by_bo.save_revision(user=author_reviewer.user)
    assert (
        _post(
            client_for(people["author"]), mixed_quiz, _shown(mixed_quiz), action="action-submit"
        ).status_code
        == 302
    )
    written_by_bo.refresh_from_db()
    assert written_by_bo.workflow_in_progress

    quiz = Quiz.objects.get(pk=mixed_quiz.pk)
    _approve(quiz, author_reviewer.user)

    quiz.refresh_from_db()
    written_by_bo.refresh_from_db()
    assert quiz.live and not quiz.workflow_in_progress
    assert written_by_bo.workflow_in_progress and not written_by_bo.live


def _withdraw_single(client, quiz, *, action=None):
    """Remove the published single-choice question in the editor, and save (or ``action``)."""
    single = SingleChoiceQuestion.objects.get(quiz=quiz)
    kept = [item for item in _shown(quiz) if item["id"] != f"question-{single.pk}"]
    assert _post(client, quiz, kept, action=action).status_code == 302
    return single


def test_an_approved_withdrawal_takes_the_question_out_of_the_bank(
    author_client, people, mixed_quiz, reviewer
):
    mixed_quiz.questions_per_attempt = 2
    mixed_quiz.save()
    # Started before the withdrawal: this attempt holds the question, and keeps it.
    attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz, rng=random.Random(1))
    single = SingleChoiceQuestion.objects.get(quiz=mixed_quiz)
    while single.pk not in {question["id"] for question in attempt.questions}:
        attempt.delete()  # not submitted: nothing holds it yet
        attempt = attempt_begin(person=people["staff"], quiz=mixed_quiz)

    _withdraw_single(author_client, mixed_quiz, action="action-submit")
    single.refresh_from_db()
    assert single.workflow_in_progress  # submitted with the quiz, for its own review
    assert single.live and not single.withdrawn

    quiz = Quiz.objects.get(pk=mixed_quiz.pk)
    _approve(quiz, reviewer.user)  # approving the quiz approves its questions' reviews

    single.refresh_from_db()
    assert single.withdrawn and not single.has_unpublished_changes
    assert not single.workflow_in_progress
    bank = {entry.id for entry in quiz_bank(quiz=quiz)}
    assert single.pk not in bank and len(bank) == len(KINDS) - 1
    assert single.pk not in {entry.id for entry in quiz_drawable_bank(quiz=quiz)}
    assert single.pk not in _editor_ids(quiz)
    assert quiz_questions_withdrawal_pending(quiz=quiz) == []
    # The bank checks count what is left: 4 questions for 2 asked per attempt is still enough,
    # and for 3 it no longer is.
    assert quiz_draw_problems(quiz=quiz) == []
    assert any(
        "The bank has 4 questions but 3 are asked" in problem
        for problem in quiz_check_problems(quiz=quiz, total=3)
    )
    # Never drawn again.
    for seed in range(15):
        drawn = attempt_begin(person=people["lead"], quiz=quiz, rng=random.Random(seed))
        assert single.pk not in {question["id"] for question in drawn.questions}
        drawn.delete()

    # The attempt started before is scored as before, on its snapshot; item analysis shows it.
    attempt = submission_followed_up(attempt_submit(attempt=attempt, answers=answers_for(attempt)))
    assert attempt.passed and attempt.score == attempt.max_score
    assert str(single.pk) in {str(result["question"]) for result in attempt.results}
    assert single.pk in {row.question_id for row in quiz_item_analysis(quiz=quiz)}


def test_a_rejected_withdrawal_keeps_the_question_asked_and_it_can_be_restored(
    author_client, people, mixed_quiz, reviewer
):
    single = _withdraw_single(author_client, mixed_quiz, action="action-submit")
    quiz = Quiz.objects.get(pk=mixed_quiz.pk)
    single.refresh_from_db()
    for content in (quiz, single):
        task_state = content.current_workflow_task_state
        task_state.task.specific.on_action(task_state, reviewer.user, "reject")

    single.refresh_from_db()
    assert single.live and not single.withdrawn and single.text == "Single?"
    assert single.pk in {entry.id for entry in quiz_bank(quiz=quiz)}
    drawn = attempt_begin(person=people["staff"], quiz=quiz)
    assert single.pk in {question["id"] for question in drawn.questions}
    # Still the author's draft, listed as withdrawn: the author undoes it.
    assert [question.pk for question in quiz_questions_withdrawal_pending(quiz=quiz)] == [single.pk]
    response = _post(author_client, quiz, _shown(quiz), restore=[single.pk])
    assert response.status_code == 302
    assert not _withdrawn_in_draft(single)
    assert single.pk in _editor_ids(quiz)
    assert single.pk in {entry.id for entry in quiz_bank(quiz=quiz, as_written=True)}
    restored = AuditEvent.objects.get(summary__startswith="Restored ")
    assert restored.summary.startswith('Restored single-choice question "Single?"')
    assert restored.action == audit.CONTENT_PUBLISHED and restored.target_id == str(single.pk)


def test_the_author_restores_a_withdrawal_before_review(author_client, mixed_quiz, clause):
    single = _withdraw_single(author_client, mixed_quiz)
    shown = _shown(mixed_quiz)
    shown.append(_new("true_false", clause, text="Added with the restore?"))
    response = _post(author_client, mixed_quiz, shown, restore=[single.pk])
    assert response.status_code == 302
    single.refresh_from_db()
    assert single.live and not single.withdrawn and not _withdrawn_in_draft(single)
    # Nothing left to review: the quiz's next submission does not send it to review for nothing.
    assert not single.has_unpublished_changes
    assert quiz_questions_withdrawal_pending(quiz=mixed_quiz) == []
    # Back in the editor, where the next save keeps it (not withdrawn again).
    assert single.pk in _editor_ids(mixed_quiz)
    assert _post(author_client, mixed_quiz, _shown(mixed_quiz)).status_code == 302
    assert not _withdrawn_in_draft(single)
    assert TrueFalseQuestion.objects.filter(
        quiz=mixed_quiz, text="Added with the restore?"
    ).exists()


def test_restoring_something_not_withdrawn_is_refused(author_client, mixed_quiz):
    before = _state(mixed_quiz)
    ordering = OrderingQuestion.objects.get(quiz=mixed_quiz)
    response = _post(author_client, mixed_quiz, _shown(mixed_quiz), restore=[ordering.pk])
    assert response.status_code == 200
    assert "is not withdrawn and waiting for review any more" in response.content.decode()
    _nothing_saved(mixed_quiz, before)


def test_a_question_locked_by_another_author_is_not_withdrawn(
    author_client, mixed_quiz, author_reviewer
):
    question = _locked_single_choice(mixed_quiz, by=author_reviewer.user)
    before = _state(mixed_quiz)
    kept = [item for item in _shown(mixed_quiz) if item["id"] != f"question-{question.pk}"]
    response = _post(author_client, mixed_quiz, kept)
    assert response.status_code == 200
    assert "cannot be withdrawn" in response.content.decode()
    _nothing_saved(mixed_quiz, before)
    assert not _withdrawn_in_draft(question)


def test_a_withdrawal_locked_by_another_author_is_not_restored(
    author_client, mixed_quiz, author_reviewer
):
    single = _withdraw_single(author_client, mixed_quiz)
    SingleChoiceQuestion.objects.filter(pk=single.pk).update(
        locked=True, locked_by=author_reviewer.user
    )
    before = _state(mixed_quiz)
    response = _post(author_client, mixed_quiz, _shown(mixed_quiz), restore=[single.pk])
    assert response.status_code == 200
    assert "cannot be restored" in response.content.decode()
    _nothing_saved(mixed_quiz, before)
    assert _withdrawn_in_draft(single)


def test_someone_who_may_not_change_questions_cannot_withdraw_or_restore_one(mixed_quiz, people):
    # May edit the quiz's settings but not its questions: removing a published one is a change.
    user = get_user_model().objects.create_user("quiz.only", password="pw")
    user.user_permissions.add(
        Permission.objects.get(codename="change_quiz"),
        Permission.objects.get(codename="delete_singlechoicequestion"),
    )
    single = SingleChoiceQuestion.objects.get(quiz=mixed_quiz)
    items = QuizAdminForm.base_fields["question_editor"].block.to_python(
        [item for item in _shown(mixed_quiz) if item["id"] != f"question-{single.pk}"]
    )
    assert quiz_question_edit_problems(quiz=mixed_quiz, items=items, user=user) == [
        "You may not withdraw the question “Single?”."
    ]
    with pytest.raises(ValueError, match="may not withdraw"):
        quiz_questions_save(quiz=mixed_quiz, items=items, user=user)
    assert not _withdrawn_in_draft(single)

    quiz_questions_save(quiz=mixed_quiz, items=items, user=people["author"].user)
    with pytest.raises(ValueError, match="may not restore"):
        quiz_question_withdrawals_restore(
            quiz=mixed_quiz, questions=quiz_questions_withdrawal_pending(quiz=mixed_quiz), user=user
        )
    assert _withdrawn_in_draft(single)


def test_a_withdrawal_that_leaves_too_small_a_bank_is_warned_while_drafting(
    author_client, mixed_quiz
):
    mixed_quiz.questions_per_attempt = 2
    mixed_quiz.save()
    assert not any("The bank has" in problem for problem in quiz_check_problems(quiz=mixed_quiz))
    shown = _shown(mixed_quiz)
    assert _post(author_client, mixed_quiz, shown[2:], questions_per_attempt="2").status_code == 302
    assert len(quiz_questions_withdrawal_pending(quiz=mixed_quiz)) == 2
    assert (
        "The bank has 3 questions but 2 are asked per attempt; it needs at least 4 so that a retry "
        "can see different questions." in quiz_check_problems(quiz=mixed_quiz)
    )
    # Learners are asked the published bank meanwhile, which still meets the settings.
    assert quiz_draw_problems(quiz=mixed_quiz) == []
    # Submitting the withdrawal for review is refused while the check fails.
    response = _post(
        author_client,
        mixed_quiz,
        _shown(mixed_quiz),
        action="action-submit",
        questions_per_attempt="2",
    )
    assert response.status_code == 200
    assert not Quiz.objects.get(pk=mixed_quiz.pk).workflow_in_progress


def test_a_published_question_with_a_draft_is_withdrawn_as_drafted(author_client, mixed_quiz):
    shown = _shown(mixed_quiz)
    shown[0]["value"]["text"] = "Single, reworded?"
    assert _post(author_client, mixed_quiz, shown).status_code == 302
    single = _withdraw_single(author_client, mixed_quiz)
    single.refresh_from_db()
    assert single.live and single.text == "Single?"  # learners keep the published words
    draft = single.get_latest_revision_as_object()
    assert draft.withdrawn and draft.text == "Single, reworded?"
    # Restored, it comes back as the author had drafted it.
    assert (
        _post(author_client, mixed_quiz, _shown(mixed_quiz), restore=[single.pk]).status_code == 302
    )
    assert "Single, reworded?" in {item["value"]["text"] for item in _shown(mixed_quiz)}
    assert Question.objects.get(pk=single.pk).has_unpublished_changes  # the rewording, for review


def test_a_stale_window_cannot_edit_a_question_withdrawn_meanwhile(author_client, mixed_quiz):
    stale = _shown(mixed_quiz)  # a second window, opened before the withdrawal
    single = _withdraw_single(author_client, mixed_quiz)
    before = _state(mixed_quiz)
    stale[0]["value"]["text"] = "Edited in the old window"
    response = _post(author_client, mixed_quiz, stale)
    assert response.status_code == 200
    assert "was withdrawn meanwhile" in response.content.decode()
    _nothing_saved(mixed_quiz, before)
    assert _withdrawn_in_draft(single)
