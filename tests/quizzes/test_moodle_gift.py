"""GIFT read and written as Moodle's format documentation describes it (tests/quizzes/moodle_banks/
docs_examples.gift holds its examples, rewritten for this platform's policies)."""

from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.moodle import BankAnswer, BankFileError, BankQuestion, Unsupported
from quizzes.moodle.gift import gift_escape, parse_gift, write_gift

EXAMPLES = (Path(__file__).parent / "moodle_banks" / "docs_examples.gift").read_text()


@pytest.fixture(scope="module")
def entries():
    return parse_gift(EXAMPLES)


def test_every_supported_question_is_read_with_its_line(entries):
    questions = [entry for entry in entries if isinstance(entry, BankQuestion)]
    assert [(question.line, question.kind) for question in questions] == [
        (5, "true_false"),
        (7, "single_choice"),
        (13, "multiple_response"),
        (22, "single_choice"),
        (24, "single_choice"),
    ]


def test_types_we_have_not_got_are_named_with_their_lines(entries):
    unsupported = [entry for entry in entries if isinstance(entry, Unsupported)]
    assert [(entry.line, entry.moodle_type) for entry in unsupported] == [
        (29, "essay"),
        (31, "numerical"),
        (33, "matching"),
        (35, "short answer"),
        (37, "description (text without answers)"),
    ]
    assert "“Essay”: essay is not a question type" in unsupported[0].message


def test_true_false_feedback_goes_to_the_answer_it_is_for(entries):
    question = entries[0]
    assert question.title == "TF1"
    assert question.correct_answer is False
    # {FALSE#when wrong#when right}: someone answering "True" is wrong.
    assert question.feedback_true == "It is never allowed."
    assert question.feedback_false == "Right: never."
    assert question.general_feedback == "See the policy on personal accounts."


def test_escaped_characters_are_text_not_structure(entries):
    question = entries[1]
    assert question.text == "Which of these needs escaping in GIFT: ~ = # { } ?"
    assert [(answer.text, answer.weight, answer.feedback) for answer in question.answers] == [
        ("All of ~ = # { } :", Decimal(100), "Right: every one."),
        ("None", Decimal(0), "Wrong."),
        ("Only #", Decimal(0), "Wrong."),
    ]


def test_weights_make_a_multiple_answer_question_with_per_answer_credit(entries):
    question = entries[2]
    assert question.kind == "multiple_response"
    assert question.partial_credit == "per_option"
    assert (
        question.text == "Which **two** apply\nto a WhatsApp group with a parent?"
    )  # markdown kept
    assert [(answer.text, answer.weight) for answer in question.answers] == [
        ("It needs your manager's agreement first", Decimal(50)),  # a multi-line answer
        ("Messages are kept as records", Decimal(50)),
        ("Children may be added", Decimal(-100)),
    ]


def test_a_missing_word_question_gets_a_blank(entries):
    assert entries[3].text == "Staff must report a concern _____ to the designated lead."
    assert [answer.weight > 0 for answer in entries[3].answers] == [True, False, False]


def test_html_is_read_as_plain_text_and_an_answer_can_change_format(entries):
    question = entries[4]
    assert question.text == "Pick the safe option & explain."
    assert question.answers[0].text == "Use the work account"
    assert question.answers[0].feedback == "Yes, the work account."


def test_comments_and_categories_are_not_questions():
    assert parse_gift("// only a comment\n\n$CATEGORY: $course$/top\n") == []


@pytest.mark.parametrize(
    ("gift", "line", "message"),
    [
        ("// c\n\n::T:: Unclosed {\n=a\n~b\n", 3, "never closed with }"),
        ("::T Never closed {=a ~b}", 1, "title opened with :: is never closed"),
        ("\n\nQ? {\n=a\n~b { }", 3, "a { inside the answers"),
        ("Q? {=a ~b} and {=c ~d}", 1, "a second { } after the answers"),
        ("Q? {\n\nx}", 1, "never closed"),  # a blank line ends the question
        ("Q? {\n~%abc%a\n=b}", 2, "“abc” is not a percentage weight"),
        ("Q? {\n~%150%a\n=b}", 2, "outside -100% to 100%"),
        ("Q? {~a ~b}", 1, "no answer gets any credit"),
        ("Q? {=a}", 1, "short answer"),
        ("Q? {maybe}", 1, "answers start with = (right) or ~ (wrong)"),
        ("Q? {T#a#b#c}", 1, "at most two pieces of feedback"),
        ("Q? {=a ~   #no text}", 1, "an answer has no text"),
    ],
)
def test_bad_questions_are_named_by_line(gift, line, message):
    try:
        entries = parse_gift(gift)
    except BankFileError as error:
        assert error.problems[0][0] == line
        assert message in error.problems[0][1]
    else:
        assert isinstance(entries[0], Unsupported)
        assert (entries[0].line, entries[0].moodle_type) == (line, message)


def test_every_bad_question_of_a_file_is_reported_at_once():
    with pytest.raises(BankFileError) as error:
        parse_gift("Q1? {=a\n\nQ2? {~a ~b}\n\nQ3? {=a ~b}")
    assert [line for line, _ in error.value.problems] == [1, 3]


def test_partial_credit_for_a_wrong_answer_of_a_one_answer_question_is_unsupported():
    (entry,) = parse_gift("Q? {=right ~%50%half ~wrong}")
    assert isinstance(entry, Unsupported)
    assert entry.moodle_type == "one-answer multiple choice giving credit to several answers"


def test_the_writer_escapes_what_the_reader_unescapes():
    awkward = "a\\b ~ = # { } : and\ntwo lines"
    assert gift_escape(awkward) == "a\\\\b \\~ \\= \\# \\{ \\} \\: and\\ntwo lines"
    question = BankQuestion(
        line=1,
        kind="single_choice",
        title="T: 1",
        text=awkward,
        general_feedback="Why: {this}",
        answers=[
            BankAnswer(awkward, Decimal(100), "fb # 1"),
            BankAnswer("other", Decimal(0), ""),
        ],
    )
    (read,) = parse_gift(write_gift([question]))
    assert (read.title, read.text, read.general_feedback) == ("T: 1", awkward, "Why: {this}")
    assert [(a.text, a.weight, a.feedback) for a in read.answers] == [
        (awkward, Decimal(100), "fb # 1"),
        ("other", Decimal(0), ""),
    ]


def test_multiple_response_is_written_with_moodle_grades():
    question = parse_gift("Q {~%50%a ~%50%b ~%0%c ~%-100%d}")[0]
    written = write_gift([question])
    assert "~%50%a" in written and "~%-50%c" in written and "~%-50%d" in written
    read = parse_gift(written)[0]
    assert [answer.weight > 0 for answer in read.answers] == [True, True, False, False]
