"""Background work that is always finished, or visibly given up on.

django-tasks-db 0.13 runs each task once: a task that raises stays FAILED, and a task whose worker
dies (killed, out of memory, the machine restarted) stays RUNNING for ever. These functions add
what it lacks, on its own rows, so its admin, `prune_db_task_results` and the worker keep working:

- a RUNNING task older than TASK_STALE_AFTER_SECONDS (longer than any task takes), or one whose
  worker is known to have exited, is put back in the queue;
- a failed task listed in TASK_RETRYABLE is queued again after a growing delay;
- after TASK_MAX_ATTEMPTS attempts it is left FAILED for good and reported (`recover_tasks`, the
  Wagtail "Failed background tasks" report, and the lms.W002 database check).

The worker appends its id to a row each time it claims it, so the number of ids is the number of
attempts. Only idempotent tasks may be retried: issuing a certificate and sending a reminder are.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The worker stopped (killed, crashed or the machine restarted) while running the task."""


def task_enqueue_on_commit(task, *, using=DEFAULT_DB_ALIAS, **kwargs):
    """Queue ``task`` with ``kwargs`` so that it exists once the current transaction on ``using``
    commits, and never if it rolls back.

    Where the tasks are rows in that same database (django-tasks-db, as in production), the row is
    written inside the transaction: it commits with the record that caused it, so there is no moment
    after the commit at which a crash loses the task (a passed attempt would never get its
    certificate), and the work costs no second commit. Any other backend is handed the task when the
    transaction commits: the immediate backend would otherwise run it on uncommitted data. Outside a
    transaction both simply queue it now."""
    if isinstance(task.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == using
    ):
        return task.enqueue(**kwargs)
    transaction.on_commit(lambda: task.enqueue(**kwargs), using=using)
    return None


