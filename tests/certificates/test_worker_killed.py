"""A worker killed in the middle of issuing a certificate (SIGKILL: no clean-up of any kind) leaves
no half certificate; `recover_tasks` queues the task again and the next worker issues exactly one.

Everything runs as it does in production: django-tasks-db's `db_worker` and `recover_tasks` in
their own processes, on a database they share with this test (PostgreSQL, or a SQLite file)."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django_tasks_db.compat import TaskResultStatus

from django.test import override_settings

from certificates.tasks import certificate_issue_task
from quizzes.models import Attempt
from quizzes.services import attempt_submit
from tests.factories import attempt_begin
from tests.worker_processes import Database, finish, line_starting

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = [pytest.mark.django_db(transaction=True)]

# Runs a management command with the database task backend (the test settings run tasks
# immediately). With "--doomed" first, the certificate renderer announces itself and then hangs,
# so the worker can be killed while it holds the certificate's transaction open.
SCRIPT = textwrap.dedent(
    """
    import sys, time, django
    from django.conf import settings
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    args = sys.argv[1:]
    if args[0] == "--doomed":
        args = args[1:]
        import certificates.services as services

        def render_forever(*, certificate):
            backend_pid = connection.connection.info.backend_pid if connection.vendor == "postgresql" else 0
            print(f"rendering {backend_pid}", flush=True)
            time.sleep(600)

        services.certificate_pdf_render = render_forever
    call_command(*args)
    """
)
WORKER = ["db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0"]


def _run(database, *args, timeout=180):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.test",
        "DATABASE_URL": database.url,
    }
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=ROOT,
        env=env,  # noqa: S603
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_certificate_is_recovered_and_issues_exactly_one(
    passes_issue_nothing, people, quiz, monkeypatch, tmp_path
):
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    answers = {
        str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])]
        for q in attempt.questions
    }
    attempt = attempt_submit(attempt=attempt, answers=answers)
    assert Attempt.objects.get(pk=attempt.pk).passed
    with override_settings(TASKS=DATABASE_TASKS):
        task_id = str(certificate_issue_task.enqueue(attempt_id=attempt.pk).id)
    database = Database(tmp_path)

    doomed = _run(database, "--doomed", *WORKER, "--worker-id", "doomed")
    try:
        backend_pid = int(line_starting(doomed, "rendering").split()[1])
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=30) == -signal.SIGKILL
    finally:
        if doomed.poll() is None:
            doomed.kill()
        doomed.communicate()
    database.wait_until_backend_gone(backend_pid)

    # The dead worker's claim stays RUNNING; its certificate was never committed.
    assert database.task(task_id) == (TaskResultStatus.RUNNING, ["doomed"])
    assert database.certificates(attempt.pk) == 0

    # No worker runs now, so every RUNNING task is abandoned: recover without waiting for the timeout.
    recovered = finish(_run(database, "recover_tasks", "--stale-after", "0"))
    assert f"Queued again (its worker stopped): certificate_issue_task {task_id}" in recovered
    assert database.task(task_id)[0] == TaskResultStatus.READY

    finish(_run(database, *WORKER, "--worker-id", "second"))
    assert database.task(task_id) == (TaskResultStatus.SUCCESSFUL, ["doomed", "second"])
    assert database.certificates(attempt.pk) == 1

    # Another recovery and another worker change nothing.
    finish(_run(database, "recover_tasks"))
    finish(_run(database, *WORKER, "--worker-id", "third"))
    assert database.certificates(attempt.pk) == 1
