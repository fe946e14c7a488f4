"""Review options: what a learner sees of a submitted attempt, decided by one selector
(``quizzes.selectors.attempt_review``) for the result page and the personal-data download."""

import io
import json
import zipfile

import pytest

from django.urls import reverse

from quizzes.models import Attempt, RetryAllowance, Review
from quizzes.selectors import attempt_review, question_clauses, quiz_standing
from quizzes.services import AttemptError, attempt_submit, retry_allow
from tests.factories import PolicyClauseFactory, attempt_begin
from tests.quizzes.answers import answers_for

pytestmark = pytest.mark.django_db


def _sit(person, quiz, *, passing):
    attempt = attempt_begin(person=person, quiz=quiz)
    wrong = set() if passing else {question["id"] for question in attempt.questions}
    return attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=wrong))


def _review(attempt):
    return attempt_review(attempt=Attempt.objects.get(pk=attempt.pk))  # with the quiz as saved now


def _result(client_for, person, attempt):
    return client_for(person).get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()


def _download(client_for, person):
    archive = zipfile.ZipFile(
        io.BytesIO(client_for(person).get(reverse("my_data_download")).content)
    )
    return json.loads(archive.read("my-data.json"))["quiz_attempts"]


def test_by_default_a_failed_attempt_shows_wrong_questions_and_clauses_but_never_the_key(
    client_for, people, mixed_quiz
):
    staff = people["staff"]
    attempt = _sit(staff, mixed_quiz, passing=False)
    review = attempt_review(attempt=attempt)
    assert (
        review.level == Review.WRONG_QUESTIONS and not review.shows_key and review.shows_questions
    )
    rows = review.rows()
    assert [row["correct"] for row in rows] == [False] * 5
    assert all(row["reread"] and row["reread"][0]["reference"] == "2.19" for row in rows)
    assert not {"question", "items", "explanation"} & set(rows[0])
    page = _result(client_for, staff, attempt)
    assert (
        "Question 2: not right" in page
        and "clause 2.19 (clause version 1): Contacting children on WhatsApp" in page
    )
    assert "Your answer: " in page
    for question in attempt.questions:
        for option in question["options"]:
            assert option["feedback"] not in page
    assert "Policy answer" not in page and "The answer the policy expects:" not in page
    assert "Attempts left before a wait" in page and "shown once you pass this quiz" in page


def test_a_failed_attempt_says_how_many_attempts_remain_before_the_wait(
    client_for, people, mixed_quiz
):
    staff = people["staff"]
    _sit(staff, mixed_quiz, passing=False)
    second = _sit(staff, mixed_quiz, passing=False)
    assert quiz_standing(person=staff, quiz=mixed_quiz).left_before_cooldown == 1
    page = _result(client_for, staff, second)
    assert "If that attempt does not pass, you wait 24 hours before the next." in page
    third = _sit(staff, mixed_quiz, passing=False)
    standing = quiz_standing(person=staff, quiz=mixed_quiz)
    assert standing.left_before_cooldown == 0 and standing.retry_at is not None
    assert "You can try again from" in _result(client_for, staff, third)


def test_score_only_shows_no_questions_on_the_page_or_in_the_download(
    client_for, people, mixed_quiz
):
    mixed_quiz.review_after_failure = Review.SCORE
    mixed_quiz.save()
    staff = people["staff"]
    attempt = _sit(staff, mixed_quiz, passing=False)
    assert attempt_review(attempt=attempt).rows() == []
    page = _result(client_for, staff, attempt)
    assert "shows your score only until you pass it" in page and "Question 1" not in page
    (record,) = _download(client_for, staff)
    assert "results" not in record and record["score_percent"] == "0.00" and record["answers"]
    assert [question["text"] for question in record["questions_shown"]] == [
        q["text"] for q in attempt.questions
    ]


def test_the_download_of_an_unpassed_quiz_keeps_what_was_shown_and_answered_without_the_key(
    client_for, people, mixed_quiz
):
    staff = people["staff"]
    attempt = _sit(staff, mixed_quiz, passing=False)
    (record,) = _download(client_for, staff)
    assert record["answers"] == json.loads(json.dumps(attempt.answers))
    assert record["submitted_at"] and record["passed"] is False
    for shown, question in zip(record["questions_shown"], attempt.questions, strict=True):
        assert "explanation" not in shown
        assert [option["id"] for option in shown["options"]] == [
            option["id"] for option in question["options"]
        ]
        assert all(set(option) == {"id", "text"} for option in shown["options"])
    assert [result["answered_right"] for result in record["results"]] == [False] * 5
    assert record["results"][0]["clauses_to_reread"][0]["reference"] == "2.19"


def test_after_passing_every_attempt_at_the_quiz_shows_the_key(client_for, people, mixed_quiz):
    staff = people["staff"]
    failed = _sit(staff, mixed_quiz, passing=False)
    passed = _sit(staff, mixed_quiz, passing=True)
    assert attempt_review(attempt=failed).shows_key and attempt_review(attempt=passed).shows_key
    page = _result(client_for, staff, failed)
    assert "Policy answer" in page and "Feedback on Step 1" in page
    records = _download(client_for, staff)
    assert all(record["questions_shown"][0]["options"][0].get("feedback") for record in records)


