from decimal import Decimal

import pytest

from quizzes.scoring import ResponseError, attempt_score, response_parse

CLAUSE = {
    "id": 1,
    "organisation": "Cafcass",
    "document": "Policy",
    "document_version": "2.1",
    "reference": "2.19",
    "version": 1,
    "heading": "h",
}


def _question(question_id, correct="a", critical=False, kind="single_choice"):
    return {
        "id": question_id,
        "type": kind,
        "text": "?",
        "critical": critical,
        "options": [
            {
                "id": option_id,
                "text": option_id,
                "correct": option_id == correct,
                "feedback": "",
                "clause": CLAUSE,
            }
            for option_id in ("a", "b", "c")
        ],
    }


@pytest.mark.parametrize(
    "values, message",
    [
        ([], "Choose an answer."),
        (["a", "b"], "Choose only one answer."),
        (["z"], "That answer is not one of this question's options."),
    ],
)
def test_bad_responses_are_refused_with_a_clear_message(values, message):
    with pytest.raises(ResponseError, match=message):
        response_parse(question=_question(1), values=values)


def test_percent_and_pass_mark():
    questions = [_question(1), _question(2), _question(3), _question(4)]
    score = attempt_score(
        questions=questions, responses={"1": "a", "2": "a", "3": "a", "4": "b"}, pass_mark=75
    )
    assert (score.points, score.max_points, score.percent, score.passed) == (
        3,
        4,
        Decimal("75.00"),
        True,
    )
    score = attempt_score(
        questions=questions, responses={"1": "a", "2": "a", "3": "b", "4": "b"}, pass_mark=75
    )
    assert score.passed is False


def test_a_wrong_critical_answer_fails_whatever_the_total():
    questions = [_question(1), _question(2), _question(3, critical=True)]
    score = attempt_score(
        questions=questions, responses={"1": "a", "2": "a", "3": "c"}, pass_mark=50
    )
    assert score.percent > 50 and score.failed_critical and not score.passed
