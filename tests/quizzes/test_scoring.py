"""Every scorer, exhaustively: parsing refuses what a question does not offer, and scores stay
within [0, max], a perfect response scores the maximum, wrong picks never push below zero."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.kinds import KINDS
from quizzes.scoring import (
    MAX_POINTS,
    IncompleteResponse,
    InvalidResponse,
    attempt_score,
    draft_check,
    response_parse,
    response_score,
)

CLAUSE = {
    "id": 1,
    "organisation": "Cafcass",
    "document": "Policy",
    "document_version": "1",
    "reference": "2.1",
    "version": 1,
    "heading": "H",
}


def _option(option_id, *, correct=False, **extra):
    return {
        "id": str(option_id),
        "text": f"Option {option_id}",
        "correct": correct,
        "feedback": "F",
        "clause": CLAUSE,
        **extra,
    }


def single_choice(correct=0, n=3, question_id=1, critical=False):
    return {
        "id": question_id,
        "type": "single_choice",
        "critical": critical,
        "options": [_option(10 + i, correct=i == correct) for i in range(n)],
    }


def multiple_response(correct_flags, rule="all_or_nothing", question_id=2):
    return {
        "id": question_id,
        "type": "multiple_response",
        "critical": False,
        "partial_credit": rule,
        "wrong_pick_penalty": "1",
        "options": [_option(20 + i, correct=flag) for i, flag in enumerate(correct_flags)],
    }


def ordering(shown_positions, question_id=3):
    """Options listed in the shown order; ``shown_positions[i]`` is the correct position of the i-th shown."""
    return {
        "id": question_id,
        "type": "ordering",
        "critical": False,
        "options": [_option(30 + p, correct=True, position=p) for p in shown_positions],
    }


def scenario(appropriate_flags, question_id=4):
    return {
        "id": question_id,
        "type": "scenario_judgement",
        "critical": False,
        "options": [
            _option(40 + i, correct=flag, appropriate=flag)
            for i, flag in enumerate(appropriate_flags)
        ],
    }


def true_false(answer=True, question_id=5, critical=False):
    return {
        "id": question_id,
        "type": "true_false",
        "critical": critical,
        "options": [_option("true", correct=answer), _option("false", correct=not answer)],
    }


def _score(question, values):
    return response_score(
        question=question, response=response_parse(question=question, values=values)
    )


def test_every_question_type_has_a_scorer():
    assert set(KINDS) == {
        "single_choice",
        "true_false",
        "multiple_response",
        "ordering",
        "scenario_judgement",
    }


# Single choice and true/false


def test_single_choice_scores_the_right_option_and_nothing_else():
    question = single_choice(correct=1)
    assert _score(question, ["11"]).points == 1
    assert _score(question, ["10"]).points == 0
    assert _score(question, ["12"]).correct is False


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        ([], IncompleteResponse, "Choose an answer."),
        ([""], IncompleteResponse, "Choose an answer."),
        (["10", "11"], InvalidResponse, "Choose only one answer."),
        (["99"], InvalidResponse, "not one of this question's options"),
        (
            ["21"],
            InvalidResponse,
            "not one of this question's options",
        ),  # an option of another question
    ],
)
def test_single_choice_refuses_what_it_does_not_offer(values, error, message):
    with pytest.raises(error, match=message):
        response_parse(question=single_choice(), values=values)


def test_true_false_scores_against_the_keyed_answer():
    assert _score(true_false(answer=False), ["false"]).points == 1
    assert _score(true_false(answer=False), ["true"]).points == 0
    with pytest.raises(InvalidResponse):
        response_parse(question=true_false(), values=["maybe"])


# Multiple response


def test_multiple_response_all_or_nothing_needs_exactly_the_right_set():
    question = multiple_response([True, True, False, False])
    assert _score(question, ["20", "21"]).points == 1
    assert _score(question, ["20"]).points == 0
    assert _score(question, ["20", "21", "22"]).points == 0


def test_multiple_response_per_option_gives_credit_less_a_penalty_never_below_zero():
    question = multiple_response([True, True, False, False], rule="per_option")
    assert _score(question, ["20", "21"]).points == 1
    assert _score(question, ["20"]).points == Decimal("0.50")
    assert _score(question, ["20", "22"]).points == 0  # one right, one wrong
    assert _score(question, ["20", "21", "22"]).points == Decimal("0.50")
    assert _score(question, ["22", "23"]).points == 0  # would be -1 without the floor


def test_multiple_response_per_option_rounds_down_so_nothing_is_given_away():
    question = multiple_response([True, True, True, False], rule="per_option")
    assert _score(question, ["20", "21"]).points == Decimal("0.66")


def test_multiple_response_refuses_unknown_and_repeated_options_and_an_empty_answer():
    question = multiple_response([True, False])
    with pytest.raises(InvalidResponse):
        response_parse(question=question, values=["20", "99"])
    with pytest.raises(InvalidResponse, match="only once"):
        response_parse(question=question, values=["20", "20"])
    with pytest.raises(IncompleteResponse, match="at least one"):
        response_parse(question=question, values=[])


# Ordering


def test_ordering_is_right_only_in_the_correct_order():
    question = ordering([3, 1, 2])  # shown: Step3(id 33), Step1(id 31), Step2(id 32)
    assert _score(question, ["31=1", "32=2", "33=3"]).points == 1
    assert (
        _score(question, ["33=1", "31=2", "32=3"]).points == 0
    )  # the order shown is not the answer
    assert response_parse(question=question, values=["33=3", "31=1", "32=2"]) == ["31", "32", "33"]


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (["31=1", "32=2"], IncompleteResponse, "Give every step a position."),
        (["31=1", "32=2", "33="], IncompleteResponse, "Give every step a position."),
        (["31=1", "32=1", "33=3"], IncompleteResponse, "different position"),
        (["31=1", "32=2", "33=4"], InvalidResponse, "Positions run from 1 to 3"),
        (["31=1", "32=2", "33=x"], InvalidResponse, "Positions run from 1 to 3"),
        (["31=1", "32=2", "99=3"], InvalidResponse, "not one of this question's options"),
        (["31=1", "31=2", "32=2", "33=3"], InvalidResponse, "only once"),
        (["31"], InvalidResponse, "not one of this question's options"),
    ],
)
def test_ordering_refuses_incomplete_and_foreign_answers(values, error, message):
    with pytest.raises(error, match=message):
        response_parse(question=ordering([3, 1, 2]), values=values)


# Scenario judgement


def test_scenario_judgement_gives_a_share_for_each_action_rated_right():
    question = scenario([True, False, True, False])
    perfect = ["40=appropriate", "41=not_appropriate", "42=appropriate", "43=not_appropriate"]
    assert _score(question, perfect).points == 1
    assert _score(
        question, ["40=appropriate", "41=appropriate", "42=appropriate", "43=not_appropriate"]
    ).points == Decimal("0.75")
    assert (
        _score(
            question,
            ["40=not_appropriate", "41=appropriate", "42=not_appropriate", "43=appropriate"],
        ).points
        == 0
    )


def test_scenario_judgement_refuses_unrated_unknown_and_odd_values():
    question = scenario([True, False])
    with pytest.raises(IncompleteResponse, match="Rate every action"):
        response_parse(question=question, values=["40=appropriate"])
    with pytest.raises(InvalidResponse):
        response_parse(question=question, values=["40=appropriate", "41=maybe"])
    with pytest.raises(InvalidResponse):
        response_parse(
            question=question, values=["40=appropriate", "41=appropriate", "77=appropriate"]
        )


# Drafts may be incomplete, never foreign


def test_a_draft_may_be_incomplete_but_never_name_a_foreign_option():
    draft_check(question=ordering([1, 2, 3]), values=["31=1"])
    draft_check(question=single_choice(), values=[])
    with pytest.raises(InvalidResponse):
        draft_check(question=ordering([1, 2, 3]), values=["31=1", "88=2"])
    with pytest.raises(InvalidResponse):
        draft_check(question=single_choice(), values=["41"])


# Properties for every type

correct_flags = st.lists(st.booleans(), min_size=2, max_size=7).filter(any)


@given(flags=correct_flags, rule=st.sampled_from(["all_or_nothing", "per_option"]), data=st.data())
def test_multiple_response_properties(flags, rule, data):
    question = multiple_response(flags, rule=rule)
    ids = [option["id"] for option in question["options"]]
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    score = _score(question, chosen)
    assert 0 <= score.points <= score.max_points == MAX_POINTS
    perfect = [option["id"] for option in question["options"] if option["correct"]]
    assert _score(question, perfect).points == MAX_POINTS
    # Adding a wrong pick never raises the score, and never takes it below zero.
    wrong = [option_id for option_id in ids if option_id not in perfect and option_id not in chosen]
    if wrong:
        worse = _score(question, chosen + wrong[:1])
        assert 0 <= worse.points <= score.points


@given(positions=st.permutations(range(1, 7)).map(list), data=st.data())
def test_ordering_properties(positions, data):
    question = ordering(positions)
    ids = [option["id"] for option in question["options"]]
    answer = data.draw(st.permutations(ids))
    score = _score(
        question, [f"{option_id}={position}" for position, option_id in enumerate(answer, start=1)]
    )
    assert 0 <= score.points <= score.max_points
    by_position = sorted(question["options"], key=lambda option: option["position"])
    perfect = [f"{option['id']}={option['position']}" for option in by_position]
    assert _score(question, perfect).points == MAX_POINTS


@given(flags=st.lists(st.booleans(), min_size=1, max_size=8), data=st.data())
def test_scenario_judgement_properties(flags, data):
    question = scenario(flags)
    ratings = data.draw(st.lists(st.booleans(), min_size=len(flags), max_size=len(flags)))
    values = [
        f"{40 + i}={'appropriate' if rating else 'not_appropriate'}"
        for i, rating in enumerate(ratings)
    ]
    score = _score(question, values)
    assert 0 <= score.points <= score.max_points
    perfect = [
        f"{40 + i}={'appropriate' if flag else 'not_appropriate'}" for i, flag in enumerate(flags)
    ]
    assert _score(question, perfect).points == MAX_POINTS


@given(n=st.integers(2, 6), correct=st.integers(0, 5), chosen=st.integers(0, 5))
def test_single_choice_properties(n, correct, chosen):
    question = single_choice(correct=correct % n, n=n)
    score = _score(question, [str(10 + chosen % n)])
    assert score.points in (0, 1)
    assert _score(question, [str(10 + correct % n)]).points == MAX_POINTS


# The whole attempt


def test_attempt_score_adds_up_and_applies_the_pass_mark():
    questions = [single_choice(question_id=1), true_false(question_id=2)]
    result = attempt_score(questions=questions, responses={"1": "10", "2": "false"}, pass_mark=50)
    assert (result.points, result.max_points, result.percent, result.passed) == (
        1,
        2,
        Decimal("50.00"),
        True,
    )
    assert (
        attempt_score(questions=questions, responses={"1": "10", "2": "false"}, pass_mark=51).passed
        is False
    )


def test_a_wrong_critical_answer_fails_whatever_the_total():
    questions = [single_choice(question_id=i) for i in range(1, 10)] + [
        true_false(question_id=10, critical=True)
    ]
    responses = {str(i): "10" for i in range(1, 10)} | {"10": "false"}
    result = attempt_score(questions=questions, responses=responses, pass_mark=80)
    assert result.percent == Decimal("90.00")
    assert result.failed_critical is True and result.passed is False
    assert (
        attempt_score(
            questions=questions, responses=responses | {"10": "true"}, pass_mark=80
        ).passed
        is True
    )


def test_a_partly_right_critical_answer_also_fails():
    question = scenario([True, False], question_id=1) | {"critical": True}
    response = {"40": True, "41": True}
    result = attempt_score(questions=[question], responses={"1": response}, pass_mark=10)
    assert result.points == Decimal("0.50") and result.passed is False


def test_the_pass_mark_is_compared_unrounded():
    questions = [scenario([True] * 3, question_id=1), single_choice(question_id=2)]
    # 0.66 + 1 of 2 = 83%; with pass mark 83 it is 83.00% exactly, but 84 must fail.
    result = attempt_score(
        questions=questions,
        responses={"1": {"40": True, "41": True, "42": False}, "2": "10"},
        pass_mark=84,
    )
    assert result.passed is False


def test_a_question_left_unanswered_scores_nothing():
    questions = [single_choice(question_id=1), single_choice(question_id=2)]
    result = attempt_score(questions=questions, responses={"1": "10"}, pass_mark=50)
    assert result.points == 1 and result.max_points == 2
