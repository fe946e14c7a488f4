"""The content check over plain quiz data: each refusal, its wording for an author, and the shipped
quizzes passing it."""

import json

import pytest

from modules.content_import import CONTENT_DIR
from quizzes.content_checks import (
    bank_size_problems,
    cited_clauses,
    key_cue_problems,
    key_position_problems,
    organisation_problems,
    quiz_content_problems,
    untaught_problems,
)

ORGANISATIONS = {
    "council-policy": "Northshire Council",
    "council-guidelines": "Northshire Council",
    "trust-policy": "Southside Trust",
}


def _single(key, right_at, *, options=4, topic="T", policy="council-policy"):
    return {
        "type": "single_choice",
        "key": key,
        "topic": topic,
        "policy": policy,
        "options": [
            {
                "text": f"Option {n}",
                "correct": n == right_at,
                "feedback": f"Why option {n} is {'right' if n == right_at else 'wrong'}.",
                "clause": f"{policy}:1",
            }
            for n in range(1, options + 1)
        ],
    }


def _true_false(key, *, topic="T", policy="council-policy", clause=None):
    return {
        "type": "true_false",
        "key": key,
        "topic": topic,
        "policy": policy,
        "answer": True,
        "feedback_true": "Why it is true.",
        "feedback_false": "Why it is not false.",
        "clause": clause or f"{policy}:1",
    }


def test_keys_spread_over_positions_pass():
    quiz = {"questions": [_single(f"q{n}", right_at=n % 4 + 1) for n in range(8)]}
    assert key_position_problems(quiz=quiz) == []


def test_a_position_holding_more_than_forty_percent_of_single_choice_keys_is_refused():
    # 3 of 7 is 43 %.
    positions = [1, 1, 1, 2, 3, 4, 2]
    quiz = {"questions": [_single(f"q{n}", right_at=p) for n, p in enumerate(positions)]}
    assert key_position_problems(quiz=quiz) == [
        "The first option is the right answer in 3 of the 7 single-choice questions (43 %); "
        "no position may hold more than 40 %, so move some right answers to other positions."
    ]


def test_exactly_forty_percent_passes_and_other_question_types_do_not_count():
    positions = [1, 1, 2, 3, 4]
    multiple = {
        "type": "multiple_response",
        "key": "m",
        "policy": "council-policy",
        "options": [{"text": "A", "correct": True, "clause": "council-policy:1"}],
    }
    quiz = {
        "questions": [_single(f"q{n}", right_at=p) for n, p in enumerate(positions)]
        + [multiple] * 3
    }
    assert key_position_problems(quiz=quiz) == []


def test_the_shipped_habit_of_keying_the_first_option_is_refused():
    quiz = {"questions": [_single(f"q{n}", right_at=1) for n in range(6)]}
    [problem] = key_position_problems(quiz=quiz)
    assert "first option is the right answer in 6 of the 6" in problem


def test_one_or_two_single_choice_questions_cannot_spread_further_and_pass():
    assert key_position_problems(quiz={"questions": [_single("q1", right_at=1)]}) == []
    two = {"questions": [_single("q1", right_at=1), _single("q2", right_at=2)]}
    assert key_position_problems(quiz=two) == []


def test_a_topic_smaller_than_twice_its_draw_is_refused():
    quiz = {
        "questions": [
            _single("q1", 1, topic="Friends"),
            _single("q2", 2, topic="Friends"),
            _single("q3", 3, topic="Threats"),
        ],
        "topic_draws": [{"topic": "Friends", "count": 1}, {"topic": "Threats", "count": 1}],
    }
    assert bank_size_problems(quiz=quiz) == [
        "Topic “Threats” has 1 question but 1 is drawn from it per attempt; it needs at least 2 "
        "so that a retry can see different questions."
    ]


def test_a_listed_topic_with_no_questions_is_refused():
    quiz = {"questions": [_single("q1", 1)], "topic_draws": [{"topic": "Missing", "count": 2}]}
    assert bank_size_problems(quiz=quiz) == [
        "Topic “Missing” has 0 questions but 2 are drawn from it per attempt; it needs at least 4 "
        "so that a retry can see different questions."
    ]


def test_a_bank_smaller_than_twice_the_questions_per_attempt_is_refused():
    quiz = {
        "questions": [_single(f"q{n}", n % 4 + 1) for n in range(7)],
        "questions_per_attempt": 4,
    }
    assert bank_size_problems(quiz=quiz) == [
        "The bank has 7 questions but 4 are asked per attempt; it needs at least 8 so that a "
        "retry can see different questions."
    ]
    quiz["questions"].append(_single("q8", 2))
    assert bank_size_problems(quiz=quiz) == []


