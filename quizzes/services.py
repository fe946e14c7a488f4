"""Writes for quizzes: starting, saving, submitting and closing attempts.

A submitted attempt is evidence and is never changed again: every write below is a conditional
UPDATE on ``submitted_at IS NULL``, so not even a race can touch a submitted row, and the database
refuses any other change (triggers, ``quizzes`` migration 0008). Each submission queues, in its own
transaction, what it leaves to the worker (``quizzes/submitted.py``): the reports' answered
questions and the sealing of its evidence PDF."""

import datetime
import json
import random
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from lms import audit
from lms.audit import audit_record
from lms.background import task_enqueue_on_commit
from lms.names import user_display_name
from lms.xapi import (
    xapi_activity,
    xapi_is_enabled,
    xapi_record,
    xapi_registration,
    xapi_score_result,
)
from modules.handoffs import learner_records_written
from modules.selectors import module_steps_done
from modules.services import module_progress_complete
from people.selectors import person_organisation
from people.services import people_lock

from .drawing import questions_draw
from .handoffs import attempt_passed
from .kinds import kind_of
from .kinds.editor import QUESTION_ID_PREFIX, pk_from_item_id
from .models import Attempt, Question, RetryAllowance
from .scoring import InvalidResponse, ResponseError, attempt_score, draft_check, response_parse
from .selectors import (
    NO_ORGANISATION_MESSAGE,
    NOT_FOR_YOUR_ORGANISATION_MESSAGE,
    attempt_retry_at,
    attempts_shown,
    question_draft_is_live,
    question_editor_changed,
    question_is_withdrawn_on_removal,
    questions_answered_right,
    quiz_draw_for_person,
    quiz_draw_problems,
    quiz_question_edit_problems,
    quiz_questions_for_editing,
    quiz_standing,
    quiz_withdrawal_restore_problems,
)
from .tasks import attempt_submitted_task


