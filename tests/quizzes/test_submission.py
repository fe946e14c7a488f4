"""Submitting a quiz: scored on the server, once; bad input gets a clear 400 and saves nothing."""

import pytest

from django.urls import reverse

from certificates.models import Certificate
from quizzes.models import Attempt
from quizzes.views import form_token_for
from tests.factories import attempt_begin, module_steps_finish


@pytest.fixture
def attempt(people, quiz):
    return attempt_begin(person=people["staff"], quiz=quiz)


@pytest.fixture
def staff_client(client_for, people):
    return client_for(people["staff"])


def _answers(
    attempt, pick=lambda question: next(o["id"] for o in question["options"] if o["correct"])
):
    attempt.refresh_from_db()
    return {
        "form_token": form_token_for(attempt),
        "action": "submit",
        **{f"q-{question['id']}": pick(question) for question in attempt.questions},
    }


def _assert_nothing_saved(attempt):
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert attempt.answers == {} and attempt.score is None and attempt.passed is None
    assert not Certificate.objects.exists()


def _url(attempt):
    return reverse("quizzes:attempt", args=[attempt.pk])


def test_the_quiz_page_holds_no_answer_key(staff_client, attempt):
    html = staff_client.get(_url(attempt)).content.decode()
    for question in attempt.questions:
        assert question["text"] in html
        for option in question["options"]:
            assert option["feedback"] not in html
    assert "correct" not in html.lower().replace("are correct", "")
    assert "is_correct" not in html


def test_an_unknown_option_id_is_refused(staff_client, attempt):
    data = _answers(attempt)
    first = attempt.questions[0]
    data[f"q-{first['id']}"] = "999999"
    response = staff_client.post(_url(attempt), data)
    assert response.status_code == 400
    assert "not one of this question&#x27;s options" in response.content.decode()
    _assert_nothing_saved(attempt)


def test_an_option_from_another_question_is_refused(staff_client, attempt):
    data = _answers(attempt)
    first, second = attempt.questions[0], attempt.questions[1]
    data[f"q-{first['id']}"] = second["options"][0]["id"]
    assert staff_client.post(_url(attempt), data).status_code == 400
    _assert_nothing_saved(attempt)


def test_a_missing_answer_is_refused_and_what_was_chosen_is_kept(staff_client, attempt):
    data = _answers(attempt)
    missing = attempt.questions[2]
    del data[f"q-{missing['id']}"]
    response = staff_client.post(_url(attempt), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Question 3: Choose an answer." in html
    assert "checked" in html  # the answers already given are still selected
    _assert_nothing_saved(attempt)


def test_a_question_not_in_the_attempt_is_refused(staff_client, attempt):
    data = {**_answers(attempt), "q-424242": "1"}
    response = staff_client.post(_url(attempt), data)
    assert response.status_code == 400
    assert "not part of this attempt" in response.content.decode()
    _assert_nothing_saved(attempt)


def test_a_submitted_score_field_is_refused(staff_client, attempt):
    data = {**_answers(attempt), "score": "100", "passed": "true"}
    response = staff_client.post(_url(attempt), data)
    assert response.status_code == 400
    _assert_nothing_saved(attempt)


def test_a_second_submission_changes_nothing(
    staff_client, attempt, django_capture_on_commit_callbacks
):
    wrong = _answers(
        attempt,
        pick=lambda question: next(o["id"] for o in question["options"] if not o["correct"]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(_url(attempt), wrong).status_code == 302
    attempt.refresh_from_db()
    first = (attempt.submitted_at, attempt.answers, attempt.score, attempt.passed)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(_url(attempt), _answers(attempt))
    assert response.status_code == 400
    assert "already been submitted" in response.content.decode()
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.answers, attempt.score, attempt.passed) == first
    assert attempt.passed is False
    assert not Certificate.objects.exists()


def test_someone_elses_attempt_is_404(client_for, people, attempt):
    client = client_for(people["other_staff"])
    assert client.get(_url(attempt)).status_code == 404
    assert client.post(_url(attempt), _answers(attempt)).status_code == 404
    _assert_nothing_saved(attempt)


def test_a_pass_mark_decides_and_critical_questions_fail_whatever_the_total(
    staff_client, people, quiz, clause
):
    from tests.factories import single_choice_create

    single_choice_create(quiz=quiz, clause=clause, text="Critical?", critical=True, sort_order=3)
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    critical = next(q for q in attempt.questions if q["critical"])
    data = _answers(attempt)
    data[f"q-{critical['id']}"] = next(o["id"] for o in critical["options"] if not o["correct"])
    staff_client.post(_url(attempt), data)
    attempt.refresh_from_db()
    assert attempt.percent == 75 and attempt.pass_mark == 60
    assert attempt.passed is False
    assert "You did not pass" in staff_client.get(_url(attempt)).content.decode()


def test_reloading_the_quiz_keeps_the_same_attempt(staff_client, people, quiz):
    module_steps_finish(person=people["staff"], module=quiz.module)
    staff_client.post(reverse("quizzes:start", args=[quiz.pk]))
    staff_client.post(reverse("quizzes:start", args=[quiz.pk]))
    assert Attempt.objects.count() == 1
