"""Item analysis against figures worked out by hand (the working is in the comments).

Sample statistics throughout: variances and covariances divide by n - 1."""

import math
import random
from collections import Counter
from decimal import Decimal

import pytest

from quizzes.item_analysis import (
    DOES_NOT_DISCRIMINATE,
    NO_ANSWER,
    TOO_EASY,
    TOO_HARD,
    UNPICKED_DISTRACTOR,
    ResponseCount,
    item_analysis,
    score_sums,
)


def option(option_id, text, correct):
    return {"id": option_id, "text": text, "correct": correct}


def single_choice(question_id, version="v1"):
    return {
        "id": question_id,
        "version": version,
        "type": "single_choice",
        "text": "Who may see a case file?",
        "options": [
            option("a", "The case worker", True),
            option("b", "Anyone in the team", False),
            option("c", "Anyone who asks", False),
        ],
    }


def true_false(question_id, version="v1"):
    return {
        "id": question_id,
        "version": version,
        "type": "true_false",
        "text": "Passwords may not be shared.",
        "options": [option("true", "True", True), option("false", "False", False)],
    }


def multiple_response(question_id, version="v1"):
    return {
        "id": question_id,
        "version": version,
        "type": "multiple_response",
        "text": "Which are personal data?",
        "partial_credit": "per_option",
        "options": [
            option("m1", "A name", True),
            option("m2", "An address", True),
            option("m3", "The weather", False),
        ],
    }


def attempt(questions, points, answers):
    """``points`` and ``answers`` by question id; a question missing from ``answers`` was left
    unanswered (time ran out)."""
    return {
        "questions": questions,
        "results": [
            {"question": str(question["id"]), "points": points[question["id"]], "max_points": "1"}
            for question in questions
        ],
        "answers": {str(question_id): answer for question_id, answer in answers.items()},
    }


def four_attempts(q3_versions=("v1", "v1", "v1", "v1")):
    # Points:      Q1   Q2   Q3    total
    #   attempt 1   1    1   1      3
    #   attempt 2   1    1   0.5    2.5
    #   attempt 3   0    1   0.5    1.5
    #   attempt 4   0    1   0      1
    rows = [
        ("1", "a", "1", "true", "1", ["m1", "m2"]),
        ("1", "a", "1", "true", "0.5", ["m1"]),
        ("0", "b", "1", "true", "0.5", ["m2"]),
        ("0", "b", "1", "true", "0", ["m3"]),
    ]
    return [
        attempt(
            [single_choice(1), true_false(2), multiple_response(3, version)],
            {1: q1, 2: q2, 3: q3},
            {1: a1, 2: a2, 3: a3},
        )
        for (q1, a1, q2, a2, q3, a3), version in zip(rows, q3_versions, strict=True)
    ]


def by_question(rows):
    return {(row.question_id, row.version): row for row in rows}


def test_a_question_that_discriminates_with_ties_in_the_rest_of_the_attempt():
    q1 = by_question(item_analysis(attempts=four_attempts()))[(1, "v1")]
    # x = 1, 1, 0, 0; rest X = total - x = 2, 1.5, 1.5, 1 (a tie in the middle).
    # mean x = 0.5 -> facility 100 * 0.5 / 1 = 50 %.
    # V(x) = (0.25 * 4) / 3 = 1/3 -> SD = 100 * sqrt(1/3) = 57.735 %.
    # mean X = 1.5; X - mean = 0.5, 0, 0, -0.5; x - mean = 0.5, 0.5, -0.5, -0.5.
    # C(x, X) = (0.25 + 0 + 0 + 0.25) / 3 = 1/6; V(X) = (0.25 + 0.25) / 3 = 1/6.
    # r = (1/6) / sqrt(1/3 * 1/6) = sqrt(18) / 6 = 0.70711.
    # Sorted pairs (0,1), (0,1.5), (1,1.5), (1,2) give Cmax = (0.25 + 0 + 0 + 0.25) / 3 = 1/6,
    # so the efficiency is 100 * (1/6) / (1/6) = 100 %.
    assert q1.attempts == 4
    assert q1.facility == pytest.approx(50)
    assert q1.standard_deviation == pytest.approx(100 * math.sqrt(1 / 3))
    assert q1.discrimination == pytest.approx(math.sqrt(18) / 6)
    assert q1.efficiency == pytest.approx(100)
    # Options: a chosen twice (keyed), b twice, c never: c is a distractor nobody picks.
    assert q1.responses == (
        ResponseCount(item="The case worker", response="Chosen", count=2, keyed=True),
        ResponseCount(item="Anyone in the team", response="Chosen", count=2, keyed=False),
        ResponseCount(item="Anyone who asks", response="Chosen", count=0, keyed=False),
    )
    assert q1.flags == (f"{UNPICKED_DISTRACTOR}: Anyone who asks",)


