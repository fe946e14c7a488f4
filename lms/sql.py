"""Helpers for the few reports that write their own SQL."""

import contextlib

from django.db import connection


@contextlib.contextmanager
def without_jit():
    """PostgreSQL's JIT compiler for the queries run inside. The reports' queries over the whole
    organisation are costed high enough to be compiled, and compiling them took longer than
    running them (seconds of a report's few); a query is planned, so compiled or not, when it is
    executed (a server-side cursor's when it is declared), so the setting can go back at once.
    Nothing on other databases."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")
