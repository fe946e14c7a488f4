"""An author takes their quiz as a learner would, and nothing is recorded.

The preview draws, shuffles and scores with the very functions a real attempt uses
(``quizzes.drawing``, the snapshot and shuffle of ``quizzes.services.attempt_start``,
``quizzes.services.answers_parse`` and the pure ``quizzes.scoring.attempt_score``), but on what
the author is writing rather than what learners get:

- the quiz's settings as last saved (its latest revision, a draft or the published version);
- every question of the quiz as last saved (its latest revision), published or still a draft that
  was never published. A question taken offline (unpublished after it was live) or withdrawn (in
  a draft or approved) is left out, as are questions a real draw leaves out: one not yet citing a
  clause for every answer, or citing a replaced clause version. ``QuizPreview.notes`` names each
  one left out, and why (a withdrawal approved needs no note: the question has left the quiz);
- for the organisation the author chooses (whose policy applies), with no history of earlier
  attempts: every preview is a learner's first attempt.

Nothing here writes to the database: no attempt, no answered questions, no xAPI statement, no
audit row, no certificate. The questions drawn wait in the author's session between the page and
its submission (``quizzes.preview_views``)."""

import random
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.utils import timezone

from modules.models import PolicyDocument
from modules.selectors import policy_clauses_superseded
from people.models import Organisation

from .drawing import (
    BankEntry,
    bank_without_superseded_citations,
    draw_for_audience,
    draw_problems,
    questions_draw,
)
from .models import Attempt, Question, TrueFalseQuestion
from .scoring import attempt_score
from .selectors import quiz_topic_counts

# The snapshot-and-shuffle and the results rows of a real attempt, so that the preview cannot
# drift from what a learner is shown and scored on.
from .services import _results, _shown, answers_parse

# Whoever holds either may already open the quiz in the admin and read its questions and their
# key: L&D authors (change) and L&D reviewers (view), and administrators.
PREVIEW_PERMISSIONS = ("quizzes.change_quiz", "quizzes.view_quiz")


def quiz_preview_permitted(*, user):
    return any(user.has_perm(permission) for permission in PREVIEW_PERMISSIONS)


@dataclass(frozen=True)
class QuizPreview:
    """One preview draw: ``questions`` are snapshots as a learner's attempt would hold them, in the
    order shown; empty when ``problems`` say why no attempt could be drawn."""

    quiz: object  # the quiz as last saved (its latest revision)
    organisation: object
    questions: list
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)


@dataclass(frozen=True)
class PreviewResult:
    """A scored preview: ``attempt`` is an unsaved Attempt holding the snapshot, the parsed
    answers and the results, for the result page's rows (``quizzes.selectors.attempt_result_rows``).
    It is never saved."""

    attempt: Attempt
    score: object


def quiz_as_edited(*, quiz):
    """The quiz as its author last saved it: the latest revision (a draft of a published quiz lives
    there), or the row if it has none. The topic draw counts come with it."""
    revision = quiz.latest_revision
    return quiz.with_content_json(revision.content) if revision else quiz


def questions_as_edited(*, quiz):
    """(questions, left out): each question of the quiz at its latest revision, with its options
    and their clauses loaded in a few queries, except those taken offline or withdrawn, which are
    left out."""
    rows = list(
        Question.objects.filter(quiz=quiz)
        .select_related("latest_revision")
        .prefetch_related("options")
        .order_by("sort_order", "pk")
    )
    questions, left_out = [], []
    for row in rows:
        if row.withdrawn:
            continue  # its withdrawal was approved: it has left the quiz
        if not row.live and row.first_published_at is not None:
            left_out.append(f"“{row}” is left out: it was taken offline.")
            continue
        revision = row.latest_revision
        question = row.with_content_json(revision.content) if revision else row
        if question.withdrawn:
            left_out.append(
                f"“{row}” is left out: it is withdrawn, and leaves the quiz when the review "
                "approves it (learners are asked it until then)."
            )
            continue
        questions.append(question)
    options = [option for question in questions for option in question.options.all()]
    prefetch_related_objects(options, "clause__document")
    prefetch_related_objects(
        [question for question in questions if isinstance(question, TrueFalseQuestion)],
        "clause__document",
    )
    # Revisions may hold an order of their own: the draw follows the authored order, as it does.
    questions.sort(key=lambda question: (question.sort_order, question.pk))
    return questions, left_out