def test_a_question_everyone_gets_right_is_too_easy_and_its_discrimination_is_undefined():
    q2 = by_question(item_analysis(attempts=four_attempts()))[(2, "v1")]
    # x = 1, 1, 1, 1: facility 100 %, V(x) = 0 -> SD 0 %.
    # r divides by sqrt(V(x) V(X)) = 0: undefined, not 0. Sorted x are all 1, so Cmax = 0:
    # the efficiency is undefined too.
    assert q2.facility == pytest.approx(100)
    assert q2.standard_deviation == 0
    assert q2.discrimination is None
    assert q2.efficiency is None
    assert [(count.item, count.count) for count in q2.responses] == [("True", 4), ("False", 0)]
    assert q2.flags == (TOO_EASY, DOES_NOT_DISCRIMINATE, f"{UNPICKED_DISTRACTOR}: False")


def test_partial_credit_and_a_count_per_option_for_multiple_response():
    q3 = by_question(item_analysis(attempts=four_attempts()))[(3, "v1")]
    # x = 1, 0.5, 0.5, 0; X = 2, 2, 1, 1 (tied in pairs).
    # mean x = 0.5 -> 50 %. x - mean = 0.5, 0, 0, -0.5: V(x) = 0.5 / 3 = 1/6 -> SD 40.825 %.
    # X - mean = 0.5, 0.5, -0.5, -0.5: V(X) = 1 / 3; C(x, X) = (0.25 + 0 + 0 + 0.25) / 3 = 1/6.
    # r = (1/6) / sqrt(1/6 * 1/3) = sqrt(18) / 6 = 0.70711.
    # Sorted: x 0, 0.5, 0.5, 1 with X 1, 1, 2, 2 -> Cmax = 1/6 -> efficiency 100 %.
    assert q3.facility == pytest.approx(50)
    assert q3.standard_deviation == pytest.approx(100 * math.sqrt(1 / 6))
    assert q3.discrimination == pytest.approx(math.sqrt(18) / 6)
    assert q3.efficiency == pytest.approx(100)
    assert [(count.item, count.count, count.keyed) for count in q3.responses] == [
        ("A name", 2, True),  # attempts 1 and 2
        ("An address", 2, True),  # attempts 1 and 3
        ("The weather", 1, False),  # attempt 4
    ]
    assert q3.flags == ()


def test_a_question_that_discriminates_the_wrong_way_is_flagged():
    # The strongest attempts get Q9 wrong and the weakest get it right.
    # Points:      Q1  Q9  total
    #   attempt 1   1   0    1
    #   attempt 2   1   0    1
    #   attempt 3   0   1    1
    # Q9: x = 0, 0, 1; X = 1, 1, 0. mean x = 1/3, mean X = 2/3.
    # x - mean = -1/3, -1/3, 2/3; X - mean = 1/3, 1/3, -2/3.
    # C = (-1/9 - 1/9 - 4/9) / 2 = -1/3; V(x) = V(X) = (1/9 + 1/9 + 4/9) / 2 = 1/3 -> r = -1.
    # Sorted: x 0, 0, 1 with X 0, 1, 1: (-1/3)(-2/3) + (-1/3)(1/3) + (2/3)(1/3) = 2/9 - 1/9 + 2/9
    # = 1/3, / 2 = 1/6 = Cmax -> efficiency 100 * (-1/3) / (1/6) = -200 %.
    # Facility 100 / 3 = 33.3 %: neither too easy nor too hard.
    attempts = [
        attempt([single_choice(1), single_choice(9)], {1: q1, 9: q9}, {1: a1, 9: a9})
        for q1, a1, q9, a9 in [("1", "a", "0", "b"), ("1", "a", "0", "c"), ("0", "b", "1", "a")]
    ]
    q9 = by_question(item_analysis(attempts=attempts))[(9, "v1")]
    assert q9.facility == pytest.approx(100 / 3)
    assert q9.discrimination == pytest.approx(-1)
    assert q9.efficiency == pytest.approx(-200)
    assert q9.flags == (DOES_NOT_DISCRIMINATE,)


