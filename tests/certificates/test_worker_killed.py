"""A worker killed in the middle of issuing a certificate (SIGKILL: no clean-up of any kind) leaves
no half certificate; `recover_tasks` queues the task again and the next worker issues exactly one.

Everything runs as it does in production: django-tasks-db's `db_worker` and `recover_tasks` in
their own processes, on a database they share with this test (PostgreSQL, or a SQLite file)."""

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from django.db import connection
from django.test import override_settings

from certificates.models import Certificate
from certificates.tasks import certificate_issue_task
from quizzes.models import Attempt
from quizzes.services import attempt_start, attempt_submit

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


class Database:
    """Reads what the subprocesses committed: through this test's connection on PostgreSQL, from
    the file itself on SQLite (this test's own SQLite database is in memory)."""

    def __init__(self, tmp_path):
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            # Copy the in-memory test database, with the passed attempt and its queued task, to a file.
            self.path = tmp_path / "db.sqlite3"
            with sqlite3.connect(self.path) as copy:
                connection.connection.backup(copy)
            copy.close()
            self.url = f"sqlite:///{self.path}"
        else:
            settings = connection.settings_dict
            self.url = (f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
                        f"{settings['PORT'] or 5432}/{settings['NAME']}")

    def rows(self, sql, params=()):
        if self.vendor == "sqlite":
            with sqlite3.connect(self.path) as database:
                rows = database.execute(sql.replace("%s", "?"), params).fetchall()
            database.close()
            return rows
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def task(self, task_id):
        status, worker_ids = self.rows(
            f"SELECT status, worker_ids FROM {DBTaskResult._meta.db_table} WHERE id = %s",  # noqa: S608
            [task_id.replace("-", "") if self.vendor == "sqlite" else task_id],
        )[0]
        return status, json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids

    def certificates(self, attempt_id):
        return self.rows(f"SELECT COUNT(*) FROM {Certificate._meta.db_table} WHERE attempt_id = %s",  # noqa: S608
                         [attempt_id])[0][0]

    def wait_until_backend_gone(self, backend_pid, *, timeout=60):
        """PostgreSQL rolls a dead client's transaction back once it notices the closed socket."""
        if self.vendor != "postgresql":
            return  # SQLite's locks go with the process
        deadline = time.monotonic() + timeout
        while self.rows("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend_pid]):
            assert time.monotonic() < deadline, (
                f"PostgreSQL still runs the killed worker's backend (pid {backend_pid}) after {timeout} s"
            )
            time.sleep(0.1)


def _run(database, *args, timeout=180):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.test", "DATABASE_URL": database.url}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, *args], cwd=ROOT, env=env,  # noqa: S603
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _line_starting(process, prefix, *, timeout=120):
    """Read the process's output until a line starts with ``prefix``; fail clearly if it exits or
    stays silent instead."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no line starting {prefix!r} within {timeout} s"
        ready, _, _ = select.select([process.stdout], [], [], remaining)
        if not ready:
            continue
        line = process.stdout.readline()
        assert line, f"the process exited (status {process.wait()}) before {prefix!r}: {process.stderr.read()}"
        if line.startswith(prefix):
            return line


def _finish(process, *, timeout=180):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"exit status {process.returncode}: {err}"
    return out


def test_a_worker_killed_mid_certificate_is_recovered_and_issues_exactly_one(people, quiz, monkeypatch, tmp_path):
    attempt = attempt_start(person=people["staff"], quiz=quiz)
    answers = {str(q["id"]): [next(o["id"] for o in q["options"] if o["correct"])] for q in attempt.questions}
    monkeypatch.setattr("quizzes.services._certificate_issue_enqueue", lambda *, attempt_id: None)
    attempt = attempt_submit(attempt=attempt, answers=answers)
    assert Attempt.objects.get(pk=attempt.pk).passed
    with override_settings(TASKS=DATABASE_TASKS):
        task_id = str(certificate_issue_task.enqueue(attempt_id=attempt.pk).id)
    database = Database(tmp_path)

    doomed = _run(database, "--doomed", *WORKER, "--worker-id", "doomed")
    try:
        backend_pid = int(_line_starting(doomed, "rendering").split()[1])
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
    recovered = _finish(_run(database, "recover_tasks", "--stale-after", "0"))
    assert f"Queued again (its worker stopped): certificate_issue_task {task_id}" in recovered
    assert database.task(task_id)[0] == TaskResultStatus.READY

    _finish(_run(database, *WORKER, "--worker-id", "second"))
    assert database.task(task_id) == (TaskResultStatus.SUCCESSFUL, ["doomed", "second"])
    assert database.certificates(attempt.pk) == 1

    # Another recovery and another worker change nothing.
    _finish(_run(database, "recover_tasks"))
    _finish(_run(database, *WORKER, "--worker-id", "third"))
    assert database.certificates(attempt.pk) == 1
