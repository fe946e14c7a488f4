"""Authors manage quizzes in the Wagtail admin: one snippet viewset per question type under
"Quizzes", with settings and options checked before anything is saved."""

import pytest

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data

from quizzes.models import (
    MultipleResponseQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    SingleChoiceQuestion,
)

pytestmark = pytest.mark.django_db

VIEWSETS = [
    "quiz",
    "singlechoicequestion",
    "multipleresponsequestion",
    "truefalsequestion",
    "orderingquestion",
    "scenariojudgementquestion",
]


@pytest.fixture
def author_client(client_for, people):
    return client_for(people["author"])


@pytest.mark.parametrize("model", VIEWSETS)
def test_an_author_can_list_and_add_every_type(author_client, quiz, model):
    assert author_client.get(reverse(f"wagtailsnippets_quizzes_{model}:list")).status_code == 200
    assert author_client.get(reverse(f"wagtailsnippets_quizzes_{model}:add")).status_code == 200


def test_the_question_listing_tells_withdrawn_questions_apart(author_client, quiz):
    withdrawn = quiz.questions.get(sort_order=0)
    withdrawn.withdrawn = True
    withdrawn.save_revision().publish()
    url = reverse("wagtailsnippets_quizzes_singlechoicequestion:list")
    listed = author_client.get(url, {"withdrawn": "true"}).content.decode()
    assert "First question?" in listed and "Second question?" not in listed
    listed = author_client.get(url, {"withdrawn": "false"}).content.decode()
    assert "First question?" not in listed and "Second question?" in listed


def test_staff_cannot_reach_the_quiz_admin(client_for, people):
    response = client_for(people["staff"]).get(reverse("wagtailsnippets_quizzes_quiz:list"))
    assert response.status_code in (302, 403)


def test_every_viewset_is_grouped_under_quizzes(author_client):
    menu = author_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Quizzes" in menu
    for label in (
        "Single-choice questions",
        "Multiple-response questions",
        "True/false questions",
        "Ordering questions",
        "Scenario judgement questions",
    ):
        assert label in menu


def _quiz_form(quiz, *, total="", topics=(), **review):
    return nested_form_data(
        {
            "module": quiz.module_id,
            "title": quiz.title,
            "pass_mark": quiz.pass_mark,
            "questions_per_attempt": total,
            "partial_credit": "per_option",
            "attempts_before_cooldown": "3",
            "cooldown_hours": "24",
            "time_limit_minutes": "",
            "grace_seconds": "60",
            "max_attempts": "",
            "review_after_failure": "wrong_questions",
            "review_after_pass": "full",
            **review,
            "topic_draws": inline_formset(
                [{"topic": topic, "count": count} for topic, count in topics]
            ),
        }
    )


def test_drawing_more_than_the_bank_holds_is_refused_with_a_clear_error(author_client, quiz):
    url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    response = author_client.post(url, _quiz_form(quiz, total="10"))
    assert response.status_code == 200
    assert (
        "The bank holds 3 questions, so 10 cannot be drawn per attempt."
        in response.content.decode()
    )
    quiz.refresh_from_db()
    assert quiz.questions_per_attempt is None and quiz.partial_credit == "all_or_nothing"


def test_a_topic_the_bank_does_not_have_is_refused(author_client, quiz):
    url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    response = author_client.post(url, _quiz_form(quiz, topics=[("Nowhere", 1)]))
    assert "No question in the bank has the topic “Nowhere”." in response.content.decode()
    assert not quiz.topic_draws.exists()


def test_settings_the_bank_can_meet_are_saved(author_client, quiz):
    Question.objects.filter(quiz=quiz, sort_order__lt=2).update(topic="Consent")
    url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    response = author_client.post(url, _quiz_form(quiz, total="2", topics=[("Consent", 1)]))
    assert response.status_code == 302
    quiz = _draft_saved(quiz)
    assert quiz.questions_per_attempt == 2 and quiz.partial_credit == "per_option"
    assert [(draw.topic, draw.count) for draw in quiz.topic_draws.all()] == [("Consent", 1)]


def test_an_author_can_let_people_take_a_quiz_without_the_module(author_client, quiz):
    url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    page = author_client.get(url).content.decode()
    assert "Can be taken without the module" in page
    assert "to test out of a module" in page
    assert not quiz.can_take_without_module
    response = author_client.post(
        url, {**_quiz_form(quiz), "can_take_without_module": "on", "shuffle_options": "on"}
    )
    assert response.status_code == 302
    quiz = _draft_saved(quiz)
    assert quiz.can_take_without_module and quiz.shuffle_options


