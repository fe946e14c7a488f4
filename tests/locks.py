"""For tests of concurrent writers on PostgreSQL: each in a thread with its own connection, and
every wait for an event or for PostgreSQL to show a lock being waited for (pg_locks), never a
guessed pause."""

import time

from django.db import connection, connections

# Long enough for any machine to reach the wait; the tests never sleep this long when they work.
PATIENCE_SECONDS = 60


def waiting_for_a_lock(backend_pid):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [backend_pid]
        )
        return cursor.fetchone()[0] > 0


def run_closing(function):
    """``(result, None)`` or ``(None, error)`` of ``function()``, its thread's connection closed."""
    try:
        return function(), None
    except Exception as error:  # noqa: BLE001  (the outcome is what the test inspects)
        return None, error
    finally:
        connections.close_all()


def finished_or_waiting(outcome, pid):
    """Wait until the thread behind ``outcome`` (a future) has finished or its connection, whose
    backend pid it puts in the list ``pid``, is waiting for a lock: True if it finished."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not outcome.done():
        if pid and waiting_for_a_lock(pid[0]):
            return False
        assert time.monotonic() < deadline, "neither finished nor waited"
        time.sleep(0.01)
    return True