def test_a_question_nobody_answered():
    # Both attempts ran out of time before Q5 was answered: no response, 0 points each.
    # Points:      Q1  Q5  total
    #   attempt 1   1   0    1
    #   attempt 2   0   0    0
    # Q5: x = 0, 0: facility 0 %, SD 0 %; V(x) = 0 -> r and efficiency undefined.
    attempts = [
        attempt([single_choice(1), single_choice(5)], {1: "1", 5: "0"}, {1: "a"}),
        attempt([single_choice(1), single_choice(5)], {1: "0", 5: "0"}, {1: "b"}),
    ]
    q5 = by_question(item_analysis(attempts=attempts))[(5, "v1")]
    assert q5.attempts == 2
    assert q5.facility == 0
    assert q5.standard_deviation == 0
    assert q5.discrimination is None
    assert q5.efficiency is None
    assert [count.count for count in q5.responses] == [0, 0, 0, 2]
    assert q5.responses[-1] == ResponseCount(item="", response=NO_ANSWER, count=2, keyed=None)
    assert q5.flags == (
        TOO_HARD,
        DOES_NOT_DISCRIMINATE,
        f"{UNPICKED_DISTRACTOR}: Anyone in the team",
        f"{UNPICKED_DISTRACTOR}: Anyone who asks",
    )


def test_a_quiz_with_one_attempt_has_a_facility_and_nothing_that_needs_a_spread():
    # One attempt, Q1 right: facility 100 %. SD, r and efficiency divide by n - 1 = 0: undefined.
    rows = item_analysis(
        attempts=[
            attempt([single_choice(1), true_false(2)], {1: "1", 2: "0"}, {1: "a", 2: "false"})
        ]
    )
    q1, q2 = rows
    assert (q1.attempts, q1.facility) == (1, 100)
    assert (q2.attempts, q2.facility) == (1, 0)
    for row in rows:
        assert row.standard_deviation is None
        assert row.discrimination is None
        assert row.efficiency is None
        assert DOES_NOT_DISCRIMINATE in row.flags


def test_no_attempts_give_no_rows():
    assert item_analysis(attempts=[]) == []


def test_each_version_of_a_question_has_its_own_row_after_the_question_as_a_whole():
    rows = item_analysis(attempts=four_attempts(q3_versions=("v1", "v1", "v2", "v2")))
    assert [(row.question_id, row.version) for row in rows] == [
        (1, "v1"),
        (2, "v1"),
        (3, None),
        (3, "v1"),
        (3, "v2"),
    ]
    whole, first, second = by_question(rows)[(3, None)], rows[3], rows[4]
    # The whole: the same four scores as above -> 50 %, r = 0.70711, efficiency 100 %.
    assert whole.attempts == 4
    assert whole.facility == pytest.approx(50)
    assert whole.discrimination == pytest.approx(math.sqrt(18) / 6)
    assert whole.responses == ()
    # Version 1, attempts 1 and 2: x = 1, 0.5 -> facility 75 %; x - mean = 0.25, -0.25,
    # V(x) = 0.125 / 1 -> SD 100 * sqrt(0.125) = 35.355 %. X = 2, 2: V(X) = 0 -> r undefined;
    # sorted X are equal too, so Cmax = 0 -> efficiency undefined.
    assert (first.attempts, first.facility) == (2, pytest.approx(75))
    assert first.standard_deviation == pytest.approx(100 * math.sqrt(0.125))
    assert first.discrimination is None
    assert first.efficiency is None
    # The weather was picked once, in version 2 (attempt 4): version 1 flags it as a distractor
    # nobody picks; version 2 and the question as a whole do not.
    assert f"{UNPICKED_DISTRACTOR}: The weather" in first.flags
    assert not any(flag.startswith(UNPICKED_DISTRACTOR) for flag in second.flags)
    assert not any(flag.startswith(UNPICKED_DISTRACTOR) for flag in whole.flags)
    # Version 2, attempts 3 and 4: x = 0.5, 0 -> 25 %; X = 1, 1 -> r undefined.
    assert second.facility == pytest.approx(25)
    assert second.discrimination is None


