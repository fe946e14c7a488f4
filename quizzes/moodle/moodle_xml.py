"""Moodle XML, Moodle's full question format: read into ``BankQuestion`` and written back.

A ``<quiz>`` holds ``<question type="…">`` elements, each with ``<name>``, ``<questiontext>``,
``<generalfeedback>`` and ``<answer fraction="…">`` (text and ``<feedback>``); texts carry a
``format`` (html, moodle_auto_format, plain_text, markdown) and HTML usually sits in CDATA.
Read: multichoice (``<single>`` true: single choice; false: multiple response with per-option
credit), multichoiceset (the all-or-nothing plugin), truefalse and ordering (answers in the right
order, or numbered by their fraction). Other types are reported as unsupported; category entries
are skipped.

The file is parsed with lxml with entity expansion, DTD loading and network access off, and a
file with a DOCTYPE is refused outright: a question bank has no use for one, and that is where
XXE and entity-expansion attacks live."""

from decimal import Decimal

from lxml import etree

from . import (
    FULL_MARK,
    MULTIPLE_RESPONSE,
    ORDERING,
    SINGLE_CHOICE,
    TRUE_FALSE,
    BankAnswer,
    BankFileError,
    BankQuestion,
    Unsupported,
    choice_kind,
    multiple_response_weights,
    weight_parse,
)
from .text_formats import as_plain_text

TYPE_NAMES = {
    "shortanswer": "short answer",
    "numerical": "numerical",
    "essay": "essay",
    "match": "matching",
    "matching": "matching",
    "cloze": "cloze (embedded answers)",
    "multianswer": "cloze (embedded answers)",
    "description": "description",
    "calculated": "calculated",
    "calculatedsimple": "calculated",
    "calculatedmulti": "calculated multichoice",
    "randomsamatch": "random short-answer matching",
    "ddwtos": "drag and drop into text",
    "gapselect": "select missing words",
}


def _parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_moodle_xml(content):
    """The questions of a Moodle XML file (bytes or text), in order: ``BankQuestion`` and
    ``Unsupported`` entries. BankFileError lists every problem with its line."""
    if isinstance(content, str):
        content = content.encode()
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as error:
        raise BankFileError([(error.lineno, f"not well-formed XML: {error.msg}")]) from error
    if root.getroottree().docinfo.doctype:
        raise BankFileError([(1, "a DOCTYPE is not allowed in a question bank")])
    if root.tag != "quiz":
        raise BankFileError([(root.sourceline, f"the root element is <{root.tag}>, not <quiz>")])
    entries, problems = [], []
    for element in root:
        if element.tag != "question":
            problems.append(
                (element.sourceline, f"<{element.tag}> where a <question> was expected")
            )
            continue
        try:
            entry = _question(element)
        except BankFileError as error:
            problems.extend(error.problems)
            continue
        if entry is not None:
            entries.append(entry)
    if problems:
        raise BankFileError(problems)
    return entries


def _text_of(element, default_format="html", *, collapse=False):
    """The plain text of an element that holds ``<text>`` (and a ``format``); "" when absent."""
    if element is None:
        return ""
    text_element = element.find("text")
    raw = (text_element.text or "") if text_element is not None else ""
    text_format = element.get("format", default_format)
    if text_format == "plain_text":
        text_format = "plain"
    text = as_plain_text(raw, text_format)
    return " ".join(text.split()) if collapse else text


def _question(element):
    line = element.sourceline
    question_type = element.get("type", "")
    if question_type == "category":
        return None
    title = _text_of(element.find("name"), "plain", collapse=True)
    if question_type not in ("multichoice", "multichoiceset", "truefalse", "ordering"):
        return Unsupported(line, TYPE_NAMES.get(question_type, question_type or "untyped"), title)
    text_element = element.find("questiontext")
    text = _text_of(text_element, "html")
    if not text:
        raise BankFileError([(line, "the question has no <questiontext>")])
    text_format = text_element.get("format", "html")
    common = {
        "line": line,
        "title": title,
        "text": text,
        "general_feedback": _text_of(element.find("generalfeedback"), text_format),
    }
    answers = [_answer(answer, text_format) for answer in element.findall("answer")]
    if question_type == "truefalse":
        return _true_false(answers, common)
    if question_type == "ordering":
        return _ordering(element, answers, common)
    if question_type == "multichoiceset":
        _check_choices(answers, line)
        return BankQuestion(
            kind=MULTIPLE_RESPONSE, answers=answers, partial_credit="all_or_nothing", **common
        )
    single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
    kind = choice_kind(answers, single=single, line=line, title=title)
    if isinstance(kind, Unsupported):
        return kind
    return BankQuestion(
        kind=kind,
        answers=answers,
        partial_credit="per_option" if kind == MULTIPLE_RESPONSE else "",
        **common,
    )