class AttemptError(Exception):
    """A submission that cannot be accepted. ``errors`` maps question ids to what is wrong with each."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class AttemptAlreadySubmitted(AttemptError):
    pass


class AttemptStale(AttemptError):
    """The form was older than the answers saved since (another tab, the back button, a replay)."""


class AttemptTimeUp(AttemptError):
    pass


STEPS_FIRST_MESSAGE = (
    "Work through every step of the module before you take its quiz. Nothing was started: "
    "carry on with the module from where you stopped."
)

STALE_MESSAGE = (
    "This copy of the quiz is out of date: your answers were saved from another window or an earlier "
    "page since. Nothing was saved from it. The page now shows your latest saved answers."
)


def attempt_is_overdue(*, attempt, now=None):
    return attempt.submit_by is not None and (now or timezone.now()) > attempt.submit_by


def attempt_start(*, person, quiz, rng=None, now=None):
    """Start an attempt, or return the one the person already has open (a reload must not
    draw a second set of questions). What is shown is frozen into the attempt: the questions
    drawn, each one's version, and the order of questions and options.

    Refused until the person has done every step of the module, unless the quiz can be taken
    without it: hiding the button is not enough, the start itself is checked here. A retry draws
    the questions the person has not been shown before first."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    if not quiz.live:
        raise AttemptError("This quiz has not been published yet.")
    if not quiz.can_take_without_module and not module_steps_done(
        person=person, module=quiz.module
    ):
        raise AttemptError(STEPS_FIRST_MESSAGE)
    with transaction.atomic():
        # One start at a time per person, so two tabs cannot open two attempts.
        people_lock(person_ids=[person.pk])
        open_attempt = Attempt.objects.filter(
            person=person, quiz=quiz, submitted_at__isnull=True
        ).first()
        if open_attempt and not attempt_is_overdue(attempt=open_attempt, now=now):
            return open_attempt
        if open_attempt:
            attempt_close_overdue(attempt=open_attempt, now=now)
        retry_at = attempt_retry_at(person=person, quiz=quiz, now=now)
        if retry_at is not None:
            raise AttemptError(
                f"You have used the attempts allowed for now. You can try again from "
                f"{timezone.localtime(retry_at):%-d %B %Y at %H:%M}."
            )
        if quiz.max_attempts and quiz_standing(person=person, quiz=quiz, now=now).out_of_attempts:
            raise AttemptError(
                f"You have used all {quiz.max_attempts} attempts allowed at this quiz. "
                "Your learning and development team can allow you another."
            )
        problems = quiz_draw_problems(quiz=quiz)
        if problems:
            raise AttemptError(
                "This quiz cannot be started: its settings do not match its questions. "
                "Please tell your learning and development team."
            )
        if person_organisation(person=person) is None:
            raise AttemptError(NO_ORGANISATION_MESSAGE)
        own_draw = quiz_draw_for_person(quiz=quiz, person=person)
        if own_draw.problems:
            raise AttemptError(NOT_FOR_YOUR_ORGANISATION_MESSAGE)
        drawn = questions_draw(
            bank=own_draw.bank,
            total=own_draw.total,
            per_topic=own_draw.per_topic,
            shuffle=quiz.shuffle_questions,
            rng=rng,
            seen=attempts_shown(person=person, quiz=quiz),
            answered_right=questions_answered_right(person=person, quiz=quiz),
        )
        questions = Question.objects.filter(
            pk__in=[entry.id for entry in drawn], live=True
        ).prefetch_related("options__clause__document")
        by_id = {question.pk: question for question in questions}
        snapshots = [
            _shown(by_id[entry.id].snapshot(quiz=quiz), quiz=quiz, rng=rng) for entry in drawn
        ]
        deadline = (
            now + datetime.timedelta(minutes=quiz.time_limit_minutes)
            if quiz.time_limit_minutes
            else None
        )
        attempt = Attempt.objects.create(
            person=person,
            quiz=quiz,
            pass_mark=quiz.pass_mark,
            questions=snapshots,
            deadline=deadline,
            submit_by=deadline + datetime.timedelta(seconds=quiz.grace_seconds)
            if deadline
            else None,
        )
        _xapi_attempt_record(attempt=attempt, verb="attempted", at=attempt.started_at)
        return attempt


def _shown(snapshot, *, quiz, rng):
    kind = kind_of(snapshot)
    snapshot["options"] = kind.shown_options(snapshot["options"], quiz=quiz, rng=rng)
    if not kind.relabel_options:
        return snapshot
    # Database ids follow the authored order (for ordering questions, the answer): the page gets
    # opaque ones, and the evidence keeps the real id beside each.
    labels = set()
    while len(labels) < len(snapshot["options"]):
        labels.add(f"{rng.getrandbits(40):010x}")
    for option, label in zip(
        snapshot["options"], sorted(labels, key=lambda _: rng.random()), strict=True
    ):
        option["option_id"], option["id"] = option["id"], label
    return snapshot


def _questions_by_id(attempt):
    return {str(question["id"]): question for question in attempt.questions}


def _check_open(*, attempt, now, revision):
    """Refuse a write to a submitted, overdue or stale attempt, before anything is parsed."""
    if attempt.is_submitted:
        raise AttemptAlreadySubmitted(
            "This attempt has already been submitted. Nothing was changed."
        )
    if attempt_is_overdue(attempt=attempt, now=now):
        raise AttemptTimeUp(
            f"The time for this attempt ran out at {timezone.localtime(attempt.deadline):%H:%M}. "
            "Answers sent after the time limit are not accepted, so nothing was saved."
        )
    if revision is not None and revision != attempt.revision:
        raise AttemptStale(STALE_MESSAGE)


def _check_questions(*, attempt, answers):
    strangers = sorted(set(answers) - set(_questions_by_id(attempt)))
    if strangers:
        raise AttemptError(
            "The answers include a question that is not part of this attempt. Nothing was saved."
        )


