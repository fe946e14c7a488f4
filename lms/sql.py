"""Helpers for the few reports and writes that write their own SQL."""

import contextlib

from django.db import connection, connections, router


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


@contextlib.contextmanager
def planned_for_each_run():
    """Statements run inside are planned for their own parameters every time they run, never
    prepared (where prepared statements are on: ``DATABASE_PREPARE_THRESHOLD``). For the queries
    over a whole reporting line or organisation: once a statement is prepared, PostgreSQL may
    settle on one generic plan for every parameter, and the one that suits a line of 10 made the
    dashboard's page query for a line of 10,000 about a third slower. Nothing on other
    databases."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver_connection = connection.connection
    saved = driver_connection.prepare_threshold
    driver_connection.prepare_threshold = None  # psycopg: prepare nothing
    try:
        yield
    finally:
        driver_connection.prepare_threshold = saved


@contextlib.contextmanager
def whole_organisation_query():
    """For the reports' queries over the whole organisation: seconds of work, which neither JIT
    compiling nor a plan made for other parameters may add to."""
    with without_jit(), planned_for_each_run():
        yield


def ids_in(column, ids):
    """``(sql, params)`` of a condition that ``column`` is one of ``ids``: one array parameter on
    PostgreSQL, so the statement's text is the same however many there are (and can stay
    prepared); a placeholder each elsewhere."""
    ids = [int(value) for value in ids]
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", ids


def rows_insert(*, model, rows):
    """Insert ``rows`` (dicts of column attribute name, such as ``attempt_id``, to value; the same
    keys in each) into ``model``'s table: one statement, sent once per row (``executemany``),
    each value adapted by its field exactly as ``bulk_create`` adapts it. For a write on a hot
    path: ``bulk_create`` builds a model instance per row and compiles its statement anew on
    every call, which took twice as long as the insert itself for a submission's dozen
    answered questions; this statement's text never changes, so PostgreSQL prepares it once per
    connection. As with ``bulk_create``, no signal is sent; nothing is read back."""
    rows = list(rows)
    if not rows:
        return
    using = router.db_for_write(model)
    database = connections[using]
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in rows[0]]
    quote = database.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608  (our table and column names)
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    values = [
        [field.get_db_prep_save(row[field.attname], connection=database) for field in fields]
        for row in rows
    ]
    with database.cursor() as cursor:
        cursor.executemany(sql, values)
