"""Work caused by a record is queued with it (``lms.background.task_enqueue_on_commit``): with the
database task backend the task row is written in the record's own transaction, so a committed
submission always has its follow-up (answered questions, evidence seal) and its certificate to
come, a rolled-back one has neither, and no commit of its own is spent on the queue; any other
backend gets the task only once the transaction commits."""

import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from django.db import transaction
from django.test import override_settings

from certificates.models import Certificate
from lms.background import task_enqueue_on_commit
from quizzes import services as quiz_services
from quizzes.models import Attempt
from quizzes.services import attempt_submit
from tests.factories import answers_all, attempt_begin

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

pytestmark = [pytest.mark.django_db]

ran = []


@task()
def remember_task(*, value):
    ran.append(value)


class _Undo(Exception):
    pass


@pytest.fixture(autouse=True)
def _nothing_ran():
    ran.clear()


def _queued(task_path):
    return list(
        DBTaskResult.objects.filter(task_path=task_path).values_list("args_kwargs", flat=True)
    )


REMEMBER = f"{__name__}.remember_task"
FOLLOW_UP = "quizzes.tasks.attempt_submitted_task"
ISSUE = "certificates.tasks.certificate_issue_task"


@override_settings(TASKS=DATABASE_TASKS)
def test_with_database_tasks_the_row_is_written_in_the_transaction_without_waiting_for_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        task_enqueue_on_commit(remember_task, value=1)
        assert _queued(REMEMBER) == [{"args": [], "kwargs": {"value": 1}}]
    assert callbacks == [], "nothing is left to do at the commit"


@override_settings(TASKS=DATABASE_TASKS)
def test_with_database_tasks_a_rolled_back_transaction_takes_its_task_with_it():
    with pytest.raises(_Undo), transaction.atomic():
        task_enqueue_on_commit(remember_task, value=1)
        raise _Undo
    assert _queued(REMEMBER) == []


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_another_backend_gets_the_task_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    # Nested, to look between the end of the transaction and the running of the callbacks.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # noqa: SIM117
        with transaction.atomic():
            task_enqueue_on_commit(remember_task, value=2)
            assert ran == [], "the immediate backend would run it on uncommitted data"
        assert ran == []
    assert len(callbacks) == 1 and ran == [2]


@override_settings(TASKS=IMMEDIATE_TASKS)
def test_another_backend_gets_nothing_from_a_rolled_back_transaction(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(_Undo),
        transaction.atomic(),
    ):
        task_enqueue_on_commit(remember_task, value=3)
        raise _Undo
    assert callbacks == [] and ran == []


@override_settings(TASKS=DATABASE_TASKS)
def test_a_pass_queues_its_follow_up_and_its_certificate_with_the_submission(
    people, quiz, django_capture_on_commit_callbacks
):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    with django_capture_on_commit_callbacks() as callbacks:
        attempt_submit(attempt=attempt, answers=answers_all(attempt))
    assert _queued(FOLLOW_UP) == [{"args": [], "kwargs": {"submitted_attempt_id": attempt.pk}}]
    assert _queued(ISSUE) == [{"args": [], "kwargs": {"attempt_id": attempt.pk}}]
    assert callbacks == [], "neither waits for a commit that a crash could cut off"


@override_settings(TASKS=DATABASE_TASKS)
def test_a_fail_queues_its_follow_up_and_no_certificate(people, quiz):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    attempt_submit(attempt=attempt, answers=answers_all(attempt, right=False))
    assert _queued(FOLLOW_UP) == [{"args": [], "kwargs": {"submitted_attempt_id": attempt.pk}}]
    assert _queued(ISSUE) == []


@override_settings(TASKS=DATABASE_TASKS)
def test_a_submission_that_fails_at_its_last_step_leaves_no_task_and_no_submission(
    people, quiz, monkeypatch
):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)

    def hand_off_failing(**kwargs):
        raise _Undo

    # The last step of the submission's transaction, after both tasks were queued.
    monkeypatch.setattr(quiz_services, "_submission_hand_off", hand_off_failing)
    with pytest.raises(_Undo):
        attempt_submit(attempt=attempt, answers=answers_all(attempt))
    assert _queued(FOLLOW_UP) == [] and _queued(ISSUE) == []
    assert Attempt.objects.get(pk=attempt.pk).submitted_at is None
    assert not Certificate.objects.filter(attempt_id=attempt.pk).exists()
