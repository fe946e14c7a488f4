"""Pure scoring: responses are checked and scored against the question snapshots frozen into an
attempt. Nothing here touches the database, so every rule can be tested exhaustively.

A question snapshot is the dict built by ``Question.snapshot()``; a response is what
``response_parse`` returns for that question type.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")


class ResponseError(ValueError):
    """A response that cannot be scored: unanswered, or naming something the question does not offer."""


@dataclass(frozen=True)
class QuestionScore:
    points: Decimal
    max_points: Decimal

    @property
    def correct(self):
        return self.points == self.max_points


@dataclass(frozen=True)
class AttemptScore:
    points: Decimal
    max_points: Decimal
    percent: Decimal
    passed: bool
    failed_critical: bool
    by_question: dict = field(default_factory=dict)


def _option_ids(question):
    return [option["id"] for option in question["options"]]


def parse_one_option(question, values):
    values = [value for value in values if value != ""]
    if not values:
        raise ResponseError("Choose an answer.")
    if len(values) > 1:
        raise ResponseError("Choose only one answer.")
    if values[0] not in _option_ids(question):
        raise ResponseError("That answer is not one of this question's options.")
    return values[0]


def score_one_option(question, response):
    chosen = next(option for option in question["options"] if option["id"] == response)
    return QuestionScore(points=ONE if chosen["correct"] else ZERO, max_points=ONE)


# question type -> (parse raw form values into a response, score a response)
SCORERS = {
    "single_choice": (parse_one_option, score_one_option),
    "true_false": (parse_one_option, score_one_option),
}


def response_parse(*, question, values):
    """Turn the raw values submitted for one question into a response, or raise ResponseError."""
    parse, _ = SCORERS[question["type"]]
    return parse(question, list(values))


def response_score(*, question, response):
    _, score = SCORERS[question["type"]]
    return score(question, response)


def attempt_score(*, questions, responses, pass_mark):
    """Score a whole attempt. ``responses`` maps question id (as a string) to a parsed response.

    A wrong answer to a critical question fails the attempt whatever the total."""
    by_question = {
        str(question["id"]): response_score(question=question, response=responses[str(question["id"])])
        for question in questions
    }
    points = sum((score.points for score in by_question.values()), ZERO)
    max_points = sum((score.max_points for score in by_question.values()), ZERO)
    percent = (points * 100 / max_points).quantize(Decimal("0.01"), ROUND_HALF_UP) if max_points else ZERO
    failed_critical = any(
        question["critical"] and not by_question[str(question["id"])].correct for question in questions
    )
    return AttemptScore(
        points=points,
        max_points=max_points,
        percent=percent,
        passed=percent >= pass_mark and not failed_critical,
        failed_critical=failed_critical,
        by_question=by_question,
    )