def _answer(element, text_format):
    return BankAnswer(
        text=_text_of(element, element.get("format", text_format), collapse=True),
        weight=weight_parse(element.get("fraction", "0"), line=element.sourceline),
        feedback=_text_of(element.find("feedback"), text_format),
    )


def _check_choices(answers, line):
    if len(answers) < 2:
        raise BankFileError([(line, "needs at least two <answer> elements")])
    if not any(answer.weight > 0 for answer in answers):
        raise BankFileError([(line, "no answer gets any credit, so none is right")])


def _true_false(answers, common):
    by_text = {answer.text.lower(): answer for answer in answers}
    if len(answers) != 2 or set(by_text) != {"true", "false"}:
        raise BankFileError(
            [(common["line"], "a truefalse question has two answers, “true” and “false”")]
        )
    if (by_text["true"].weight == FULL_MARK) == (by_text["false"].weight == FULL_MARK):
        raise BankFileError(
            [(common["line"], "exactly one of “true” and “false” must have fraction 100")]
        )
    return BankQuestion(
        kind=TRUE_FALSE,
        correct_answer=by_text["true"].weight == FULL_MARK,
        feedback_true=by_text["true"].feedback,
        feedback_false=by_text["false"].feedback,
        **common,
    )


def _ordering(element, answers, common):
    """qtype_ordering lists the items in the right order, each numbered by its fraction (and
    each may carry feedback, which our steps keep)."""
    if len(answers) < 2:
        raise BankFileError([(common["line"], "an ordering question needs at least two items")])
    if any(not answer.text for answer in answers):
        raise BankFileError([(common["line"], "an ordering item has no text")])
    in_order = sorted(enumerate(answers), key=lambda pair: (pair[1].weight, pair[0]))
    if len({answer.weight for answer in answers}) == len(answers):
        answers = [answer for _, answer in in_order]
    return BankQuestion(
        kind=ORDERING,
        answers=[
            BankAnswer(text=answer.text, weight=FULL_MARK, feedback=answer.feedback)
            for answer in answers
        ],
        **common,
    )


# Writing ---------------------------------------------------------------------------------------


def _text_element(parent, tag, text, *, text_format="plain_text"):
    element = etree.SubElement(parent, tag)
    if text_format:
        element.set("format", text_format)
    etree.SubElement(element, "text").text = text
    return element


def _answer_element(question, fraction, answer):
    element = _text_element(question, "answer", answer.text)
    element.set("fraction", fraction)
    _text_element(element, "feedback", answer.feedback)
    return element


def write_moodle_xml(questions):
    """A Moodle XML file of ``questions`` (``BankQuestion``), as bytes; texts in plain_text
    format, grades only from Moodle's list."""
    quiz = etree.Element("quiz")
    for bank_question in questions:
        moodle_type = {
            SINGLE_CHOICE: "multichoice",
            MULTIPLE_RESPONSE: "multichoice",
            TRUE_FALSE: "truefalse",
            ORDERING: "ordering",
        }[bank_question.kind]
        question = etree.SubElement(quiz, "question", type=moodle_type)
        _text_element(
            question,
            "name",
            bank_question.title or " ".join(bank_question.text.split())[:100],
            text_format=None,
        )
        _text_element(question, "questiontext", bank_question.text)
        _text_element(question, "generalfeedback", bank_question.general_feedback)
        etree.SubElement(question, "defaultgrade").text = "1.0000000"
        etree.SubElement(question, "penalty").text = "0.3333333"
        etree.SubElement(question, "hidden").text = "0"
        if bank_question.kind == TRUE_FALSE:
            for value, feedback in (
                (True, bank_question.feedback_true),
                (False, bank_question.feedback_false),
            ):
                fraction = "100" if bank_question.correct_answer == value else "0"
                _answer_element(
                    question, fraction, BankAnswer(str(value).lower(), Decimal(0), feedback)
                )
        elif bank_question.kind == ORDERING:
            for tag, value in (
                ("layouttype", "VERTICAL"),
                ("selecttype", "ALL"),
                ("selectcount", "0"),
                ("gradingtype", "ALL_OR_NOTHING"),
                ("showgrading", "SHOW"),
                ("numberingstyle", "none"),
            ):
                etree.SubElement(question, tag).text = value
            for position, answer in enumerate(bank_question.answers, start=1):
                _answer_element(question, str(position), answer)
        else:
            single = bank_question.kind == SINGLE_CHOICE
            etree.SubElement(question, "single").text = "true" if single else "false"
            etree.SubElement(question, "shuffleanswers").text = "true"
            etree.SubElement(question, "answernumbering").text = "abc"
            for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
                _text_element(question, tag, "")
            correct = sum(answer.weight > 0 for answer in bank_question.answers)
            right, wrong = (
                ("100", "0")
                if single
                else multiple_response_weights(correct, len(bank_question.answers) - correct)
            )
            for answer in bank_question.answers:
                _answer_element(question, right if answer.weight > 0 else wrong, answer)
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)
