"""The simulated learners of `make bench`: what they read from pages and downloads, and that the
harness can tell a leaking platform from a sound one (no timing here)."""

import io
import json
import random
import zipfile

import pytest

from django.core.management import call_command

from bench.strategies import (
    STRATEGIES,
    Memory,
    ShownQuestion,
    answers_first,
    answers_longest,
    answers_odd_one_out,
    answers_random,
    concrete,
    form_parse,
    keys_from_data,
    keys_from_result_page,
    keys_from_zip,
    result_marks,
    semantic,
    strategies_measure,
)
from tests.factories import attempt_begin, ordering_create, scenario_judgement_create


def _shown_form(client, quiz, person):
    attempt = attempt_begin(person=person, quiz=quiz)
    return attempt, form_parse(client.get(f"/quizzes/attempts/{attempt.pk}/").content.decode())


def test_form_parse_reads_every_question_and_field_a_browser_would_send(
    people, quiz, clause, client_for
):
    ordering_create(quiz=quiz, clause=clause, sort_order=3)
    scenario_judgement_create(quiz=quiz, clause=clause, sort_order=4)
    client = client_for(people["staff"])
    attempt, form = _shown_form(client, quiz, people["staff"])
    assert form.form_token
    assert [question.text for question in form.questions] == [
        question["text"] for question in attempt.questions
    ]
    for question, snapshot in zip(form.questions, attempt.questions, strict=True):
        assert question.question_id == str(snapshot["id"])
        option_ids = {option["id"] for option in snapshot["options"]}
        if snapshot["type"] in ("single_choice", "true_false"):
            assert set(question.radios[f"q-{snapshot['id']}"]) == option_ids
        elif snapshot["type"] == "multiple_response":
            assert set(question.checkboxes[f"q-{snapshot['id']}"]) == option_ids
        elif snapshot["type"] == "ordering":
            assert set(question.selects) == {
                f"q-{snapshot['id']}.{option}" for option in option_ids
            }
        else:
            assert set(question.radios) == {f"q-{snapshot['id']}.{option}" for option in option_ids}


def test_every_strategy_answers_every_question_validly(people, quiz, clause, client_for):
    ordering_create(quiz=quiz, clause=clause, sort_order=3)
    scenario_judgement_create(quiz=quiz, clause=clause, sort_order=4)
    client = client_for(people["staff"])
    attempt, form = _shown_form(client, quiz, people["staff"])
    rng = random.Random(1)
    for answer in (
        answers_random,
        answers_first,
        answers_longest,
        answers_odd_one_out,
        Memory().answer,
    ):
        data = {"form_token": form.form_token, "action": "save"}
        for question in form.questions:
            data.update(answer(question, rng))
        response = client.post(
            f"/quizzes/attempts/{attempt.pk}/", data, headers={"accept": "application/json"}
        )
        assert response.json()["saved"] is True, response.json()
        data["form_token"] = form.form_token = response.json()["form_token"]


def test_the_longest_option_is_picked_where_length_can_tell():
    labels = {"short": "No", "long": "Yes, once a parent has agreed in writing", "mid": "Only if"}
    question = ShownQuestion(
        text="May you?",
        radios={"q-1": list(labels), "q-2": ["t", "f"]},
        checkboxes={"q-3": ["a", "b", "c", "d"]},
        labels={
            **{("q-1", value): label for value, label in labels.items()},
            ("q-2", "t"): "True",
            ("q-2", "f"): "False",
            ("q-3", "a"): "A",
            ("q-3", "b"): "Bbbbbb",
            ("q-3", "c"): "Cccccccc",
            ("q-3", "d"): "Dd",
        },
    )
    seen_true_false = set()
    for seed in range(20):
        answers = answers_longest(question, random.Random(seed))
        assert answers["q-1"] == ["long"]
        assert answers["q-3"] == ["b", "c"]
        seen_true_false.add(answers["q-2"][0])
    # Between two labels length says nothing about the key: a guess, either way.
    assert seen_true_false == {"t", "f"}


def test_the_odd_one_out_is_picked_where_three_options_say_one_thing():
    labels = {
        "a": "Post it, because it is your own account",
        "b": "Post it, because the post is true",
        "c": "Don't post it, and tell your manager",
        "d": "Post it, because your account is private",
    }
    question = ShownQuestion(
        text="Do you post it?",
        radios={"q-1": list(labels)},
        checkboxes={"q-2": list(labels)},
        labels={
            **{("q-1", value): label for value, label in labels.items()},
            **{("q-2", value): label for value, label in labels.items()},
        },
    )
    for seed in range(5):
        answers = answers_odd_one_out(question, random.Random(seed))
        assert answers["q-1"] == ["c"]
        # The less typical half: the odd one, and the one of the three least like the others.
        assert answers["q-2"] == ["b", "c"]


