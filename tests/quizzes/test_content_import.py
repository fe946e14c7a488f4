"""Questions created from the shipped content format, and clear errors for bad content."""

import json

import pytest

from quizzes.content_import import ContentError, content_load, question_create_from_spec
from quizzes.models import (
    MultipleResponseQuestion,
    OrderingQuestion,
    Question,
    ScenarioJudgementQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from tests.factories import QuizFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def make(module, clause):
    quiz = QuizFactory(module=module)

    def clause_for(key):
        if key != "doc:2.19":
            raise ContentError(f"clause {key} is not in the policy library")
        return clause

    def create(spec):
        return question_create_from_spec(spec=spec, quiz=quiz, sort_order=0, clause_for=clause_for)

    return create


def _option(text, correct=False, **extra):
    return {
        "text": text,
        "correct": correct,
        "feedback": f"Because {text}",
        "clause": "doc:2.19",
        **extra,
    }


def _spec(kind, **fields):
    return {
        "type": kind,
        "key": "q1",
        "topic": "T",
        "critical": False,
        "policy": "doc",
        "text": "Q?",
        "explanation": "E",
        **fields,
    }


def test_every_type_is_created_with_its_options_feedback_and_clause(make, clause):
    single = make(_spec("single_choice", options=[_option("A", True), _option("B")]))
    multiple = make(
        _spec(
            "multiple_response",
            key="q2",
            options=[_option("A", True), _option("B", True), _option("C")],
        )
    )
    ordering = make(
        _spec(
            "ordering",
            key="q3",
            items=[
                {"text": "First", "feedback": "1st", "clause": "doc:2.19"},
                {"text": "Second", "feedback": "2nd", "clause": "doc:2.19"},
            ],
        )
    )
    scenario = make(
        _spec(
            "scenario_judgement",
            key="q4",
            actions=[
                {"text": "Do", "appropriate": True, "feedback": "Yes", "clause": "doc:2.19"},
                {"text": "Don't", "appropriate": False, "feedback": "No", "clause": "doc:2.19"},
            ],
        )
    )
    true_false = make(
        _spec(
            "true_false",
            key="q5",
            answer=False,
            feedback_true="T",
            feedback_false="F",
            clause="doc:2.19",
        )
    )
    assert isinstance(single, SingleChoiceQuestion) and isinstance(
        multiple, MultipleResponseQuestion
    )
    assert isinstance(ordering, OrderingQuestion) and isinstance(
        scenario, ScenarioJudgementQuestion
    )
    assert isinstance(true_false, TrueFalseQuestion) and true_false.correct_answer is False
    assert [o["correct"] for o in multiple.snapshot()["options"]] == [True, True, False]
    assert [(o["text"], o["position"]) for o in ordering.snapshot()["options"]] == [
        ("First", 1),
        ("Second", 2),
    ]
    assert [
        (o["text"], o["appropriate"], o["feedback"]) for o in scenario.snapshot()["options"]
    ] == [("Do", True, "Yes"), ("Don't", False, "No")]
    # Every option's clause is reachable from the clause: "what cites this clause" finds them.
    assert clause.quiz_options.count() == 2 + 3 + 2 + 2
    assert list(clause.true_false_questions.all()) == [true_false]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            _spec("single_choice", options=[_option("A", True), _option("B", True)]),
            "exactly one correct option",
        ),
        (
            _spec("multiple_response", options=[_option("A"), _option("B")]),
            "at least one correct option",
        ),
        (
            _spec("ordering", items=[{"text": "Only", "feedback": "F", "clause": "doc:2.19"}]),
            "at least two options",
        ),
        (_spec("ordering", items="not a list"), "“items” must be a list"),
        (
            _spec(
                "scenario_judgement", actions=[{"text": "A", "feedback": "F", "clause": "doc:2.19"}]
            ),
            "needs “appropriate”",
        ),
        (
            _spec(
                "scenario_judgement",
                actions=[
                    {"text": "A", "appropriate": True, "clause": "doc:2.19"},
                    {"text": "B", "appropriate": False, "feedback": "F", "clause": "doc:2.19"},
                ],
            ),
            "“feedback” is missing",
        ),
        (
            _spec(
                "true_false", answer="yes", feedback_true="T", feedback_false="F", clause="doc:2.19"
            ),
            "must be true or false",
        ),
        (
            _spec("true_false", answer=True, feedback_false="F", clause="doc:2.19"),
            "“feedback_true” is missing",
        ),
        (_spec("essay"), "unknown question type “essay”"),
        (
            _spec("single_choice", options=[_option("A", True), _option("B", clause="doc:9.9")]),
            "clause doc:9.9",
        ),
        (
            _spec(
                "multiple_response",
                partial_credit="generous",
                options=[_option("A", True), _option("B")],
            ),
            "partial_credit",
        ),
    ],
)
def test_bad_content_raises_a_clear_content_error_and_creates_nothing(make, spec, message):
    with pytest.raises(ContentError, match=message):
        make(spec)
    assert not Question.objects.exists()


def test_a_bad_question_leaves_nothing_of_its_module_behind(tmp_path, db, wagtail_root):
    (tmp_path / "policies.json").write_text(
        json.dumps(
            {
                "organisations": [{"key": "org", "name": "Org"}],
                "documents": [
                    {
                        "key": "doc",
                        "title": "Policy",
                        "organisation": "Org",
                        "audience": ["org"],
                        "version": "1",
                        "clauses": [{"reference": "2.19", "heading": "H", "summary": "S"}],
                    }
                ],
            }
        )
    )
    module = {
        "slug": "m",
        "title": "M",
        "summary": "S",
        "learning_outcomes": [],
        "estimated_minutes": 5,
        "validity_months": 12,
        "base_competence": False,
        "steps": [
            {"type": "narrative", "heading": "H", "body_html": "<p>B</p>"},
            {"type": "policy_extract", "clause": "doc:2.19", "commentary": "Why."},
        ],
        "quiz": {
            "title": "Q",
            "pass_mark": 80,
            "questions": [
                _spec("single_choice", options=[_option("A", True), _option("B")]),
                _spec("ordering", key="q2", items=[]),
            ],
        },
    }
    (tmp_path / "module-1-m.json").write_text(json.dumps(module))
    # A bad module file is reported (the loader goes on to the next file) and loads nothing.
    summary = content_load(directory=tmp_path)
    assert any("question q2:" in error for error in summary["errors"]), summary["errors"]
    assert not Question.objects.exists()
