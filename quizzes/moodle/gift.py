"""GIFT, Moodle's plain-text question format: read into ``BankQuestion`` and written back.

Reading follows Moodle's own reader (question/format/gift/format.php) and its documentation:
questions are separated by blank lines; a line starting with ``//`` is a comment; ``::title::``
names a question; ``[html]``, ``[moodle]``, ``[plain]`` or ``[markdown]`` marks a text's format
(answers and feedback take the question text's format unless they carry their own); a backslash
escapes ``~ = # { } :`` (and ``\\\\``), and ``\\n`` is a new line. The answers between ``{`` and
``}`` decide the type: ``=`` and ``~`` answers are multiple choice (``%50%`` / ``%-100%`` weights,
``#`` feedback), ``T``/``F``/``TRUE``/``FALSE`` true/false (``#feedback when wrong#feedback when
right``), ``####`` general feedback. Text after the ``}`` makes a "missing word" question, read as
multiple choice with a blank. Essay (``{}``), numerical (``{#…}``), matching (``->``), short answer
(only ``=`` answers) and description (no answers) are types we have no kind for. GIFT has no
ordering question."""

import re
from decimal import Decimal

from . import (
    FULL_MARK,
    MULTIPLE_RESPONSE,
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

# Escaped characters become private-use characters while the structure is read, so an escaped
# "=" is never taken for an answer marker; they turn back into the characters at the end.
ESCAPABLE = "\\~=#{}:n"
PLACEHOLDER = {char: chr(0xE000 + index) for index, char in enumerate(ESCAPABLE)}
UNESCAPED = {
    placeholder: ("\n" if char == "n" else char) for char, placeholder in PLACEHOLDER.items()
}
ESCAPE = re.compile(r"\\([\\~=#{}:n])")
FORMAT_MARKER = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
TITLE = re.compile(r"\s*::(.*?)::", re.DOTALL)
WEIGHT = re.compile(r"^\s*%([^%]*)%")
TRUE_FALSE_ANSWERS = {"T": True, "TRUE": True, "F": False, "FALSE": False}
BLANK = "_____"


def _protect(text):
    return ESCAPE.sub(lambda match: PLACEHOLDER[match.group(1)], text)


def _restore(text):
    return "".join(UNESCAPED.get(char, char) for char in text)


def _format_and_text(raw, default_format):
    match = FORMAT_MARKER.match(raw)
    if match:
        return match.group(1).lower(), raw[match.end() :]
    return default_format, raw


def _text(raw, text_format, *, one_line=False):
    """Protected GIFT text as our plain text. The file's own line breaks inside an answer or a
    piece of feedback are only wrapping; an escaped ``\\n`` is a real new line."""
    text_format, raw = _format_and_text(raw, text_format)
    if one_line:
        raw = " ".join(raw.split())
    else:
        raw = "\n".join(line.strip() for line in raw.strip().splitlines())
    return as_plain_text(_restore(raw), text_format)


def _blocks(content):
    """(first line number, lines) of each question: runs of lines between blank lines, without
    the comments before it; comment lines inside it are blanked (not removed) so that offsets
    still give line numbers."""
    block, start = [], 0
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            if block:
                yield start, block
            block = []
            continue
        comment = line.lstrip().startswith("//")
        if not block and comment:
            continue  # comments before a question are not part of it
        if not block:
            start = number
        block.append("" if comment else line)
    if block:
        yield start, block


def parse_gift(content):
    """The questions of a GIFT file, in order: ``BankQuestion`` and ``Unsupported`` entries.
    BankFileError lists every line that cannot be read (the whole file is checked)."""
    content = content.removeprefix("\ufeff")
    entries, problems = [], []
    for start, lines in _blocks(content):
        text = _protect("\n".join(lines))
        if not text.strip() or text.strip().upper().startswith("$CATEGORY:"):
            continue  # only comments, or Moodle's category command (categories are not kept)
        try:
            entries.append(_question(text, start))
        except BankFileError as error:
            problems.extend(error.problems)
    if problems:
        raise BankFileError(problems)
    return entries


def _question(text, start):
    def line_at(offset):
        return start + text.count("\n", 0, offset)

    title, body_start = "", 0
    if text.lstrip().startswith("::"):
        match = TITLE.match(text)
        if not match:
            raise BankFileError([(start, "the title opened with :: is never closed with ::")])
        title, body_start = " ".join(_restore(match.group(1)).split()), match.end()
    opening = text.find("{", body_start)
    if opening == -1:
        return Unsupported(start, "description (text without answers)", title)
    closing = text.find("}", opening)
    if closing == -1:
        raise BankFileError(
            [(line_at(opening), "the answers opened with { are never closed with }")]
        )
    if "{" in text[opening + 1 : closing]:
        raise BankFileError(
            [(line_at(opening), "a { inside the answers: write \\{ for a literal brace")]
        )
    after = text[closing + 1 :]
    if "{" in after or "}" in after:
        raise BankFileError(
            [(line_at(closing + 1), "a second { } after the answers: write \\{ and \\} for braces")]
        )
    text_format, stem = _format_and_text(text[body_start:opening], "moodle")
    if after.strip():  # a "missing word" question: the blank stands where the answers were
        stem = f"{stem.rstrip()} {BLANK} {after.lstrip()}"
    question_text = _text(stem, text_format)
    if not question_text:
        raise BankFileError([(start, "the question has no text")])
    answers_text = text[opening + 1 : closing]
    general_feedback = ""
    if "####" in answers_text:
        answers_text, general = answers_text.split("####", 1)
        general_feedback = _text(general, text_format)
    common = {
        "line": start,
        "title": title,
        "text": question_text,
        "general_feedback": general_feedback,
    }
    body = answers_text.strip()
    if not body:
        return Unsupported(start, "essay", title)
    if body.startswith("#"):
        return Unsupported(start, "numerical", title)
    head = body.split("#", 1)[0].strip().upper()
    if head in TRUE_FALSE_ANSWERS:
        return _true_false(body, TRUE_FALSE_ANSWERS[head], text_format, common, line_at(opening))
    if "->" in body and body.startswith("="):
        return Unsupported(start, "matching", title)
    if body[0] not in "=~":
        raise BankFileError(
            [
                (
                    line_at(opening),
                    "answers start with = (right) or ~ (wrong), or are T or F; "
                    "write \\= \\~ \\# \\{ \\} \\: for those characters in text",
                )
            ]
        )
    if "~" not in body:
        return Unsupported(start, "short answer", title)
    answers = _choices(answers_text, opening + 1, text_format, line_at)
    # As Moodle's reader: an "=" answer makes it single-answer; with "~" answers only, it takes
    # several answers (each with its weight).
    single = any(char == "=" for char in answers_text)
    kind = choice_kind(answers, single=single, line=start, title=title)
    if isinstance(kind, Unsupported):
        return kind
    return BankQuestion(
        kind=kind,
        answers=answers,
        partial_credit="per_option" if kind == MULTIPLE_RESPONSE else "",
        **common,
    )


def _true_false(body, correct, text_format, common, line):
    parts = body.split("#")
    if len(parts) > 3:
        raise BankFileError(
            [(line, "true/false takes at most two pieces of feedback (#when wrong#when right)")]
        )
    when_wrong = _text(parts[1], text_format, one_line=True) if len(parts) > 1 else ""
    when_right = _text(parts[2], text_format, one_line=True) if len(parts) > 2 else ""
    return BankQuestion(
        kind=TRUE_FALSE,
        correct_answer=correct,
        feedback_true=when_right if correct else when_wrong,
        feedback_false=when_wrong if correct else when_right,
        **common,
    )


def _choices(answers_text, offset, text_format, line_at):
    """The ``=``/``~`` answers, each with its weight and feedback."""
    markers = [index for index, char in enumerate(answers_text) if char in "=~"]
    answers = []
    for number, index in enumerate(markers):
        end = markers[number + 1] if number + 1 < len(markers) else len(answers_text)
        raw, line = answers_text[index + 1 : end], line_at(offset + index)
        weight = FULL_MARK if answers_text[index] == "=" else Decimal(0)
        match = WEIGHT.match(raw)
        if match:
            weight, raw = weight_parse(match.group(1), line=line), raw[match.end() :]
        raw, _, feedback = raw.partition("#")
        answer_text = _text(raw, text_format, one_line=True)
        if not answer_text:
            raise BankFileError([(line, "an answer has no text")])
        answers.append(
            BankAnswer(
                text=answer_text,
                weight=weight,
                feedback=_text(feedback, text_format, one_line=True),
            )
        )
    return answers


# Writing ---------------------------------------------------------------------------------------


def gift_escape(text):
    """Text as GIFT writes it (as Moodle's own writer does): the special characters escaped and
    new lines as ``\\n``, so a question is always one block."""
    escaped = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        escaped = escaped.replace(char, "\\" + char)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def write_gift(questions):
    """A GIFT file of ``questions`` (``BankQuestion``), texts marked [plain]. Ordering questions
    cannot be written in GIFT: the caller leaves them out and says so."""
    blocks = []
    for question in questions:
        title = f"::{gift_escape(question.title)}:: " if question.title else ""
        lines = [f"{title}[plain]{gift_escape(question.text)} {{"]
        if question.kind == TRUE_FALSE:
            when_right, when_wrong = (
                (question.feedback_true, question.feedback_false)
                if question.correct_answer
                else (question.feedback_false, question.feedback_true)
            )
            lines[0] += "TRUE" if question.correct_answer else "FALSE"
            lines[0] += f"#{gift_escape(when_wrong)}#{gift_escape(when_right)}"
        elif question.kind == SINGLE_CHOICE:
            for answer in question.answers:
                marker = "=" if answer.weight == FULL_MARK else "~"
                lines.append(f"\t{marker}{gift_escape(answer.text)}#{gift_escape(answer.feedback)}")
        elif question.kind == MULTIPLE_RESPONSE:
            correct = sum(answer.weight > 0 for answer in question.answers)
            right, wrong = multiple_response_weights(correct, len(question.answers) - correct)
            for answer in question.answers:
                weight = right if answer.weight > 0 else wrong
                lines.append(
                    f"\t~%{weight}%{gift_escape(answer.text)}#{gift_escape(answer.feedback)}"
                )
        else:
            raise ValueError(f"GIFT cannot hold a {question.kind} question")
        if question.general_feedback:
            lines.append(f"\t####{gift_escape(question.general_feedback)}")
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