def _cited_clauses(question):
    if isinstance(question, TrueFalseQuestion):
        return [question.clause] if question.clause_id else [None]
    return [option.clause if option.clause_id else None for option in question.options.all()]


def quiz_preview_draw(*, quiz, organisation, rng=None):
    """Draw one preview attempt of ``quiz`` (as last saved) for a learner of ``organisation``."""
    rng = rng or random.SystemRandom()
    edited = quiz_as_edited(quiz=quiz)
    questions, notes = questions_as_edited(quiz=quiz)
    superseded = set(policy_clauses_superseded().values_list("pk", flat=True))
    applying = (
        set(PolicyDocument.objects.filter(audience=organisation).values_list("pk", flat=True))
        if organisation is not None
        else set()
    )
    bank, applicable_ids = [], set()
    for question in questions:
        clauses = _cited_clauses(question)
        if not clauses or None in clauses:
            notes.append(
                f"“{question}” is left out: not every answer cites a policy clause yet, "
                "and learners are never asked such a question."
            )
            continue
        stale = any(clause.pk in superseded for clause in clauses)
        if stale:
            notes.append(
                f"“{question}” is left out: it cites a replaced clause version, and new attempts "
                "leave such questions out until they cite the current one."
            )
        bank.append(
            BankEntry(
                id=question.pk,
                topic=question.topic,
                critical=question.critical,
                cites_superseded=stale,
            )
        )
        # Whose policy applies: as quizzes.selectors.quiz_questions_applicable, but on the
        # question as edited, whose citations may differ from the published one's.
        if all(clause.document_id in applying for clause in clauses):
            applicable_ids.add(question.pk)
    drawable = bank_without_superseded_citations(bank)
    total, per_topic = edited.questions_per_attempt, quiz_topic_counts(quiz=edited)
    problems = draw_problems(bank=drawable, total=total, per_topic=per_topic)
    if problems:
        return QuizPreview(
            quiz=edited, organisation=organisation, questions=[], problems=problems, notes=notes
        )
    own_draw = draw_for_audience(
        bank=drawable, applicable_ids=applicable_ids, total=total, per_topic=per_topic
    )
    if own_draw.problems:
        return QuizPreview(
            quiz=edited,
            organisation=organisation,
            questions=[],
            problems=own_draw.problems,
            notes=notes,
        )
    drawn = questions_draw(
        bank=own_draw.bank,
        total=own_draw.total,
        per_topic=own_draw.per_topic,
        shuffle=edited.shuffle_questions,
        rng=rng,
    )
    by_id = {question.pk: question for question in questions}
    snapshots = [
        _shown(by_id[entry.id].snapshot(quiz=edited), quiz=edited, rng=rng) for entry in drawn
    ]
    return QuizPreview(quiz=edited, organisation=organisation, questions=snapshots, notes=notes)


def quiz_preview_score(*, quiz, questions, answers, pass_mark, now=None):
    """Score a preview's ``answers`` (question id -> raw values, as the quiz page posts them)
    against the ``questions`` it drew, as a submission would be scored. Raises
    ``quizzes.services.AttemptError`` for what a submission would refuse. Saves nothing."""
    responses = answers_parse(questions=questions, answers=answers)
    score = attempt_score(questions=questions, responses=responses, pass_mark=pass_mark)
    attempt = Attempt(
        quiz=quiz,
        pass_mark=pass_mark,
        questions=questions,
        answers=responses,
        submitted_at=now or timezone.now(),
        score=score.points,
        max_score=score.max_points,
        percent=score.percent,
        passed=score.passed,
    )
    attempt.results = _results(attempt=attempt, score=score)
    return PreviewResult(attempt=attempt, score=score)


def preview_organisations():
    """The organisations an author may preview for: those some policy document applies to."""
    return Organisation.objects.filter(policy_documents__isnull=False).distinct().order_by("name")