def _written_or_why_not(*, attempt, updated):
    """After a conditional UPDATE matched nothing: say why, from the row as it is now."""
    if updated:
        return
    current = Attempt.objects.get(pk=attempt.pk)
    if current.is_submitted:
        raise AttemptAlreadySubmitted(
            "This attempt has already been submitted. Nothing was changed."
        )
    raise AttemptStale(STALE_MESSAGE)


def attempt_save_progress(*, attempt, answers, revision=None, now=None):
    """Keep what the person has answered so far, to come back to later. Incomplete answers are
    fine; anything naming an option or question the attempt does not offer is refused whole."""
    now = now or timezone.now()
    _check_open(attempt=attempt, now=now, revision=revision)
    _check_questions(attempt=attempt, answers=answers)
    questions = _questions_by_id(attempt)
    errors = {}
    for question_id, values in answers.items():
        try:
            draft_check(question=questions[question_id], values=values)
        except InvalidResponse as error:
            errors[question_id] = str(error)
    if errors:
        raise AttemptError("Some answers were not recognised, so nothing was saved.", errors)
    draft = {
        question_id: list(values)
        for question_id, values in answers.items()
        if any(v != "" for v in values)
    }
    updated = Attempt.objects.filter(
        pk=attempt.pk, submitted_at__isnull=True, revision=attempt.revision
    ).update(draft=draft, revision=attempt.revision + 1, saved_at=now)
    _written_or_why_not(attempt=attempt, updated=updated)
    attempt.refresh_from_db()
    return attempt


def answers_parse(*, questions, answers):
    """The parsed response to each of ``questions`` (snapshots) from the raw ``answers`` of a
    submission, or AttemptError naming what is wrong with each: a missing or half answer, an
    option the question does not offer, a question that was not shown. A submission and an
    author's preview (``quizzes.previews``) check answers with this one rule."""
    by_id = {str(question["id"]): question for question in questions}
    if set(answers) - set(by_id):
        raise AttemptError(
            "The answers include a question that is not part of this attempt. Nothing was saved."
        )
    responses, errors = {}, {}
    for question_id, question in by_id.items():
        try:
            responses[question_id] = response_parse(
                question=question, values=answers.get(question_id, [])
            )
        except ResponseError as error:
            errors[question_id] = str(error)
    if errors:
        raise AttemptError(
            "Some answers need your attention. Nothing has been submitted yet.", errors
        )
    return responses


def attempt_submit(*, attempt, answers, revision=None, now=None):
    """Score and record a submission, exactly once.

    ``answers`` maps question id (string) to the list of raw values submitted for it. Anything
    wrong (a missing answer, an option the question does not offer, a question not in this
    attempt, a second submission, time run out, a stale form when ``revision`` is given) raises
    AttemptError and saves nothing."""
    now = now or timezone.now()
    _check_open(attempt=attempt, now=now, revision=revision)
    responses = answers_parse(questions=attempt.questions, answers=answers)
    score = attempt_score(
        questions=attempt.questions, responses=responses, pass_mark=attempt.pass_mark
    )
    submitted = {
        "submitted_at": now,
        "answers": responses,
        "draft": {question_id: list(values) for question_id, values in answers.items()},
        "results": _results(attempt=attempt, score=score),
        "score": score.points,
        "max_score": score.max_points,
        "percent": score.percent,
        "passed": score.passed,
    }
    with transaction.atomic():
        # The conditional update is the lock: of two concurrent submissions, only one matches.
        updated = Attempt.objects.filter(
            pk=attempt.pk, submitted_at__isnull=True, revision=attempt.revision
        ).update(**submitted)
        _written_or_why_not(attempt=attempt, updated=updated)
        _attempt_set_as_stored(attempt=attempt, values=submitted)
        _submission_follow_up_queue(attempt_id=attempt.pk)
        _xapi_attempt_record(
            attempt=attempt, verb="passed" if score.passed else "failed", at=now, score=score
        )
        if score.passed:
            module_progress_complete(person_id=attempt.person_id, module=attempt.quiz.module)
            attempt_passed.send(sender=Attempt, attempt_id=attempt.pk)
        # Last: it locks the person until the commit.
        _submission_hand_off(attempt=attempt)
    return attempt