def test_the_author_may_hide_the_key_even_after_a_pass(client_for, people, mixed_quiz):
    mixed_quiz.review_after_pass = Review.WRONG_QUESTIONS
    mixed_quiz.save()
    passed = _sit(people["staff"], mixed_quiz, passing=True)
    page = _result(client_for, people["staff"], passed)
    assert "You passed" in page and "Feedback on Step 1" not in page and "Question 1: right" in page


def test_a_result_follows_the_review_settings_as_saved_now_never_a_cached_copy(
    client_for, people, mixed_quiz
):
    """The page of an open attempt's questions reads the quiz from the shared cache; what a
    result reveals is decided by the quiz as saved now, even by a change that forgot nothing."""
    staff = people["staff"]
    client = client_for(staff)
    attempt = attempt_begin(person=staff, quiz=mixed_quiz)
    url = reverse("quizzes:attempt", args=[attempt.pk])
    assert mixed_quiz.title in client.get(url).content.decode()  # the cached copy is made
    passed = attempt_submit(attempt=attempt, answers=answers_for(attempt, wrong=set()))
    assert "Feedback on Step 1" in client.get(url).content.decode()
    mixed_quiz.review_after_pass = Review.WRONG_QUESTIONS
    mixed_quiz.save()  # straight to the database: the content generation is not bumped
    page = client.get(url).content.decode()
    assert passed.passed and "You passed" in page
    assert "Feedback on Step 1" not in page and "Question 1: right" in page


def test_an_open_attempt_hides_the_key_of_an_earlier_pass(people, mixed_quiz):
    passed = _sit(people["staff"], mixed_quiz, passing=True)
    attempt_begin(person=people["staff"], quiz=mixed_quiz)
    assert attempt_review(attempt=passed).level == Review.WRONG_QUESTIONS


def test_an_attempt_limit_stops_new_attempts_and_may_show_the_key_when_chosen(
    client_for, people, mixed_quiz
):
    mixed_quiz.max_attempts, mixed_quiz.attempts_before_cooldown = 2, None
    mixed_quiz.save()
    staff = people["staff"]
    first = _sit(staff, mixed_quiz, passing=False)
    assert quiz_standing(person=staff, quiz=mixed_quiz).left_in_total == 1
    assert "Attempts left in total" in _result(client_for, staff, first)
    last = _sit(staff, mixed_quiz, passing=False)
    with pytest.raises(AttemptError, match="used all 2 attempts"):
        attempt_begin(person=staff, quiz=mixed_quiz)
    assert Attempt.objects.filter(person=staff).count() == 2
    # Off by default: no attempts left is not a reason to show the key.
    assert not _review(last).shows_key
    assert "You have used all 2 attempts allowed" in _result(client_for, staff, last)
    mixed_quiz.full_review_when_no_attempts_remain = True
    mixed_quiz.save()
    assert _review(last).shows_key and _review(first).shows_key
    # An administrator's allowance starts the count again, and the key is hidden again.
    retry_allow(person=staff, quiz=mixed_quiz, by=None, reason="Fire alarm during the quiz")
    assert RetryAllowance.objects.filter(person=staff).exists()
    assert not _review(last).shows_key
    attempt_begin(person=staff, quiz=mixed_quiz)


def test_someone_who_is_not_waiting_gets_no_allowance(people, mixed_quiz):
    with pytest.raises(AttemptError, match="is not waiting"):
        retry_allow(person=people["staff"], quiz=mixed_quiz, by=None, reason="Because")
    assert not RetryAllowance.objects.exists()


def test_clauses_to_reread_come_once_each_in_the_library_order_not_the_options_order(clause):
    later = PolicyClauseFactory(document=clause.document, reference="2.3")
    snapshot = lambda c: {  # noqa: E731
        "id": c.pk,
        "organisation": "Cafcass",
        "document": c.document.title,
        "document_version": "2.1",
        "reference": c.reference,
        "version": 1,
        "heading": c.heading,
    }
    question = {
        "options": [
            {"clause": snapshot(clause)},
            {"clause": snapshot(later)},
            {"clause": snapshot(clause)},
        ]
    }
    assert [c["reference"] for c in question_clauses(question=question)] == ["2.3", "2.19"]


def test_a_review_cites_where_to_find_an_unnumbered_clause_and_the_number_otherwise():
    from quizzes.kinds.base import review_item

    clause = {
        "organisation": "Cafcass",
        "document": "Social media community guidelines",
        "document_version": "not stated",
        "reference": "s.3.1",
        "version": 1,
    }
    option = {"text": "Remove it", "correct": True, "feedback": "Right.", "clause": clause}
    numbered = review_item(option, given=True, expected=True)["citation"]
    assert numbered.endswith("clause s.3.1, clause version 1")
    located = {**clause, "where": "'Sharing case information', first paragraph"}
    citation = review_item({**option, "clause": located}, given=True, expected=True)["citation"]
    assert "(version not stated), 'Sharing case information', first paragraph," in citation
    assert "s.3.1" not in citation
