"""Pure scoring of a whole attempt: responses are checked and scored against the question snapshots
frozen into an attempt, each by its kind (``quizzes.kinds``). Nothing here touches the database,
so every rule can be tested exhaustively.

A question snapshot is the dict built by ``Question.snapshot()``; a response is what
``response_parse`` returns for that question's kind. Every question is worth one point; partial
credit is a fraction of that point, never below zero.
"""

import contextlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .kinds import (
    MAX_POINTS,
    IncompleteResponse,
    InvalidResponse,
    QuestionScore,
    ResponseError,
    kind_of,
)
from .kinds.base import CENT, ZERO

__all__ = [
    "MAX_POINTS",
    "AttemptScore",
    "IncompleteResponse",
    "InvalidResponse",
    "ResponseError",
    "attempt_score",
    "draft_check",
    "response_parse",
    "response_score",
]


@dataclass(frozen=True)
class AttemptScore:
    points: Decimal
    max_points: Decimal
    percent: Decimal
    passed: bool
    failed_critical: bool
    by_question: dict = field(default_factory=dict)


def response_parse(*, question, values):
    """Turn the raw values submitted for one question into a response, or raise ResponseError."""
    return kind_of(question).parse(question, list(values))


def draft_check(*, question, values):
    """Raise InvalidResponse if saved-along-the-way values name anything the question does not offer.
    An incomplete answer is fine: the person has not finished."""
    with contextlib.suppress(IncompleteResponse):
        response_parse(question=question, values=values)


def response_score(*, question, response):
    return kind_of(question).score(question, response)


def attempt_score(*, questions, responses, pass_mark):
    """Score a whole attempt. ``responses`` maps question id (as a string) to a parsed response;
    a question without one (only when time ran out) scores nothing.

    A wrong answer to a critical question fails the attempt whatever the total."""
    by_question = {
        str(question["id"]): (
            response_score(question=question, response=responses[str(question["id"])])
            if str(question["id"]) in responses
            else QuestionScore(points=ZERO, max_points=MAX_POINTS)
        )
        for question in questions
    }
    points = sum((score.points for score in by_question.values()), ZERO)
    max_points = sum((score.max_points for score in by_question.values()), ZERO)
    percent = (points * 100 / max_points).quantize(CENT, ROUND_HALF_UP) if max_points else ZERO
    failed_critical = any(
        question["critical"] and not by_question[str(question["id"])].correct
        for question in questions
    )
    return AttemptScore(
        points=points,
        max_points=max_points,
        percent=percent,
        # Compared unrounded, so 79.996% never rounds up to a pass at 80%.
        passed=points * 100 >= pass_mark * max_points and not failed_critical,
        failed_critical=failed_critical,
        by_question=by_question,
    )
