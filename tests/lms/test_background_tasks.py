"""Background work is finished or visibly given up on: stale RUNNING tasks are queued again, failed
retryable tasks are retried with a growing delay for a bounded number of attempts, and a task that
finally fails is reported. The worker here is django-tasks-db's own, run in this process."""

import datetime
import io
from unittest import mock

import pytest
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from certificates import services as certificate_services
from certificates.models import Certificate
from certificates.tasks import certificate_issue_task
from lms.background import WorkerLost, task_retry_delay, tasks_failed_for_good, tasks_recover
from quizzes.services import attempt_submit
from tests.factories import attempt_begin, days
from tracking.models import Reminder
from tracking.services import assignment_create
from tracking.tasks import reminder_send_task

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _database_task_backend():
    with override_settings(
        TASKS=DATABASE_TASKS, TASK_MAX_ATTEMPTS=3, TASK_STALE_AFTER_SECONDS=1800
    ):
        yield


@task()
def not_retryable_task():
    raise RuntimeError("this task is not on TASK_RETRYABLE")


def _run_worker():
    """django-tasks-db's worker: every task that is ready, then it returns. Between tasks it closes
    a connection that is inside a transaction, as this test's is; here that connection stays."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        _worker_run()


def _worker_run():
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def _running(
    *, started_at, worker_ids=("worker-a",), path="certificates.tasks.certificate_issue_task"
):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        started_at=started_at,
        worker_ids=list(worker_ids),
        args_kwargs={"args": [], "kwargs": {"attempt_id": 1}},
        task_path=path,
        backend_name="default",
        queue_name="default",
        run_after=None,
    )


def _passed_attempt(people, quiz):
    """A pass whose certificate task the test runs itself (see ``passes_issue_nothing``)."""
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }
    return attempt_submit(attempt=attempt, answers=answers)


# The retry schedule (a pure function).


def test_the_retry_delay_grows_fourfold_up_to_the_cap():
    delays = [
        task_retry_delay(attempt=attempt, base_seconds=60, max_seconds=3600)
        for attempt in range(1, 6)
    ]
    assert delays == [datetime.timedelta(seconds=seconds) for seconds in (60, 240, 960, 3600, 3600)]


def test_the_retry_delay_refuses_a_count_of_no_attempts():
    with pytest.raises(ValueError, match="from 1"):
        task_retry_delay(attempt=0, base_seconds=60, max_seconds=3600)


# The stale-timeout rule.


def test_a_running_task_younger_than_the_timeout_is_left_alone():
    young = _running(started_at=NOW - datetime.timedelta(minutes=29))
    recovery = tasks_recover(now=NOW)
    young.refresh_from_db()
    assert young.status == TaskResultStatus.RUNNING and recovery.requeued == []


def test_a_running_task_older_than_the_timeout_is_queued_again_at_once():
    stale = _running(started_at=NOW - datetime.timedelta(minutes=31))
    recovery = tasks_recover(now=NOW)
    stale.refresh_from_db()
    assert [row.pk for row in recovery.requeued] == [stale.pk]
    assert (
        stale.status == TaskResultStatus.READY
        and stale.run_after == NOW
        and stale.started_at is None
    )


def test_a_young_task_of_a_worker_known_dead_is_queued_again_but_not_another_workers():
    orphan = _running(started_at=NOW, worker_ids=["worker-a", "dead-worker"])
    alive = _running(started_at=NOW, worker_ids=["dead-worker", "live-worker"])
    tasks_recover(now=NOW, dead_worker_ids=["dead-worker"])
    orphan.refresh_from_db()
    alive.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY
    assert alive.status == TaskResultStatus.RUNNING


def test_a_stale_task_out_of_attempts_fails_for_good_and_is_reported():
    stale = _running(started_at=NOW - datetime.timedelta(hours=1), worker_ids=["w1", "w2", "w3"])
    recovery = tasks_recover(now=NOW)
    stale.refresh_from_db()
    assert [row.pk for row in recovery.failed] == [stale.pk]
    assert stale.status == TaskResultStatus.FAILED
    assert stale.exception_class_path == f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
    assert "attempt 3 of at most 3" in stale.traceback
    assert tasks_failed_for_good() == [stale]


def test_a_stale_task_that_may_not_be_retried_fails_for_good_at_once():
    stale = _running(
        started_at=NOW - datetime.timedelta(hours=1), path=f"{__name__}.not_retryable_task"
    )
    tasks_recover(now=NOW)
    stale.refresh_from_db()
    assert stale.status == TaskResultStatus.FAILED and tasks_failed_for_good() == [stale]


# Retries through the real worker, and the final failure.


def test_a_failed_certificate_is_retried_after_the_delay_and_issued_once(
    passes_issue_nothing, people, quiz, monkeypatch
):
    attempt = _passed_attempt(people, quiz)
    real_render = certificate_services.certificate_pdf_render
    renders = []

    def render_failing_once(**kwargs):
        renders.append(1)
        if len(renders) == 1:
            raise OSError("storage unavailable")
        return real_render(**kwargs)

    monkeypatch.setattr("certificates.services.certificate_pdf_render", render_failing_once)
    result = certificate_issue_task.enqueue(attempt_id=attempt.pk)
    _run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    # Failed once: queued again, not before the first delay, with the error kept for the admin.
    assert row.status == TaskResultStatus.READY and len(row.worker_ids) == 1
    assert row.run_after >= timezone.now() + datetime.timedelta(seconds=50)
    assert "storage unavailable" in row.traceback
    assert not Certificate.objects.filter(attempt=attempt).exists()

    _run_worker()  # too early: nothing runs
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    DBTaskResult.objects.filter(pk=result.id).update(
        run_after=timezone.now()
    )  # the delay has passed
    _run_worker()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL and len(row.worker_ids) == 2
    assert Certificate.objects.filter(attempt=attempt).count() == 1
    assert tasks_failed_for_good() == []


@override_settings(TASK_RETRY_BASE_SECONDS=0)
def test_a_task_failing_every_time_stops_after_the_last_attempt_and_is_reported(
    passes_issue_nothing, people, quiz, monkeypatch, client_for
):
    attempt = _passed_attempt(people, quiz)
    result_page = reverse("quizzes:attempt", args=[attempt.pk])
    assert "being prepared" in client_for(people["staff"]).get(result_page).content.decode()

    def render_failing(**kwargs):
        raise OSError("storage unavailable")

    monkeypatch.setattr("certificates.services.certificate_pdf_render", render_failing)
    result = certificate_issue_task.enqueue(attempt_id=attempt.pk)
    _run_worker()  # with no delay, the worker runs every attempt in one go

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED and len(row.worker_ids) == 3
    assert not Certificate.objects.filter(attempt=attempt).exists()
    assert tasks_failed_for_good() == [row]
    # Recovery does not bring it back, and says so to whoever reads cron's output.
    out, err = io.StringIO(), io.StringIO()
    call_command("recover_tasks", stdout=out, stderr=err)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED
    assert "1 background task(s) failed for good" in err.getvalue()
    assert f"certificate_issue_task {row.pk} after 3 attempt(s): builtins.OSError" in err.getvalue()
    # The learner is told, not kept waiting for a certificate that will not come.
    page = client_for(people["staff"]).get(result_page).content.decode()
    assert "could not prepare your certificate" in page and "being prepared" not in page


def test_a_failed_task_not_on_the_retry_list_is_not_retried():
    result = not_retryable_task.enqueue()
    _run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED and len(row.worker_ids) == 1
    assert tasks_recover().retried == []
    assert tasks_failed_for_good() == [row]


def test_recovery_retries_a_failure_the_worker_did_not_get_to_schedule():
    row = _running(started_at=NOW - datetime.timedelta(minutes=5))
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.FAILED, finished_at=NOW - datetime.timedelta(minutes=5)
    )
    recovery = tasks_recover(now=NOW)
    row.refresh_from_db()
    assert [each.pk for each in recovery.retried] == [row.pk]
    assert row.status == TaskResultStatus.READY
    assert row.run_after == NOW - datetime.timedelta(minutes=5) + task_retry_delay(attempt=1)


# What an administrator sees.


def test_superusers_see_tasks_that_failed_for_good_in_the_admin_and_others_do_not(people, client):
    final = _running(started_at=NOW - datetime.timedelta(hours=1), worker_ids=["w1", "w2", "w3"])
    waiting = _running(started_at=NOW - datetime.timedelta(hours=1), worker_ids=["w1"])
    tasks_recover(now=NOW)
    admin = get_user_model().objects.create_superuser(
        "root.admin", "root@example.org", "a-long-password-1"
    )
    client.force_login(admin)
    page = client.get(reverse("lms_report_failed-tasks")).content.decode()
    assert str(final.pk) in page and "The worker stopped while running this task" in page
    assert str(waiting.pk) not in page  # queued again: not failed
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Failed background tasks" in menu

    for who in ("auditor", "author", "staff"):
        client.force_login(people[who].user)
        assert client.get(reverse("lms_report_failed-tasks")).status_code in (302, 403)


def test_a_reminder_whose_mail_server_was_down_is_retried_and_sent_once(people, module):
    from django.core.mail.backends.locmem import EmailBackend
    from django.test import TestCase

    from lms.models import OutboxMessage
    from lms.outbox import outbox_send_task

    assignment_create(module=module, due_on=days(5))
    reminder_send_task.enqueue(
        person_id=people["staff"].pk,
        module_id=module.pk,
        reason="due_soon",
        about_date=days(5).isoformat(),
    )

    def mail_server_down(self, messages):
        raise ConnectionRefusedError("mail server down")

    # The reminder's task records it and puts its e-mail in the outbox; the e-mail's task, queued
    # with it, is run next by the same worker and fails to go.
    with mock.patch.object(EmailBackend, "send_messages", mail_server_down):
        _run_worker()
    message = OutboxMessage.objects.get()
    assert Reminder.objects.count() == 1 and mail.outbox == []
    assert message.state == "queued" and "mail server down" in message.last_error
    send = DBTaskResult.objects.get(task_path="lms.outbox.outbox_send_task")
    assert send.status == TaskResultStatus.READY  # to be tried again after a delay

    DBTaskResult.objects.filter(pk=send.pk).update(run_after=timezone.now())  # the delay passed
    _run_worker()
    assert DBTaskResult.objects.get(pk=send.pk).status == TaskResultStatus.SUCCESSFUL
    assert [message.to for message in mail.outbox] == [[people["staff"].user.email]]
    # Run again by mistake (duplicates in the queue): neither sends a second mail.
    reminder_send_task.enqueue(
        person_id=people["staff"].pk,
        module_id=module.pk,
        reason="due_soon",
        about_date=days(5).isoformat(),
    )
    outbox_send_task.enqueue(message_id=message.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        _run_worker()
        _run_worker()
    assert len(mail.outbox) == 1 and Reminder.objects.count() == 1
    assert OutboxMessage.objects.get().state == "sent"


def test_every_retryable_task_names_a_task():
    from django_tasks_db.compat import Task

    from django.conf import settings
    from django.utils.module_loading import import_string

    for path in settings.TASK_RETRYABLE:
        assert isinstance(import_string(path), Task), path