def _draft_saved(quiz):
    """An author's edit of a live quiz is a draft (four eyes): learners keep the published
    settings until a reviewer approves it. Returns the draft."""
    live = Quiz.objects.get(pk=quiz.pk)
    assert live.live and live.has_unpublished_changes
    assert live.latest_revision.user is not None
    return live.get_latest_revision_as_object()


def _question_form(quiz, clause, options, **extra):
    return nested_form_data(
        {
            "quiz": quiz.pk,
            "text": "New question?",
            "topic": "",
            "explanation": "",
            **extra,
            "options": inline_formset(
                [
                    {
                        "text": text,
                        "is_correct": correct,
                        "feedback": f"Why {text}",
                        "clause": clause.pk,
                    }
                    for text, correct in options
                ],
                min=2,
            ),
        }
    )


def _checkbox(data):
    # An unticked checkbox is not posted at all.
    return {key: value for key, value in data.items() if value is not False}


def test_a_single_choice_question_needs_exactly_one_right_option(author_client, quiz, clause):
    url = reverse("wagtailsnippets_quizzes_singlechoicequestion:add")
    before = SingleChoiceQuestion.objects.count()
    response = author_client.post(
        url, _checkbox(_question_form(quiz, clause, [("A", True), ("B", True)]))
    )
    assert "Mark exactly one option as correct." in response.content.decode()
    assert SingleChoiceQuestion.objects.count() == before


def test_a_multiple_response_question_needs_a_right_option_and_saves_its_rule(
    author_client, quiz, clause
):
    url = reverse("wagtailsnippets_quizzes_multipleresponsequestion:add")
    response = author_client.post(
        url, _checkbox(_question_form(quiz, clause, [("A", False), ("B", False)]))
    )
    assert "Mark at least one option as correct." in response.content.decode()
    assert not MultipleResponseQuestion.objects.exists()
    response = author_client.post(
        url,
        _checkbox(
            _question_form(quiz, clause, [("A", True), ("B", False)], partial_credit="per_option")
        ),
    )
    assert response.status_code == 302
    question = MultipleResponseQuestion.objects.get()
    assert question.snapshot()["partial_credit"] == "per_option"


def test_an_ordering_question_takes_its_steps_in_the_order_authored(author_client, quiz, clause):
    url = reverse("wagtailsnippets_quizzes_orderingquestion:add")
    data = nested_form_data(
        {
            "quiz": quiz.pk,
            "text": "Order these",
            "topic": "",
            "explanation": "",
            "options": inline_formset(
                [
                    {"text": text, "feedback": "F", "clause": clause.pk, "ORDER": index}
                    for index, text in enumerate(["First", "Second", "Third"], start=1)
                ],
                min=2,
            ),
        }
    )
    assert author_client.post(url, data).status_code == 302
    snapshot = OrderingQuestion.objects.get().snapshot()
    assert [(option["text"], option["position"]) for option in snapshot["options"]] == [
        ("First", 1),
        ("Second", 2),
        ("Third", 3),
    ]


def test_review_options_and_an_attempt_limit_are_set_in_the_quiz_settings(author_client, quiz):
    url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    form = author_client.get(url).content.decode()
    assert "What a person sees after submitting" in form and 'name="max_attempts"' in form
    response = author_client.post(
        url,
        _quiz_form(
            quiz,
            max_attempts="5",
            review_after_failure="score",
            review_after_pass="wrong_questions",
            full_review_when_no_attempts_remain="on",
        ),
    )
    assert response.status_code == 302
    quiz = _draft_saved(quiz)
    assert (quiz.max_attempts, quiz.review_after_failure, quiz.review_after_pass) == (
        5,
        "score",
        "wrong_questions",
    )
    assert quiz.full_review_when_no_attempts_remain is True


def test_the_key_cannot_be_chosen_for_failed_attempts_while_retries_remain(author_client, quiz):
    url = reverse("wagtailsnippets_quizzes_quiz:edit", args=[quiz.pk])
    response = author_client.post(url, _quiz_form(quiz, review_after_failure="full"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    quiz.refresh_from_db()
    assert (
        quiz.review_after_failure == "wrong_questions" and quiz.partial_credit == "all_or_nothing"
    )
