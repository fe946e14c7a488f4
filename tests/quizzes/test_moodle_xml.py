"""Moodle XML read and written as Moodle's format documentation describes it
(tests/quizzes/moodle_banks/docs_examples.xml), and read safely."""

from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.moodle import BankFileError, BankQuestion, Unsupported
from quizzes.moodle.moodle_xml import parse_moodle_xml, write_moodle_xml

EXAMPLES = (Path(__file__).parent / "moodle_banks" / "docs_examples.xml").read_bytes()


@pytest.fixture(scope="module")
def entries():
    return parse_moodle_xml(EXAMPLES)


def test_each_supported_type_is_read_with_its_line(entries):
    assert [(entry.line, entry.kind) for entry in entries if isinstance(entry, BankQuestion)] == [
        (7, "single_choice"),
        (28, "multiple_response"),
        (36, "true_false"),
        (42, "ordering"),
        (51, "multiple_response"),
    ]
    assert [
        (entry.line, entry.moodle_type) for entry in entries if isinstance(entry, Unsupported)
    ] == [(58, "essay"), (62, "cloze (embedded answers)")]


def test_html_in_cdata_becomes_plain_text(entries):
    question = entries[0]
    assert (question.title, question.text) == (
        "Work account",
        "Which account do you use to message a parent?",
    )
    assert question.general_feedback == "Policy 4.2 & 4.3."
    assert [(a.text, a.weight, a.feedback) for a in question.answers] == [
        ("The work account", Decimal(100), "Yes."),
        ("A personal account", Decimal(0), "No: never a personal one."),
    ]


def test_weights_and_the_all_or_nothing_type_map_to_multiple_response(entries):
    assert entries[1].partial_credit == "per_option"
    assert [a.weight > 0 for a in entries[1].answers] == [True, True, False]
    assert entries[4].partial_credit == "all_or_nothing"


def test_true_false_keeps_each_answers_feedback(entries):
    question = entries[2]
    assert question.correct_answer is False
    assert (question.feedback_true, question.feedback_false) == ("No.", "Right.")


def test_ordering_items_follow_their_numbers(entries):
    assert [a.text for a in entries[3].answers] == [
        "Stop and screenshot",
        "Record it",
        "Tell your manager",
    ]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<quiz><question type="truefalse"><name><text>x</text></name>
<questiontext><text>&secret;</text></questiontext></question></quiz>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<quiz><question type="truefalse"><questiontext><text>&b;</text></questiontext></question></quiz>"""


@pytest.mark.parametrize("xml", [XXE, LAUGHS])
def test_entities_and_doctypes_are_refused_not_expanded(xml):
    with pytest.raises(BankFileError) as error:
        parse_moodle_xml(xml)
    assert error.value.problems == [(1, "a DOCTYPE is not allowed in a question bank")]


@pytest.mark.parametrize(
    ("xml", "line", "message"),
    [
        (b"<quiz>\n<question type='truefalse'>\n</quiz>", 3, "not well-formed XML"),
        (b"<questions/>", 1, "the root element is <questions>, not <quiz>"),
        (b"<quiz>\n<item/></quiz>", 2, "<item> where a <question> was expected"),
        (
            b"<quiz>\n<question type='multichoice'><answer fraction='100'><text>a</text></answer>"
            b"</question></quiz>",
            2,
            "has no <questiontext>",
        ),
        (
            b"<quiz>\n\n<question type='truefalse'><questiontext><text>Q</text></questiontext>"
            b"<answer fraction='100'><text>true</text></answer>"
            b"<answer fraction='100'><text>false</text></answer></question></quiz>",
            3,
            "exactly one of",
        ),
        (
            b"<quiz><question type='multichoice'><questiontext><text>Q</text></questiontext>\n"
            b"<answer fraction='lots'><text>a</text></answer></question></quiz>",
            2,
            "“lots” is not a percentage weight",
        ),
        (
            b"<quiz><question type='multichoice'><questiontext><text>Q</text></questiontext>"
            b"<answer fraction='0'><text>a</text></answer>"
            b"<answer fraction='0'><text>b</text></answer></question></quiz>",
            1,
            "no answer gets any credit",
        ),
    ],
)
def test_bad_files_are_named_by_line(xml, line, message):
    with pytest.raises(BankFileError) as error:
        parse_moodle_xml(xml)
    (problem_line, problem), *_ = error.value.problems
    assert problem_line == line
    assert message in problem


def test_what_is_written_reads_back_the_same(entries):
    questions = [entry for entry in entries if isinstance(entry, BankQuestion)]
    written = write_moodle_xml(questions)
    assert written.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<quiz>")
    read = parse_moodle_xml(written)

    def essence(question):
        return (
            question.kind,
            question.text,
            question.general_feedback,
            question.correct_answer,
            question.feedback_true,
            question.feedback_false,
            [(a.text, a.weight > 0, a.feedback) for a in question.answers],
        )

    assert [essence(q) for q in read] == [essence(q) for q in questions]


def test_multiple_answers_are_written_with_grades_moodle_accepts(entries):
    written = write_moodle_xml([entries[1]]).decode()
    assert written.count('fraction="50"') == 2
    assert written.count('fraction="-50"') == 1  # a wrong pick takes one share away


def test_a_one_answer_question_crediting_two_answers_is_unsupported():
    (entry,) = parse_moodle_xml(
        b"<quiz><question type='multichoice'><questiontext><text>Q</text></questiontext>"
        b"<single>true</single><answer fraction='100'><text>a</text></answer>"
        b"<answer fraction='50'><text>b</text></answer></question></quiz>"
    )
    assert isinstance(entry, Unsupported)
    assert "giving credit to several answers" in entry.message