def _attempt_set_as_stored(*, attempt, values):
    """Give the attempt the values just written as the database holds them (JSON as read back,
    decimals to their column's places), without reading the attempt and its snapshot back."""
    for field_name, value in values.items():
        field = Attempt._meta.get_field(field_name)
        if isinstance(field, models.JSONField):
            value = json.loads(json.dumps(value, cls=field.encoder))
        elif isinstance(field, models.DecimalField) and value is not None:
            value = Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places), ROUND_HALF_UP)
        setattr(attempt, field_name, value)


def attempt_close_overdue(*, attempt, now=None):
    """Close an attempt whose time ran out without a submission: it is scored from the answers
    saved in time, for the record, and never passes. Returns the attempt, closed or not."""
    now = now or timezone.now()
    if attempt.is_submitted or not attempt_is_overdue(attempt=attempt, now=now):
        return attempt
    responses = {}
    for question_id, question in _questions_by_id(attempt).items():
        try:
            responses[question_id] = response_parse(
                question=question, values=attempt.draft.get(question_id, [])
            )
        except ResponseError:
            continue  # unanswered or half-answered when time ran out: no credit
    score = attempt_score(
        questions=attempt.questions, responses=responses, pass_mark=attempt.pass_mark
    )
    with transaction.atomic():
        closed = Attempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
            submitted_at=attempt.submit_by,
            timed_out=True,
            answers=responses,
            results=_results(attempt=attempt, score=score),
            score=score.points,
            max_score=score.max_points,
            percent=score.percent,
            passed=False,
        )
        attempt.refresh_from_db()
        if closed:
            _submission_follow_up_queue(attempt_id=attempt.pk)
            _xapi_attempt_record(
                attempt=attempt, verb="failed", at=attempt.submit_by, score=score, passed=False
            )
            _submission_hand_off(attempt=attempt)  # last: it locks the person until the commit
    return attempt


def _submission_hand_off(*, attempt):
    """A submitted attempt changes its holder's status in the module (``learner_records_written``)."""
    learner_records_written.send(
        sender=Attempt, person_ids=[attempt.person_id], module_ids=[attempt.quiz.module_id]
    )


def _submission_follow_up_queue(*, attempt_id):
    """Leave to the worker what only the reports and auditors read (``quizzes.submitted``): the
    learner's result page does not wait for it. Queued with the submission, so that a committed
    submission always has it to come and a rolled-back one has nothing to follow."""
    task_enqueue_on_commit(attempt_submitted_task, submitted_attempt_id=attempt_id)


def _xapi_attempt_record(*, attempt, verb, at, score=None, passed=None):
    """An attempt started (``attempted``), passed or failed, for the LRS: the score and the
    outcome, never the questions or the answers."""
    if not xapi_is_enabled():
        return
    quiz = attempt.quiz
    result = None
    if score is not None:
        result = xapi_score_result(
            passed=score.passed if passed is None else passed,
            percent=score.percent,
            points=score.points,
            max_points=score.max_points,
        )
    xapi_record(
        event=f"attempt/{attempt.pk}/{verb}",
        person_id=attempt.person_id,
        verb=verb,
        activity=xapi_activity(kind="quiz", key=quiz.pk, name=quiz.title),
        timestamp=at,
        result=result,
        parent=xapi_activity(kind="module", key=quiz.module_id, name=quiz.module.title),
        registration=xapi_registration(event=f"attempt/{attempt.pk}"),
    )