def test_keys_are_found_in_any_json_that_marks_options():
    leaked = {
        "quiz_attempts": [
            {
                "questions_shown": [
                    {
                        "id": 7,
                        "type": "single_choice",
                        "text": "Seven?",
                        "options": [
                            {"id": "a1", "text": "No", "correct": False},
                            {"id": "b2", "text": "Yes", "correct": True},
                        ],
                    },
                    {
                        "id": 8,
                        "type": "ordering",
                        "text": "Eight?",
                        "options": [
                            {"id": "c3", "text": "Then", "position": 2},
                            {"id": "d4", "text": "First", "position": 1},
                        ],
                    },
                    {
                        "id": 9,
                        "type": "scenario_judgement",
                        "text": "Nine?",
                        "options": [{"id": "e5", "text": "Act", "appropriate": True}],
                    },
                ]
            }
        ]
    }
    assert keys_from_data(leaked) == {
        "Seven?": ("one", "Yes"),
        "Eight?": ("items", frozenset({("Then", "2"), ("First", "1")})),
        "Nine?": ("items", frozenset({("Act", "appropriate")})),
    }
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr("my-data.json", json.dumps(leaked))
    assert keys_from_zip(archive.getvalue())["Seven?"] == ("one", "Yes")
    # What a learner may see (their own answers, texts) is not a key.
    assert (
        keys_from_data(
            {
                "questions": [
                    {
                        "id": 7,
                        "type": "single_choice",
                        "text": "Seven?",
                        "options": [{"id": "a1", "text": "A"}],
                    }
                ]
            }
        )
        == {}
    )


def test_a_remembered_answer_is_carried_by_its_words_into_a_form_with_new_option_ids():
    first = ShownQuestion(
        text="Q", radios={"q-5": ["x1", "x2"]}, labels={("q-5", "x1"): "Yes", ("q-5", "x2"): "No"}
    )
    again = ShownQuestion(
        text="Q", radios={"q-5": ["y7", "y8"]}, labels={("q-5", "y7"): "No", ("q-5", "y8"): "Yes"}
    )
    remembered = semantic(first, {"q-5": ["x2"]})
    assert remembered == ("one", "No")
    assert concrete(again, remembered) == {"q-5": ["y7"]}
    ordering = ShownQuestion(
        text="O",
        selects={"q-6.a": ["1", "2"], "q-6.b": ["1", "2"]},
        labels={("q-6.a", None): "Call", ("q-6.b", None): "Write"},
    )
    moved = ShownQuestion(
        text="O",
        selects={"q-6.c": ["1", "2"], "q-6.d": ["1", "2"]},
        labels={("q-6.c", None): "Write", ("q-6.d", None): "Call"},
    )
    assert concrete(moved, semantic(ordering, {"q-6.a": ["2"], "q-6.b": ["1"]})) == {
        "q-6.c": ["1"],
        "q-6.d": ["2"],
    }
    assert concrete(again, ("one", "Maybe")) is None  # not an option of this form


def test_result_marks_read_right_and_wrong_near_each_question():
    questions = [
        ShownQuestion(text="Is it allowed?"),
        ShownQuestion(text="Who decides?"),
        ShownQuestion(text="Unmarked?"),
    ]
    html = """<main><div><h3>Question 1: not right</h3><p><strong>Is it allowed?</strong></p></div>
    <div><h3>Question 2: right</h3><p><strong>Who decides?</strong></p></div>
    <div><p>Unmarked?</p><p>Your answer: A</p></div></main>"""
    assert result_marks(html, questions=questions) == {
        "Is it allowed?": False,
        "Who decides?": True,
    }
    # Without the question's words nearby, the numbered headings say which question is which.
    numbered = "<h3>Question 1 (critical): right</h3><h3>Question 3: partly right</h3>"
    assert result_marks(numbered, questions=questions) == {
        "Is it allowed?": True,
        "Unmarked?": False,
    }


def test_a_page_that_names_the_expected_option_gives_the_key_away():
    question = ShownQuestion(
        text="Q", radios={"q-5": ["50", "51"]}, labels={("q-5", "50"): "Yes", ("q-5", "51"): "No"}
    )
    assert keys_from_result_page(
        "<p>The answer the policy expects: “No”.</p>", questions=[question]
    ) == {"Q": ("one", "No")}
    assert keys_from_result_page("<p>Re-read clause 2.1.</p>", questions=[question]) == {}


