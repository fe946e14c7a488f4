"""`manage.py run_worker` keeps a worker running and replaces it after --max-tasks tasks, so the
memory a process keeps (WeasyPrint's, after each render) is returned; SIGTERM stops it cleanly.
Real processes on a database shared with this test (PostgreSQL, or a SQLite file)."""

import gc
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from django.test import override_settings

from tests.worker_processes import Database, finish

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = [pytest.mark.django_db(transaction=True)]


@task()
def worker_pid_task():
    # The objects the worker process froze before taking tasks (``worker_process``), too.
    return {"pid": os.getpid(), "frozen": gc.get_freeze_count()}


def _tasks(database):
    rows = database.rows(
        f"SELECT status, return_value, worker_ids FROM {DBTaskResult._meta.db_table}"  # noqa: S608
    )
    return [
        (status, *(json.loads(value) if isinstance(value, str) else value for value in values))
        for status, *values in rows
    ]


def test_the_supervised_worker_is_replaced_after_each_batch_of_tasks_and_stops_on_sigterm(tmp_path):
    with override_settings(TASKS=DATABASE_TASKS):
        for _ in range(3):
            worker_pid_task.enqueue()
    database = Database(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
        "DATABASE_URL": database.url,
        "LMS_VAR_DIR": str(tmp_path),
        "DEBUG": "false",
    }
    supervisor = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "run_worker", "--max-tasks", "1", "--interval", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        while any(status != TaskResultStatus.SUCCESSFUL for status, *_ in _tasks(database)):
            assert supervisor.poll() is None, (
                f"run_worker exited ({supervisor.returncode}): {supervisor.stderr.read()}"
            )
            assert time.monotonic() < deadline, (
                f"tasks not all done after 180 s: {_tasks(database)}"
            )
            time.sleep(0.2)
        supervisor.send_signal(signal.SIGTERM)
        finish(supervisor, timeout=60)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.communicate()

    tasks = _tasks(database)
    # One task per worker process: three processes, none of them the supervisor.
    pids = {value["pid"] for _, value, _ in tasks}
    assert len(pids) == 3 and supervisor.pid not in pids
    assert len({worker_ids[0] for _, _, worker_ids in tasks}) == 3
    # Each froze what its start-up loaded (Django, the apps) before its first task.
    assert all(value["frozen"] > 100_000 for _, value, _ in tasks), tasks
