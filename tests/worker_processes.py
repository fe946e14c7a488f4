"""Background workers in real processes, on a database this test shares with them: PostgreSQL, or
on SQLite a file copy of the (in-memory) test database."""

import json
import select
import sqlite3
import time

from django_tasks_db.models import DBTaskResult

from django.db import connection

from certificates.models import Certificate


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
            self.url = (
                f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
                f"{settings['PORT'] or 5432}/{settings['NAME']}"
            )

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
        return self.rows(
            f"SELECT COUNT(*) FROM {Certificate._meta.db_table} WHERE attempt_id = %s",  # noqa: S608
            [attempt_id],
        )[0][0]

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


def line_starting(process, prefix, *, timeout=120):
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
        assert line, (
            f"the process exited (status {process.wait()}) before {prefix!r}: {process.stderr.read()}"
        )
        if line.startswith(prefix):
            return line


def finish(process, *, timeout=180):
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"exit status {process.returncode}: {err}"
    return out