def test_memory_reuses_what_was_right_and_never_repeats_what_was_wrong():
    labels = {("q-5", "50"): "A", ("q-5", "51"): "B", ("q-5", "52"): "C"}
    question = ShownQuestion(text="Q", radios={"q-5": ["50", "51", "52"]}, labels=labels)
    memory = Memory(wrong={"Q": [("one", "A"), ("one", "B")]})
    rng = random.Random(3)
    assert {memory.answer(question, rng)["q-5"][0] for _ in range(20)} == {"52"}
    memory.right["Q"] = ("one", "B")
    assert memory.answer(question, rng) == {"q-5": ["51"]}
    memory.keys["Q"] = ("one", "A")
    assert memory.answer(question, rng) == {"q-5": ["50"]}


@pytest.mark.django_db(transaction=False)
def test_measure_on_the_shipped_quizzes_reports_every_strategy_against_a_learner_who_knows_the_key(
    wagtail_root,
):
    from quizzes.models import Quiz

    call_command("load_content", verbosity=0)
    # One attempt each, so that the three attempts at each quiz need three learners in turn.
    Quiz.objects.update(max_attempts=1)
    figures = strategies_measure(attempts=12, cooldowns=1, log=lambda message: None)
    assert [figure.name for figure in figures] == [
        f"quiz strategy: {name}: pass rate" for name in STRATEGIES
    ]
    for figure in figures:
        assert figure.yardstick_value == 1.0  # the harness can pass: the yardstick always does
        assert figure.extra["attempts"] >= 12
        assert 0 <= figure.value <= 1
        assert 0 <= figure.extra["mean_score"] <= 1
        by_organisation = figure.extra["by_organisation"]
        # Learners take turns among the organisations whose staff can take each quiz: three for
        # the first (personal use, all four can), three for the last (no Probation).
        assert set(by_organisation) == {
            "cafcass",
            "hertfordshire",
            "probation",
            "together4children",
        }
        assert (
            sum(summary["attempts"] for summary in by_organisation.values())
            == (figure.extra["attempts"])
        )
        assert (
            sum(summary["passed"] for summary in by_organisation.values())
            == (figure.extra["passed"])
        )
        assert figure.passed == (figure.value <= float(figure.goal.removeprefix("<= ")))
    from quizzes.models import Attempt

    assert not Attempt.objects.exists()  # everything it did was rolled back


@pytest.mark.django_db(transaction=False)
def test_only_organisations_whose_staff_can_take_a_quiz_are_its_audiences(wagtail_root):
    from bench.strategies import quiz_audiences
    from quizzes.models import Quiz

    call_command("load_content", verbosity=0)
    audiences = {
        quiz.module.slug: [organisation.code for organisation in quiz_audiences(quiz)]
        for quiz in Quiz.objects.select_related("module")
    }
    assert audiences == {
        "your-personal-use-of-social-media": [
            "cafcass",
            "hertfordshire",
            "probation",
            "together4children",
        ],
        # Together4Children's policy says too little on privacy settings for a fair draw.
        "privacy-and-security-settings": ["cafcass", "hertfordshire", "probation"],
        # Neither Probation's nor Together4Children's documents say anything on WhatsApp.
        "whatsapp-with-children-and-families": ["cafcass", "hertfordshire"],
        "viewing-service-users-social-media": ["cafcass", "hertfordshire", "together4children"],
    }


@pytest.mark.django_db(transaction=False)
def test_learners_out_of_attempts_make_way_for_new_ones_and_a_quiz_nobody_can_start_fails_loudly(
    wagtail_root,
):
    from django.db import transaction

    from bench.strategies import strategy_run
    from quizzes.models import Quiz

    call_command("load_content", verbosity=0)
    quizzes = list(Quiz.objects.select_related("module").order_by("module__path")[:1])
    Quiz.objects.update(max_attempts=2)
    tally = strategy_run(
        strategy="random answers",
        quizzes=quizzes,
        attempts=5,
        cooldowns=None,
        rng=random.Random(2),
        log=lambda message: None,
    )
    assert (
        tally.attempts == 5 and tally.refused_starts >= 2
    )  # three learners, two of them turned away
    Quiz.objects.update(questions_per_attempt=1000)  # more than the bank: no attempt can start
    with pytest.raises(RuntimeError, match="cannot start"), transaction.atomic():
        strategy_run(
            strategy="random answers",
            quizzes=quizzes,
            attempts=1,
            cooldowns=None,
            rng=random.Random(2),
            log=lambda message: None,
        )