def _results(*, attempt, score):
    return [
        {
            "question": question_id,
            "points": str(score.by_question[question_id].points),
            "max_points": str(score.by_question[question_id].max_points),
            "correct": score.by_question[question_id].correct,
        }
        for question_id in _questions_by_id(attempt)
    ]


def retry_allow(*, person, quiz, by, reason):
    """Let a person try again before their cooldown ends, or after they used every attempt allowed
    in total (an override, so it needs a reason and goes into the audit trail). Refused for someone
    who is not waiting."""
    reason = (reason or "").strip()
    if not reason:
        raise AttemptError("Say why this person may try again early.")
    standing = quiz_standing(person=person, quiz=quiz)
    if standing.retry_at is None and not standing.out_of_attempts:
        raise AttemptError(
            f"{person.full_name} is not waiting: they may already start {quiz.title}."
        )
    with transaction.atomic():
        allowance = RetryAllowance.objects.create(
            person=person,
            quiz=quiz,
            granted_by_name=user_display_name(by) if by else "System",
            reason=reason,
        )
        audit_record(
            action=audit.ATTEMPT_RESET,
            summary=f"{person.full_name} may retry {quiz.title} now: {reason}",
            actor=by,
            subject=person,
            target=allowance,
        )
    return allowance


# The quiz's question editor (quizzes.kinds.editor): each question stays a row of its own, with
# its revisions and review; the quiz's screen only saves them together.


@transaction.atomic
def quiz_questions_save(*, quiz, items, user):
    """Make the quiz's bank what the editor's stream ``items`` says, as drafts: a new question is a
    draft row (never drawn until published), a changed one gets a revision (learners keep the
    published row), a published question left out is withdrawn in a revision (learners are asked
    it until the withdrawal is approved: ``question_is_withdrawn_on_removal``), and a draft never
    published left out is deleted (attempts keep their snapshots). The order is the bank's order
    and applies at once: it changes nothing a learner is asked. Returns the questions given a
    revision. Refuses (ValueError) what ``quiz_question_edit_problems`` refuses.
    """
    problems = quiz_question_edit_problems(quiz=quiz, items=items, user=user)
    if problems:
        raise ValueError(" ".join(problems))
    current = {question.pk: question for question in quiz_questions_for_editing(quiz=quiz)}
    revised = []
    kept = set()
    for sort_order, child in enumerate(items):
        kind = kind_of(child.block_type)
        question = current.get(pk_from_item_id(child.id, QUESTION_ID_PREFIX))
        if question is None:
            question = kind.model(quiz=quiz, sort_order=sort_order, live=False)
            kind.editor_apply(question, child.value)
            question.save()
            log(instance=question, action="wagtail.create", user=user)
            question.save_revision(user=user, log_action=True)
            _question_edit_audit(question=question, quiz=quiz, user=user, what="Saved")
            revised.append(question)
            continue
        kept.add(question.pk)
        if question.sort_order != sort_order:
            Question.objects.filter(pk=question.pk).update(sort_order=sort_order)
            question.sort_order = sort_order
        if question_editor_changed(question=question, child=child):
            kind.editor_apply(question, child.value)
            question.save_revision(user=user, log_action=True)
            _question_edit_audit(question=question, quiz=quiz, user=user, what="Saved")
            revised.append(question)
    for pk, question in current.items():
        if pk in kept:
            continue
        if question_is_withdrawn_on_removal(question=question):
            # The draft as written (or the row) is what the reviewer sees taken away.
            question.withdrawn = True
            question.save_revision(user=user, log_action=True)
            _question_edit_audit(question=question, quiz=quiz, user=user, what="Withdrew")
            revised.append(question)
        else:
            log(instance=question, action="wagtail.delete", user=user)
            _question_edit_audit(question=question, quiz=quiz, user=user, what="Deleted")
            Question.objects.get(pk=pk).get_real_instance().delete()
    return revised