def test_ordering_counts_each_step_at_each_position():
    question = {
        "id": 7,
        "version": "v1",
        "type": "ordering",
        "text": "Put the steps in order.",
        "options": [
            {"id": "s2", "text": "Record it", "position": 2},
            {"id": "s1", "text": "Stop", "position": 1},
        ],
    }
    attempts = [
        attempt([question], {7: "1"}, {7: ["s1", "s2"]}),
        attempt([question], {7: "0"}, {7: ["s2", "s1"]}),
        attempt([question], {7: "1"}, {7: ["s1", "s2"]}),
    ]
    (row,) = item_analysis(attempts=attempts)
    # Steps in the keyed order; "Stop" first in attempts 1 and 3, second in attempt 2.
    assert [(c.item, c.response, c.count, c.keyed) for c in row.responses] == [
        ("Stop", "Position 1", 2, True),
        ("Stop", "Position 2", 1, False),
        ("Record it", "Position 1", 1, False),
        ("Record it", "Position 2", 2, True),
    ]
    # Only choice questions have distractors.
    assert not any(flag.startswith(UNPICKED_DISTRACTOR) for flag in row.flags)


def test_scenario_judgement_counts_each_action_by_judgement():
    question = {
        "id": 8,
        "version": "v1",
        "type": "scenario_judgement",
        "text": "Rate each action.",
        "options": [
            {"id": "x", "text": "Report it", "appropriate": True},
            {"id": "y", "text": "Ignore it", "appropriate": False},
        ],
    }
    attempts = [
        attempt([question], {8: "1"}, {8: {"x": True, "y": False}}),
        attempt([question], {8: "0.5"}, {8: {"x": True, "y": True}}),
    ]
    (row,) = item_analysis(attempts=attempts)
    assert [(c.item, c.response, c.count, c.keyed) for c in row.responses] == [
        ("Report it", "Appropriate", 2, True),
        ("Report it", "Not appropriate", 0, False),
        ("Ignore it", "Appropriate", 1, False),
        ("Ignore it", "Not appropriate", 1, True),
    ]
    # x = 1, 0.5 -> facility 75 %; the rest of each attempt is 0 -> V(X) = 0 -> r undefined.
    assert row.facility == pytest.approx(75)
    assert row.discrimination is None


def test_score_sums_of_grouped_pairs_are_the_sums_over_every_attempt():
    # Ties on both sides, runs of unequal length: the sorted pairing walks runs of ranks, and
    # must give what sorting every attempt's x and rest and pairing them by rank gives.
    rng = random.Random(7)
    for _ in range(200):
        attempts = [
            (rng.choice([0, 50, 100]), rng.choice([0, 100, 200, 300, 400]))
            for _ in range(rng.randint(1, 30))
        ]
        sums = score_sums(pairs=Counter(attempts), maximum=Decimal(1))
        xs, rests = [x for x, _ in attempts], [rest for _, rest in attempts]
        assert sums.count == len(attempts)
        assert (sums.x, sums.rest) == (sum(xs), sum(rests))
        assert sums.xx == sum(x * x for x in xs)
        assert sums.rest_rest == sum(rest * rest for rest in rests)
        assert sums.x_rest == sum(x * rest for x, rest in attempts)
        assert sums.sorted_x_rest == sum(
            x * rest for x, rest in zip(sorted(xs), sorted(rests), strict=True)
        )


def test_score_sums_of_no_pairs_are_nothing():
    sums = score_sums(pairs={}, maximum=None)
    assert (sums.count, sums.x, sums.sorted_x_rest) == (0, 0, 0)
