"""Polymorphic questions: snapshots per type, and deleting a bank of mixed types."""

import pytest

from django.db.models import ProtectedError

from quizzes.models import Option, Question, Quiz
from tests.factories import attempt_begin

pytestmark = pytest.mark.django_db


def test_the_bank_comes_back_as_its_subclasses_with_their_own_snapshots(mixed_quiz):
    snapshots = [
        question.snapshot()
        for question in Question.objects.filter(quiz=mixed_quiz).order_by("sort_order")
    ]
    assert [s["type"] for s in snapshots] == [
        "single_choice",
        "multiple_response",
        "true_false",
        "ordering",
        "scenario_judgement",
    ]
    assert (
        snapshots[1]["partial_credit"] == "all_or_nothing"
    )  # the quiz's rule when the question has none
    assert all(
        option["clause"]["reference"] == "2.19" for s in snapshots for option in s["options"]
    )


def test_the_version_is_stable_until_the_content_changes(mixed_quiz):
    question = Question.objects.get(quiz=mixed_quiz, sort_order=4)
    version = question.snapshot()["version"]
    assert Question.objects.get(pk=question.pk).snapshot()["version"] == version
    Option.objects.filter(question=question, sort_order=0).update(is_correct=False)
    assert Question.objects.get(pk=question.pk).snapshot()["version"] != version


def test_a_bank_of_mixed_types_deletes_cleanly(mixed_quiz):
    Question.objects.filter(quiz=mixed_quiz).delete()
    assert not Question.objects.exists() and not Option.objects.exists()


def test_a_quiz_with_attempts_cannot_be_deleted(people, mixed_quiz):
    attempt_begin(person=people["staff"], quiz=mixed_quiz)
    with pytest.raises(ProtectedError):
        Quiz.objects.get(pk=mixed_quiz.pk).delete()