@transaction.atomic
def quiz_question_withdrawals_restore(*, quiz, questions, user):
    """Undo the withdrawal of ``questions`` (published questions of the quiz withdrawn in a draft
    not yet approved): each gets a revision as it was written, no longer withdrawn, and is back in
    the quiz's editor (a draft no different from the live question is no draft). Refuses
    (ValueError) what ``quiz_withdrawal_restore_problems`` refuses. Returns the questions
    restored."""
    problems = quiz_withdrawal_restore_problems(quiz=quiz, questions=questions, user=user)
    if problems:
        raise ValueError(" ".join(problems))
    restored = []
    for question in questions:
        draft = question.get_latest_revision_as_object()
        draft.withdrawn = False
        draft.save_revision(user=user, log_action=True)
        if draft.current_workflow_state is None and question_draft_is_live(question=draft):
            # Withdrawn and restored before any review: nothing is left for a reviewer to judge,
            # so the quiz's next submission does not send the question to review for nothing.
            Question.objects.filter(pk=draft.pk).update(has_unpublished_changes=False)
            draft.has_unpublished_changes = False
        _question_edit_audit(question=draft, quiz=quiz, user=user, what="Restored")
        restored.append(draft)
    return restored


def _question_edit_audit(*, question, quiz, user, what):
    """As a question saved on its own screen is audited (``modules.wagtail_hooks``); a deletion
    takes a question away from learners, and a withdrawal will once approved."""
    audit_record(
        action=audit.CONTENT_UNPUBLISHED
        if what in {"Deleted", "Withdrew"}
        else audit.CONTENT_PUBLISHED,
        summary=f'{what} {question._meta.verbose_name} "{question}" in the quiz "{quiz}"',
        actor=user,
        target=question,
    )


def _questions_with_drafts(*, quiz):
    return [question for question in quiz.questions.all() if question.has_unpublished_changes]


def quiz_questions_publish(*, quiz, user):
    """Publish the drafts of the quiz's questions with the quiz, for someone who may publish
    them; a question they may not publish stays a draft for its own review. A withdrawal's draft
    published takes its question out of the bank (``selectors._withdrawn``)."""
    published = []
    for question in _questions_with_drafts(quiz=quiz):
        if ModelPermissionPolicy(type(question)).user_has_permission(user, "publish"):
            question.latest_revision.publish(user=user)
            published.append(question)
    return published


def quiz_questions_approve(*, quiz, user):
    """Approve with the quiz the reviews of its questions that wait for ``user``, the reviewer
    who has just approved the quiz: the bank the reviewer judged on the quiz's screen (its
    checks read the questions as written) is the bank learners are then asked. Each question
    goes through its own task, so the four-eyes rule holds for each: a question this reviewer
    wrote or submitted, or one that may not be published, stays in its own review, and a
    failure in one leaves that one waiting and the others approved. Returns (approved, left)."""
    approved, left = [], []
    for question in quiz.questions.all():
        state = question.current_workflow_state
        if state is None or state.status != state.STATUS_IN_PROGRESS:
            continue
        task_state = state.current_task_state
        try:
            with transaction.atomic():
                task_state.task.specific.on_action(task_state, user, "approve")
        except PermissionDenied:
            left.append(question)
            continue
        approved.append(question)
    return approved, left


def quiz_questions_submit(*, quiz, user):
    """Send the quiz's drafted questions to review with the quiz (a withdrawal is a draft too):
    each question goes through its own workflow (its reviewer approves what learners will be
    asked), unless it is already in one, where a review that asked for changes resumes."""
    submitted = []
    for question in _questions_with_drafts(quiz=quiz):
        state = question.current_workflow_state
        if state is not None and state.status == state.STATUS_NEEDS_CHANGES:
            state.resume(user)
        elif state is None:
            workflow = question.get_workflow()
            if workflow is None:
                continue
            workflow.start(question, user)
        else:
            continue
        submitted.append(question)
    return submitted
