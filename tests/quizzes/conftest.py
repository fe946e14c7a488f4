import pytest

from tests.factories import (
    QuizFactory,
    multiple_response_create,
    ordering_create,
    scenario_judgement_create,
    single_choice_create,
    true_false_create,
)


@pytest.fixture
def mixed_quiz(module, clause):
    """One question of each type, in this order: single choice, multiple response, true/false,
    ordering, scenario judgement. Pass mark 60."""
    quiz = QuizFactory(module=module, pass_mark=60)
    single_choice_create(quiz=quiz, clause=clause, text="Single?", sort_order=0)
    multiple_response_create(quiz=quiz, clause=clause, sort_order=1)
    true_false_create(quiz=quiz, clause=clause, sort_order=2)
    ordering_create(quiz=quiz, clause=clause, sort_order=3)
    scenario_judgement_create(quiz=quiz, clause=clause, sort_order=4)
    return quiz
