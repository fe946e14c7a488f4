"""Pure scoring: responses are checked and scored against the question snapshots frozen into an
attempt. Nothing here touches the database, so every rule can be tested exhaustively.

A question snapshot is the dict built by ``Question.snapshot()``; a response is what
``response_parse`` returns for that question type. Every question is worth one point; partial
credit is a fraction of that point, never below zero.

Raw values come from the form as strings. Single-choice, true/false and multiple-response
questions send option ids; ordering and scenario-judgement questions send one ``"<option id>=<value>"``
per item (a position, or ``appropriate`` / ``not_appropriate``).
"""

import contextlib
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")
MAX_POINTS = ONE
CENT = Decimal("0.01")

APPROPRIATE = "appropriate"
NOT_APPROPRIATE = "not_appropriate"
JUDGEMENTS = {APPROPRIATE: True, NOT_APPROPRIATE: False}


class ResponseError(ValueError):
    """A response that cannot be scored: unanswered, or naming something the question does not offer."""


class InvalidResponse(ResponseError):
    """Names something the question does not offer: never from an honest form, so never saved."""


class IncompleteResponse(ResponseError):
    """Not (yet) a full answer: fine to save along the way, not to submit."""


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


def _options_by_id(question):
    return {option["id"]: option for option in question["options"]}


def _fraction(numerator, denominator):
    """A share of the question's point, rounded down so that rounding never gives what was not earned."""
    if numerator <= 0:
        return ZERO
    return (MAX_POINTS * numerator / denominator).quantize(CENT, ROUND_DOWN)


# Single choice and true/false: one option.


def parse_one_option(question, values):
    values = [value for value in values if value != ""]
    if any(value not in _option_ids(question) for value in values):
        raise InvalidResponse("That answer is not one of this question's options.")
    if not values:
        raise IncompleteResponse("Choose an answer.")
    if len(values) > 1:
        raise InvalidResponse("Choose only one answer.")
    return values[0]


def score_one_option(question, response):
    chosen = _options_by_id(question)[response]
    return QuestionScore(points=MAX_POINTS if chosen["correct"] else ZERO, max_points=MAX_POINTS)


# Multiple response: any number of options.


def parse_many_options(question, values):
    values = [value for value in values if value != ""]
    if any(value not in _option_ids(question) for value in values):
        raise InvalidResponse("That answer is not one of this question's options.")
    if len(set(values)) != len(values):
        raise InvalidResponse("Each option can be chosen only once.")
    if not values:
        raise IncompleteResponse("Choose at least one answer.")
    chosen = set(values)
    return [option_id for option_id in _option_ids(question) if option_id in chosen]


def score_many_options(question, response):
    options = _options_by_id(question)
    right = {option_id for option_id, option in options.items() if option["correct"]}
    chosen = set(response)
    if question.get("partial_credit") == "per_option":
        penalty = Decimal(question.get("wrong_pick_penalty", "1"))
        earned = len(chosen & right) - penalty * len(chosen - right)
        points = _fraction(earned, len(right)) if right else (MAX_POINTS if not chosen else ZERO)
    else:
        points = MAX_POINTS if chosen == right else ZERO
    return QuestionScore(points=points, max_points=MAX_POINTS)


# Ordering and scenario judgement: one value per item, sent as "<option id>=<value>".


def _item_values(question, values, *, check_value, missing_message):
    """Map each item to its value, refusing unknown items, bad values and an item sent twice."""
    ids = set(_option_ids(question))
    given = {}
    for raw in values:
        option_id, separator, value = str(raw).partition("=")
        if not separator or option_id not in ids:
            raise InvalidResponse("That answer is not one of this question's options.")
        if option_id in given:
            raise InvalidResponse("Each item can be answered only once.")
        if value == "":
            continue
        check_value(value)
        given[option_id] = value
    if set(given) != ids:
        raise IncompleteResponse(missing_message)
    return given


def parse_order(question, values):
    count = len(question["options"])

    def check_position(value):
        if not value.isdigit() or not 1 <= int(value) <= count:
            raise InvalidResponse(f"Positions run from 1 to {count}.")

    positions = _item_values(
        question, values, check_value=check_position, missing_message="Give every step a position."
    )
    if len(set(positions.values())) != len(positions):
        raise IncompleteResponse("Give each step a different position.")
    return sorted(positions, key=lambda option_id: int(positions[option_id]))


def score_order(question, response):
    expected = [
        option["id"]
        for option in sorted(question["options"], key=lambda option: option["position"])
    ]
    # A procedure done in the wrong order is not the procedure: no credit for part of it.
    return QuestionScore(
        points=MAX_POINTS if list(response) == expected else ZERO, max_points=MAX_POINTS
    )


def parse_judgements(question, values):
    def check_judgement(value):
        if value not in JUDGEMENTS:
            raise InvalidResponse("Rate each action as appropriate or not appropriate.")

    given = _item_values(
        question,
        values,
        check_value=check_judgement,
        missing_message="Rate every action as appropriate or not.",
    )
    return {option_id: JUDGEMENTS[given[option_id]] for option_id in _option_ids(question)}


def score_judgements(question, response):
    options = question["options"]
    right = sum(1 for option in options if response[option["id"]] == option["appropriate"])
    return QuestionScore(points=_fraction(right, len(options)), max_points=MAX_POINTS)


# question type -> (parse raw form values into a response, score a response)
SCORERS = {
    "single_choice": (parse_one_option, score_one_option),
    "true_false": (parse_one_option, score_one_option),
    "multiple_response": (parse_many_options, score_many_options),
    "ordering": (parse_order, score_order),
    "scenario_judgement": (parse_judgements, score_judgements),
}


def response_parse(*, question, values):
    """Turn the raw values submitted for one question into a response, or raise ResponseError."""
    parse, _ = SCORERS[question["type"]]
    return parse(question, list(values))


def draft_check(*, question, values):
    """Raise InvalidResponse if saved-along-the-way values name anything the question does not offer.
    An incomplete answer is fine: the person has not finished."""
    with contextlib.suppress(IncompleteResponse):
        response_parse(question=question, values=values)


def response_score(*, question, response):
    _, score = SCORERS[question["type"]]
    return score(question, response)


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