def test_without_draw_settings_the_bank_size_is_not_judged():
    assert bank_size_problems(quiz={"questions": [_single("q1", 1)]}) == []


@pytest.mark.parametrize(
    "settings, fragment",
    [
        ({"questions_per_attempt": 0}, "Questions per attempt must be a whole number"),
        ({"questions_per_attempt": "12"}, "Questions per attempt must be a whole number"),
        ({"topic_draws": [{"topic": "T"}]}, "Every topic draw needs a topic and a count"),
        (
            {"topic_draws": [{"topic": "T", "count": True}]},
            "Every topic draw needs a topic and a count",
        ),
    ],
)
def test_malformed_draw_settings_are_named(settings, fragment):
    [problem] = bank_size_problems(quiz={"questions": [_single("q1", 1)], **settings})
    assert fragment in problem


def test_a_clause_of_another_organisation_is_refused_wherever_it_is_cited():
    leaking_option = _single("q1", 2)
    leaking_option["options"][3]["clause"] = "trust-policy:4"
    leaking_true_false = _true_false("q2", clause="trust-policy:9")
    quiz = {"questions": [leaking_option, leaking_true_false, _single("q3", 3)]}
    assert organisation_problems(quiz=quiz, organisation_of=ORGANISATIONS) == [
        "Question q1 is about Northshire Council's policy (council-policy) but cites trust-policy:4 "
        "from Southside Trust; cite only Northshire Council's clauses so the answer is the rule "
        "this employer sets.",
        "Question q2 is about Northshire Council's policy (council-policy) but cites trust-policy:9 "
        "from Southside Trust; cite only Northshire Council's clauses so the answer is the rule "
        "this employer sets.",
    ]


def test_another_document_of_the_same_organisation_may_be_cited():
    question = _single("q1", 2)
    question["options"][0]["clause"] = "council-guidelines:3"
    assert (
        organisation_problems(quiz={"questions": [question]}, organisation_of=ORGANISATIONS) == []
    )


def test_a_policy_outside_the_library_is_named():
    quiz = {"questions": [_single("q1", 2, policy="acme")]}
    assert organisation_problems(quiz=quiz, organisation_of=ORGANISATIONS) == [
        "Question q1 names the policy “acme”, which is not in the policy library."
    ]


def test_all_problems_are_reported_together():
    questions = [_single(f"q{n}", 1) for n in range(3)]
    questions[0]["options"][1]["clause"] = "trust-policy:1"
    questions[1]["options"][2]["feedback"] = ""
    quiz = {"questions": questions, "questions_per_attempt": 3}
    problems = quiz_content_problems(
        quiz=quiz, organisation_of=ORGANISATIONS, taught={"council-policy:1"}
    )
    assert len(problems) == 5
    assert problems[0].startswith("The first option") and problems[1].startswith("The bank has 3")
    assert problems[2] == (
        "Question q1 gives no feedback for option 3; say why each is right or wrong."
    )
    assert problems[3].startswith("Question q0 is about Northshire Council's policy")
    assert problems[4].startswith("Question q0 tests trust-policy:1, which no step")


def _lengths(single, *, right, wrong):
    """The question with its keyed option ``right`` words long and every other ``wrong``, all of
    the same word (so that only their lengths differ)."""
    for option in single["options"]:
        option["text"] = " ".join(["same"] * (right if option["correct"] else wrong))
    return single


def _odd_key(single):
    """The question with three wrong options saying one thing three ways and a right one unlike
    them."""
    wrong = iter(
        [
            "Post it, because it is your account",
            "Post it, because it is true",
            "Post it, because your settings are private",
        ]
    )
    for option in single["options"]:
        option["text"] = "Tell your manager" if option["correct"] else next(wrong)
    return single


def test_keys_as_long_as_or_shorter_than_a_wrong_option_pass():
    questions = [
        _lengths(_single("q1", 1), right=30, wrong=30),  # a tie is not a cue
        _lengths(_single("q2", 2), right=20, wrong=30),
        _lengths(_single("q3", 3), right=40, wrong=30),
        _lengths(_single("q4", 4), right=40, wrong=30),
        _lengths(_single("q5", 1), right=10, wrong=30),
    ]
    # Two of five (40 %) keys are the longest: at the limit, not over it.
    assert key_cue_problems(quiz={"questions": questions}) == []


