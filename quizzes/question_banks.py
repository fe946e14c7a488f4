"""Moodle question banks in and out: import a GIFT or Moodle XML file into a quiz's bank, and
export a quiz's bank in either format (``manage.py import_questions`` / ``export_questions`` and
the admin's "Moodle question banks" screen).

An import is all or nothing: every question is checked and created in one transaction, and any
problem (a line that cannot be read, a Moodle type we have no kind for, an answer too long) saves
nothing. ``skip_unsupported`` leaves the unsupported questions out instead, and says which.

Imported questions are drafts (``imported_question_mark_draft``): learners see none until an
author has checked them, cited a clause for every answer and a reviewer has approved them through
the review workflow. Moodle banks know nothing of our policies: unless the import names one clause
for them all, their answers cite nothing, and ``quizzes.selectors.quiz_bank`` leaves an uncited
question out of every draw even if it were published (the admin form requires a clause)."""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from lms.audit import QUESTIONS_EXPORTED, QUESTIONS_IMPORTED, audit_record
from modules.content_import import ContentError
from modules.models import PolicyClause

from .kinds import KINDS
from .models import (
    MultipleResponseQuestion,
    Option,
    OrderingQuestion,
    PartialCredit,
    Question,
    Quiz,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from .moodle import (
    FULL_MARK,
    MULTIPLE_RESPONSE,
    ORDERING,
    SINGLE_CHOICE,
    TRUE_FALSE,
    BankAnswer,
    BankFileError,
    BankQuestion,
    Unsupported,
    problem_text,
)
from .moodle.gift import parse_gift, write_gift
from .moodle.moodle_xml import parse_moodle_xml, write_moodle_xml

GIFT = "gift"
MOODLE_XML = "moodlexml"
FORMATS = {GIFT: "GIFT", MOODLE_XML: "Moodle XML"}
FORMAT_BY_EXTENSION = {".gift": GIFT, ".txt": GIFT, ".xml": MOODLE_XML}
EXPORT_EXTENSION = {GIFT: "gift", MOODLE_XML: "xml"}
EXPORT_CONTENT_TYPE = {GIFT: "text/plain; charset=utf-8", MOODLE_XML: "application/xml"}
# As many options as the admin's question forms let an author keep (quizzes.kinds panels).
MAX_OPTIONS = {SINGLE_CHOICE: 8, MULTIPLE_RESPONSE: 10, ORDERING: 10}
OPTION_TEXT_LENGTH = Option._meta.get_field("text").max_length


class QuestionBankError(ValueError):
    """Nothing was imported (or found): ``problems`` says why, one sentence each, by line."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class BankImport:
    """What an import did (or, for a dry run, would do)."""

    questions: list[BankQuestion]
    skipped: list[Unsupported]
    clause: PolicyClause | None
    dry_run: bool
    created: list[Question] = field(default_factory=list)

    @property
    def uncited(self):
        return self.clause is None


@dataclass
class BankExport:
    content: bytes
    filename: str
    content_type: str
    count: int
    notes: list[str]


def bank_format_for(name):
    """The format of a file from its extension: .gift and .txt are GIFT, .xml Moodle XML."""
    extension = PurePath(name).suffix.lower()
    try:
        return FORMAT_BY_EXTENSION[extension]
    except KeyError:
        raise QuestionBankError(
            [
                f"{PurePath(name).name}: the format comes from the file's extension: .gift or .txt "
                "for GIFT, .xml for Moodle XML"
            ]
        ) from None


def question_bank_read(*, name, content):
    """The file's questions (``BankQuestion``) and the unsupported ones (``Unsupported``), or
    QuestionBankError with every unreadable line."""
    bank_format = bank_format_for(name)
    try:
        if bank_format == MOODLE_XML:
            entries = parse_moodle_xml(content)
        else:
            if isinstance(content, bytes):
                try:
                    content = content.decode("utf-8-sig")
                except UnicodeDecodeError as error:
                    raise QuestionBankError(
                        [f"the file is not UTF-8 text (byte {error.start + 1})"]
                    ) from error
            entries = parse_gift(content)
    except BankFileError as error:
        raise QuestionBankError(
            [problem_text(line, message) for line, message in error.problems]
        ) from error
    questions = [entry for entry in entries if isinstance(entry, BankQuestion)]
    unsupported = [entry for entry in entries if isinstance(entry, Unsupported)]
    return questions, unsupported


def policy_clause_for_citation(*, citation):
    """The current version of a clause named "<document> <clause reference>", where the document
    is its title (or "<organisation> <title>" when two organisations use the same title), e.g.
    "Social media policy 4.2". Superseded versions and unpublished clauses are never chosen."""
    document_name, _, reference = citation.strip().rpartition(" ")
    if not document_name or not reference:
        raise QuestionBankError(
            [f"“{citation}”: name the clause as “<document> <clause reference>”"]
        )
    clauses = [
        clause
        for clause in PolicyClause.objects.filter(
            live=True, document__live=True, reference__iexact=reference
        )
        .select_related("document")
        .order_by("-document_id", "-version")
        if document_name.casefold()
        in (
            clause.document.title.casefold(),
            f"{clause.document.organisation} {clause.document.title}".casefold(),
        )
    ]
    if not clauses:
        raise QuestionBankError(
            [f"“{citation}”: no published clause {reference} in a document called {document_name}"]
        )
    organisations = sorted({clause.document.organisation for clause in clauses})
    if len(organisations) > 1:
        raise QuestionBankError(
            [
                f"“{citation}”: {', '.join(organisations)} each have a document called "
                f"{document_name}; put the organisation first"
            ]
        )
    return clauses[0]  # the newest document, the newest version of the clause


def imported_question_mark_draft(*, question, user=None):
    """Hold an imported question back from learners: a draft with its first revision, which an
    author edits (citing a clause) and submits for review like any other question (four eyes)."""
    question.live = False
    question.has_unpublished_changes = True
    question.save(update_fields=["live", "has_unpublished_changes"])
    # Not cleaned: a draft may still lack the clause the author must cite before review.
    question.save_revision(user=user, clean=False)
    return question


def _spec(question):
    """The content loader's spec of a bank question (``quizzes.kinds`` create from it); "cited"
    stands for the one clause of the import, if any."""
    spec = {"key": "", "text": question.text, "explanation": question.general_feedback}
    if question.kind == TRUE_FALSE:
        return {
            **spec,
            "answer": question.correct_answer,
            "feedback_true": question.feedback_true,
            "feedback_false": question.feedback_false,
            "clause": "cited",
        }
    entries = [
        {
            "text": answer.text,
            "correct": answer.weight > 0,
            "feedback": answer.feedback,
            "clause": "cited",
        }
        for answer in question.answers
    ]
    if question.kind == ORDERING:
        return {**spec, "items": entries}
    if question.kind == MULTIPLE_RESPONSE:
        spec["partial_credit"] = question.partial_credit
    return {**spec, "options": entries}


def _question_problems(question):
    where = f"line {question.line}: question" + (f" “{question.title}”" if question.title else "")
    problems = []
    limit = MAX_OPTIONS.get(question.kind)
    if limit and len(question.answers) > limit:
        problems.append(f"{where} has {len(question.answers)} answers; at most {limit} are kept")
    for answer in question.answers:
        if len(answer.text) > OPTION_TEXT_LENGTH:
            problems.append(
                f"{where}: the answer “{answer.text[:40]}…” is longer than "
                f"{OPTION_TEXT_LENGTH} characters"
            )
    return problems


def quiz_by_title(*, title):
    """The one quiz with this title (any case), or QuestionBankError."""
    quizzes = list(Quiz.objects.filter(title__iexact=title.strip()))
    if len(quizzes) != 1:
        raise QuestionBankError(
            [
                f"no quiz is called “{title}”"
                if not quizzes
                else f"{len(quizzes)} quizzes are called “{title}”; rename one first"
            ]
        )
    return quizzes[0]


def question_bank_import(
    *,
    quiz,
    name,
    content,
    clause=None,
    dry_run=False,
    skip_unsupported=False,
    actor=None,
    request=None,
):
    """Import a Moodle bank into ``quiz``: all or nothing. A dry run checks everything (it creates
    the questions and rolls them back) and saves nothing. Raises QuestionBankError. A real import
    is recorded in the audit log (``actor``: the user, None for the command line)."""
    questions, unsupported = question_bank_read(name=name, content=content)
    problems = [problem for question in questions for problem in _question_problems(question)]
    if unsupported and not skip_unsupported:
        problems += [problem_text(entry.line, entry.message) for entry in unsupported]
    if problems:
        raise QuestionBankError(sorted(problems, key=_line_order))
    if not questions:
        raise QuestionBankError(["the file holds no question this platform can import"])
    result = BankImport(questions=questions, skipped=unsupported, clause=clause, dry_run=dry_run)
    with transaction.atomic():
        first = (quiz.questions.aggregate(last=Max("sort_order"))["last"] or 0) + 1
        for number, question in enumerate(questions):
            try:
                created = KINDS[question.kind].create(
                    spec=_spec(question),
                    quiz=quiz,
                    sort_order=first + number,
                    clause_for=lambda _key: clause,
                )
            except ContentError as error:
                message = str(error).removeprefix("question : ")
                raise QuestionBankError([problem_text(question.line, message)]) from error
            result.created.append(imported_question_mark_draft(question=created, user=actor))
        if dry_run:
            transaction.set_rollback(True)
        else:
            audit_record(
                action=QUESTIONS_IMPORTED,
                summary=f"Imported {len(result.created)} questions into {quiz.title} from {name}",
                actor=actor,
                target=quiz,
                data={
                    "file": PurePath(name).name,
                    "questions": [question.pk for question in result.created],
                    "skipped_lines": [entry.line for entry in unsupported],
                    "clause": clause.pk if clause else None,
                },
                request=request,
            )
    return result


def _line_order(problem):
    number = problem.removeprefix("line ").split(":", 1)[0]
    return int(number) if number.isdigit() else 0


def _bank_question(question, *, quiz):
    """A question of ours in the neutral bank shape, or None for a kind Moodle has not got."""
    common = {
        "line": 0,
        "title": question.key,
        "text": question.text,
        "general_feedback": question.explanation,
    }
    if isinstance(question, TrueFalseQuestion):
        return BankQuestion(
            kind=TRUE_FALSE,
            correct_answer=question.correct_answer,
            feedback_true=question.feedback_true,
            feedback_false=question.feedback_false,
            **common,
        )
    options = sorted(question.options.all(), key=lambda option: (option.sort_order or 0, option.pk))
    answers = [
        BankAnswer(
            text=option.text,
            weight=FULL_MARK if option.is_correct else Decimal(0),
            feedback=option.feedback,
        )
        for option in options
    ]
    if isinstance(question, SingleChoiceQuestion):
        return BankQuestion(kind=SINGLE_CHOICE, answers=answers, **common)
    if isinstance(question, MultipleResponseQuestion):
        return BankQuestion(
            kind=MULTIPLE_RESPONSE,
            answers=answers,
            partial_credit=question.partial_credit or quiz.partial_credit,
            **common,
        )
    if isinstance(question, OrderingQuestion):
        return BankQuestion(
            kind=ORDERING,
            answers=[
                BankAnswer(text=option.text, weight=FULL_MARK, feedback=option.feedback)
                for option in options
            ],
            **common,
        )
    return None


def question_bank_export(*, quiz, bank_format, actor=None, request=None):
    """The quiz's bank as a Moodle file, with notes on what Moodle cannot hold (left out or
    scored differently there). This is the answer key: for L&D authors only, and every export
    is recorded in the audit log."""
    questions, notes = [], []
    # A question whose withdrawal was approved has left the quiz's bank.
    for question in Question.objects.filter(quiz=quiz, withdrawn=False).prefetch_related("options"):
        bank_question = _bank_question(question, quiz=quiz)
        label = question.key or f"question {question.pk}"
        if bank_question is None or (bank_question.kind == ORDERING and bank_format == GIFT):
            notes.append(
                f"Left out {label} ({question._meta.verbose_name}): "
                f"{FORMATS[bank_format]} has no such question type."
            )
            continue
        if bank_question.partial_credit == PartialCredit.ALL_OR_NOTHING:
            notes.append(
                f"{label}: Moodle's multiple-answer questions give credit per answer; here it is "
                "all or nothing."
            )
        questions.append(bank_question)
    writer = write_gift if bank_format == GIFT else write_moodle_xml
    content = writer(questions)
    audit_record(
        action=QUESTIONS_EXPORTED,
        summary=f"Exported {len(questions)} questions of {quiz.title} as {FORMATS[bank_format]}",
        actor=actor,
        target=quiz,
        data={"format": bank_format, "questions": len(questions)},
        request=request,
    )
    return BankExport(
        content=content.encode() if isinstance(content, str) else content,
        filename=f"{slugify(quiz.title) or 'quiz'}.{EXPORT_EXTENSION[bank_format]}",
        content_type=EXPORT_CONTENT_TYPE[bank_format],
        count=len(questions),
        notes=notes,
    )
