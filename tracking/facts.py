"""Keeping ``ModuleStatusFacts`` true to the records they summarise.

A write that changes what a learner's status in a module rests on (opening it, a submission, a
certificate issued or changing status) hands the people and modules here inside its own
transaction (``modules.handoffs.learner_records_written``). Their rows are then worked out again
from the records themselves (``status_sql.recorded_facts_sql``; tests/tracking/test_status_sql.py
holds the statuses worked out from them against ``status_compute``), never adjusted by increments: a
refresh is right whatever happened before it, and ``module_status_facts_rebuild`` (``manage.py
module_status_facts_rebuild``) rebuilds every row the same way after records were loaded in bulk
or restored from a backup."""

from django.db import connection, transaction

from lms.sql import ids_in
from modules.models import ModulePage
from people.models import Person
from people.services import people_lock

from .headlines import line_headlines_forget, line_headlines_forget_all, line_headlines_forget_sql
from .models import ModuleStatusFacts
from .status_sql import (
    RECORDED_FACTS_COLUMNS,
    recorded_facts_ctes,
    recorded_facts_sql,
    sql_date,
    sql_datetime,
)

# The table holds the recorded facts as they are worked out, column for column.
FACT_COLUMNS = RECORDED_FACTS_COLUMNS
# What a row's facts are read as ("started" is worked out as 1 or 0, and stored as true or false).
FACTS_AS_STORED = ", ".join(
    "started = 1" if column == "started" else column for column in FACT_COLUMNS
)


def module_status_facts_refresh(*, person_ids, module_ids):
    """Work out again the facts of these people in these modules (every pair of the two)."""
    person_ids, module_ids = sorted(set(person_ids)), sorted(set(module_ids))
    if not person_ids or not module_ids:
        return
    # Inside the write's own transaction (the hand-off's): no savepoint of its own, as an error
    # here must undo the write anyway.
    with transaction.atomic(savepoint=False):
        # Two writes about the same person in flight at once (a submission and the certificate
        # task, say) take turns here, and the second reads the records after the first has
        # committed, not from a snapshot taken before it.
        people_lock(person_ids=person_ids)
        if connection.vendor == "postgresql":
            _facts_replace(person_ids=person_ids, module_ids=module_ids)
            return
        _facts_delete(person_ids=person_ids, module_ids=module_ids)
        _facts_insert(people=person_ids, module_ids=module_ids, narrow=True)
        line_headlines_forget(person_ids=person_ids)


def module_status_facts_rebuild():
    """Every row worked out again from the records, in one transaction, and every kept headline
    counted again when next read. Returns the number of rows."""
    with transaction.atomic():
        count = module_status_facts_rows_rebuild()
        line_headlines_forget_all()
    return count


def module_status_facts_rows_rebuild():
    """The rows alone (tracking migration 0002 builds them before the headlines exist)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Refreshes wait until the rebuild has committed, then work their rows out again.
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {ModuleStatusFacts._meta.db_table} IN EXCLUSIVE MODE")  # noqa: S608  (our table name)
        ModuleStatusFacts.objects.all().delete()
        _facts_insert(
            people=Person.objects.all(),
            module_ids=ModulePage.objects.values_list("pk", flat=True),
            narrow=False,
        )
        return ModuleStatusFacts.objects.count()


def _facts_replace(*, person_ids, module_ids):
    """PostgreSQL: the refresh after the lock, as one statement. Every submission runs it; as
    three (delete the rows, insert them worked out again, forget the headlines above) it took
    two more round trips, and the delete and the update were planned afresh each time, as
    PostgreSQL settled on no generic plan for their array parameters. Here the people and the
    modules come from the facts' own CTEs: one person in one module is one text, prepared once
    per connection.

    A row whose pair still has records is updated rather than deleted and inserted again, and
    a row whose pair has none left is deleted. The statement's snapshot is taken after the
    lock, so it reads the records as the last write about these people committed them."""
    ctes, params = recorded_facts_ctes(people=person_ids, module_ids=module_ids, narrow=True)
    table = ModuleStatusFacts._meta.db_table
    kept = ", ".join(f"{column} = EXCLUDED.{column}" for column in FACT_COLUMNS[2:])
    forget = line_headlines_forget_sql(people_sql="SELECT person_id FROM dash_line")
    query = f"""WITH {ctes},
    dash_headlines_forgotten AS ({forget}),
    dash_facts_gone AS (
        DELETE FROM {table} stored
        WHERE stored.person_id IN (SELECT person_id FROM dash_line)
            AND stored.module_id IN (SELECT module_id FROM dash_module)
            AND NOT EXISTS (
                SELECT 1 FROM dash_recorded_facts recorded
                WHERE recorded.person_id = stored.person_id
                    AND recorded.module_id = stored.module_id
            )
    )
    INSERT INTO {table} ({", ".join(FACT_COLUMNS)})
    SELECT {FACTS_AS_STORED} FROM dash_recorded_facts
    ON CONFLICT (person_id, module_id) DO UPDATE SET {kept}"""  # noqa: S608  (our names only; every value is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(query, params)


def _facts_delete(*, person_ids, module_ids):
    # SQLite's refresh (PostgreSQL's deletes inside ``_facts_replace``). Our own statement: the
    # ORM spent longer building its DELETE than the database took to run it.
    people, people_params = ids_in("person_id", person_ids)
    modules, module_params = ids_in("module_id", module_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ModuleStatusFacts._meta.db_table} WHERE {people} AND {modules}",  # noqa: S608  (our table name)
            people_params + module_params,
        )


def _facts_insert(*, people, module_ids, narrow):
    module_ids = list(module_ids)
    if not module_ids:
        return
    sql, params = recorded_facts_sql(people=people, module_ids=module_ids, narrow=narrow)
    table = ModuleStatusFacts._meta.db_table
    # The records' query as a subquery: SQLite and PostgreSQL both take a WITH inside one.
    query = f"""INSERT INTO {table} ({", ".join(FACT_COLUMNS)})
    SELECT {FACTS_AS_STORED} FROM ({sql}) recorded"""  # noqa: S608  (our names only; every value is a parameter)
    with connection.cursor() as cursor:
        cursor.execute(query, params)


def module_status_facts_differences():
    """``{(person id, module id): (stored, worked out)}`` wherever the stored facts are not what
    the records say now (each side a tuple of the facts, or None for no row): empty when every
    write handed its people and modules on. The tests check it after every test; ``manage.py
    module_status_facts_rebuild --check`` reports it."""
    sql, params = recorded_facts_sql(
        people=Person.objects.all(),
        module_ids=ModulePage.objects.values_list("pk", flat=True),
        narrow=False,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        live = {(row[0], row[1]): _facts_of(row[2:]) for row in cursor.fetchall()}
    stored = {
        (row[0], row[1]): _facts_of(row[2:])
        for row in ModuleStatusFacts.objects.values_list(*FACT_COLUMNS)
    }
    return {
        key: (stored.get(key), live.get(key))
        for key in stored.keys() | live.keys()
        if stored.get(key) != live.get(key)
    }


def _facts_of(values):
    """The facts in one form whichever database and cursor read them (SQLite hands dates and
    times back as text, and true as 1)."""
    certificate_status, expires_on, revoked_at, attempts, passed_pending, started = values
    return (
        certificate_status,
        sql_date(expires_on),
        sql_datetime(revoked_at),
        int(attempts),
        int(passed_pending),
        bool(started),
    )