def task_retry_delay(*, attempt, base_seconds=None, max_seconds=None):
    """How long to wait before attempt ``attempt + 1``, after ``attempt`` attempts (1 or more) have
    failed: the base delay, four times longer after each failure, never more than the cap."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    base_seconds = settings.TASK_RETRY_BASE_SECONDS if base_seconds is None else base_seconds
    max_seconds = settings.TASK_RETRY_MAX_SECONDS if max_seconds is None else max_seconds
    return datetime.timedelta(seconds=min(base_seconds * 4 ** (attempt - 1), max_seconds))


def task_is_retryable(*, task_path):
    return task_path in settings.TASK_RETRYABLE


def _attempts(db_result):
    return len(db_result.worker_ids)


def _requeue(db_result, *, run_after):
    """Back to READY: the worker claims it again when ``run_after`` has passed. The last error stays
    on the row, for whoever looks at it in the meantime."""
    db_result.status = TaskResultStatus.READY
    db_result.run_after = run_after
    db_result.started_at = None
    db_result.finished_at = None
    db_result.save(update_fields=["status", "run_after", "started_at", "finished_at"])


def task_result_after_failure(*, db_result, now=None):
    """A task has just failed: queue it again after its delay if it may be retried and has attempts
    left, else leave it failed for good. Returns whether it was queued again."""
    now = now or timezone.now()
    with transaction.atomic():
        db_result = DBTaskResult.objects.select_for_update().filter(pk=db_result.pk).first()
        if db_result is None or db_result.status != TaskResultStatus.FAILED:
            return False
        if not task_is_retryable(task_path=db_result.task_path):
            return False
        if _attempts(db_result) >= settings.TASK_MAX_ATTEMPTS:
            return False
        _requeue(db_result, run_after=now + task_retry_delay(attempt=_attempts(db_result)))
        return True


def _worker_lost(db_result, *, now):
    """The worker running this task is gone. Run it again at once (the task did not fail: its
    process did) while it has attempts left and may be retried; else fail it for good."""
    if (
        task_is_retryable(task_path=db_result.task_path)
        and _attempts(db_result) < settings.TASK_MAX_ATTEMPTS
    ):
        _requeue(db_result, run_after=now)
        return True
    db_result.set_failed(
        WorkerLost(
            f"The worker stopped while running this task (attempt {_attempts(db_result)} of at most "
            f"{settings.TASK_MAX_ATTEMPTS}); it was not run again."
        )
    )
    return False


@dataclass
class Recovery:
    requeued: list = field(default_factory=list)  # stale or orphaned RUNNING tasks queued again
    retried: list = field(default_factory=list)  # FAILED tasks queued again after their delay
    failed: list = field(default_factory=list)  # RUNNING tasks given up on in this pass


def tasks_recover(*, now=None, stale_after=None, dead_worker_ids=()):
    """Put back in the queue what a dead worker left RUNNING and what failed with attempts left.

    A RUNNING task is taken as abandoned when it started more than ``stale_after`` ago (default
    TASK_STALE_AFTER_SECONDS), or at once when the worker that claimed it last is in
    ``dead_worker_ids`` (the supervisor knows its own worker has exited). A younger RUNNING task of
    a live worker is left alone: it may still be working."""
    now = now or timezone.now()
    stale_after = datetime.timedelta(
        seconds=settings.TASK_STALE_AFTER_SECONDS if stale_after is None else stale_after
    )
    dead_worker_ids = set(dead_worker_ids)
    recovery = Recovery()
    for candidate_id in list(DBTaskResult.objects.running().values_list("pk", flat=True)):
        with transaction.atomic():
            db_result = DBTaskResult.objects.select_for_update().filter(pk=candidate_id).first()
            if db_result is None or db_result.status != TaskResultStatus.RUNNING:
                continue  # finished meanwhile
            is_stale = db_result.started_at is None or db_result.started_at <= now - stale_after
            is_orphan = bool(db_result.worker_ids) and db_result.worker_ids[-1] in dead_worker_ids
            if not (is_stale or is_orphan):
                continue
            (recovery.requeued if _worker_lost(db_result, now=now) else recovery.failed).append(
                db_result
            )
    # Failed tasks the worker did not get to queue again (it died just after the failure).
    retryable = DBTaskResult.objects.failed().filter(task_path__in=settings.TASK_RETRYABLE)
    for candidate_id in list(retryable.values_list("pk", flat=True)):
        with transaction.atomic():
            db_result = DBTaskResult.objects.select_for_update().filter(pk=candidate_id).first()
            if db_result is None or db_result.status != TaskResultStatus.FAILED:
                continue
            if _attempts(db_result) >= settings.TASK_MAX_ATTEMPTS:
                continue
            delay = task_retry_delay(attempt=max(_attempts(db_result), 1))
            _requeue(db_result, run_after=(db_result.finished_at or now) + delay)
            recovery.retried.append(db_result)
    return recovery


def tasks_failed_for_good(*, since=None):
    """Failed tasks that will not be run again: not retryable, or out of attempts. Newest first."""
    failed = DBTaskResult.objects.failed().order_by("-finished_at")
    if since is not None:
        failed = failed.filter(finished_at__gte=since)
    return [db_result for db_result in failed if _failed_for_good(db_result)]


def task_failed_for_good(*, task_path=None, **kwargs):
    """Whether a task called with these keyword arguments (the task ``task_path``, or any task)
    failed and will not be run again, so that whoever waits for its result is told, not kept
    waiting. A lower layer asks without naming the task an upper layer runs for it."""
    failed = DBTaskResult.objects.failed()
    if task_path is not None:
        failed = failed.filter(task_path=task_path)
    for name, value in kwargs.items():
        failed = failed.filter(**{f"args_kwargs__kwargs__{name}": value})
    return any(_failed_for_good(db_result) for db_result in failed)


def _failed_for_good(db_result):
    return (
        not task_is_retryable(task_path=db_result.task_path)
        or _attempts(db_result) >= settings.TASK_MAX_ATTEMPTS
    )


def task_finished_receiver(sender, task_result, **kwargs):
    """Connected to django-tasks' task_finished signal, which the worker sends after it has stored
    a failure: the retry is scheduled at once rather than at the next `recover_tasks`."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is None or task_result.status != TaskResultStatus.FAILED:
        return
    try:
        task_result_after_failure(db_result=db_result)
    except Exception:
        # The worker must carry on; the next recover_tasks pass schedules the retry instead.
        logger.exception("Could not schedule a retry of task %s", db_result.pk)