def test_keys_too_often_the_longest_option_are_refused():
    questions = [_lengths(_single(f"q{n}", n % 4 + 1), right=60, wrong=30) for n in range(3)]
    questions += [_lengths(_single("q3", 1), right=20, wrong=30), _true_false("q4")]
    assert key_cue_problems(quiz={"questions": questions}) == [
        "The right answer is the longest option in 3 of the 4 single-choice questions (75 %); "
        "no more than 40 % may be, or picking the longest option passes without knowing the "
        "policy: write some wrong options as fully as the right one, or say the right one more "
        "briefly."
    ]


def test_one_longest_key_alone_is_never_refused():
    quiz = {"questions": [_lengths(_single("q1", 1), right=60, wrong=30)]}
    assert key_cue_problems(quiz=quiz) == []


def test_keys_too_often_the_odd_one_out_are_refused():
    questions = [_odd_key(_single(f"q{n}", n % 4 + 1)) for n in range(3)]
    questions += [_single("q3", 1), _single("q4", 2)]
    assert key_cue_problems(quiz={"questions": questions}) == [
        "The right answer is the odd one out in 3 of the 5 single-choice questions (60 %); no "
        "more than 40 % may be, or picking the odd one out passes without knowing the policy: "
        "write some wrong options in the right one's terms (a wrong requirement, not only a wrong "
        "yes), so that the three wrong ones are not variations of one idea."
    ]


def test_a_right_answer_in_the_terms_of_a_wrong_one_is_not_the_odd_one_out():
    questions = [_odd_key(_single(f"q{n}", n % 4 + 1)) for n in range(3)]
    for question in questions:
        wrong = next(option for option in question["options"] if not option["correct"])
        wrong["text"] = "Tell your friends"  # shares "tell your" with the right answer
    assert key_cue_problems(quiz={"questions": questions}) == []


def test_of_two_options_neither_is_the_odd_one_out():
    questions = [_odd_key(_single(f"q{n}", 1, options=2)) for n in range(3)]
    assert key_cue_problems(quiz={"questions": questions}) == []


def test_a_question_on_clauses_the_module_teaches_passes():
    quiz = {"questions": [_single("q1", 1), _true_false("q2", clause="council-policy:2")]}
    assert untaught_problems(quiz=quiz, taught={"council-policy:1", "council-policy:2"}) == []


def test_a_question_citing_a_clause_no_step_teaches_is_refused_by_name():
    single = _single("q1", 1)
    single["options"][2]["clause"] = "council-policy:3"  # only a wrong option's clause is untaught
    quiz = {
        "questions": [
            single,
            _true_false("q2", clause="council-guidelines:4"),
            _single("q3", 2),
        ]
    }
    assert untaught_problems(quiz=quiz, taught={"council-policy:1"}) == [
        "Question q1 tests council-policy:3, which no step of the module teaches; cite it in a "
        "step (a policy extract or a key rule), or take the question out.",
        "Question q2 tests council-guidelines:4, which no step of the module teaches; cite it in "
        "a step (a policy extract or a key rule), or take the question out.",
    ]


def test_a_question_citing_several_untaught_clauses_names_them_all_once():
    single = _single("q1", 1)
    single["options"][0]["clause"] = "council-policy:9"
    single["options"][1]["clause"] = "council-policy:10"
    single["options"][3]["clause"] = "council-policy:9"
    assert untaught_problems(quiz={"questions": [single]}, taught={"council-policy:1"}) == [
        "Question q1 tests council-policy:10, council-policy:9, which no step of the module "
        "teaches; cite them in a step (a policy extract or a key rule), or take the question out."
    ]


def test_a_module_teaching_nothing_refuses_every_question():
    quiz = {"questions": [_single("q1", 1), _true_false("q2")]}
    assert len(untaught_problems(quiz=quiz, taught=set())) == 2


SHIPPED = sorted(CONTENT_DIR.glob("module-*.json"))


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_every_shipped_quiz_passes_the_content_check(path):
    policies = json.loads((CONTENT_DIR / "policies.json").read_text())
    organisation_of = {doc["key"]: doc["organisation"] for doc in policies["documents"]}
    module = json.loads(path.read_text())
    taught = set(cited_clauses(module["steps"]))
    assert (
        quiz_content_problems(quiz=module["quiz"], organisation_of=organisation_of, taught=taught)
        == []
    )
