"""The grid's rows for people the dashboard already picked, built from the stored facts.

The page query (``status_sql.line_page``) filters, sorts and counts the line by the facts of
``ModuleStatusFacts`` and the due dates of the assignments, and hands back the shown cells'
facts with the page; the cells are built here from them (``status_grid_build``), each by
``status.status_compute``, so that a cell's words are the one rule's and always agree with the
filter, sort and headline that put it on the page: one read, one moment. An export's chunks
read their facts here (``stored_status_grid``), one query a chunk. ``selectors.module_status_grid``
reads every certificate, attempt and opened module of the people instead (six reads): for a
page of 100 people and four modules that was 17.8 ms, this is about 4 (the dashboard and its
exports, issue 18).

Cells carry what the dashboard and its exports show: the status, its words and dates, the
number of attempts. Not the best score or the certificate's id, which only a person's own page
shows (``/team/<id>/`` reads them with ``module_status_grid``)."""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from people.selectors import people_with_ids
from quizzes.selectors import attempts_retry_at

from .status import CertificateFacts, status_compute
from .status_sql import CELL_FACT_COLUMNS, facts_sql, sql_date, sql_datetime

_FACTS = f"SELECT person_id, module_id, {', '.join(CELL_FACT_COLUMNS)} FROM dash_fact"  # noqa: S608  (our names only)


def stored_status_grid(*, people, modules, today=None):
    """``[{"person": person, "cells": [Cell, ...]}]`` for ``people`` (PersonRows, in this order)
    in ``modules``: one query for the facts, and the quiz cooldown only when a cell may be
    "failed, can retry on …". A person deleted since the page was read has no row."""
    people, modules = list(people), list(modules)
    facts = {}
    if people and modules:
        sql, params = facts_sql(
            people=people_with_ids(ids=[person.pk for person in people]), modules=modules
        )
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} {_FACTS}", params)
            for row in cursor.fetchall():
                facts[(row[0], row[1])] = row[2:]
    return status_grid_build(people=people, modules=modules, facts=facts, today=today)


def status_grid_build(*, people, modules, facts, today=None):
    """The rows of ``people`` in ``modules`` from their cells' ``facts`` (``{(person id, module
    id): the values of CELL_FACT_COLUMNS}``, as ``stored_status_grid`` or the page query read
    them), each cell by ``status_compute``; the quiz cooldown is read only when a cell may be
    "failed, can retry on …". A person with no facts (deleted since the page was read) has no
    row."""
    today = today or timezone.localdate()
    people, modules = list(people), list(modules)
    if not people:
        return []
    waits = _retry_times(facts)
    window = settings.LMS_EXPIRING_SOON_DAYS
    # A cell is a pure function of its module and facts, and a page of 100 people holds far fewer
    # different cells than 400 (people who started on the same day with nothing done): each is
    # built once and shared (``Cell`` is frozen).
    built = {}
    rows = []
    # A page's ``pk`` is a property through its model's options, read 800 times a page.
    module_ids = [(module, module.pk) for module in modules]
    for person in people:
        person_id = person.pk
        if modules and (person_id, module_ids[0][1]) not in facts:
            continue  # deleted since the page was read: nobody to show
        cells = []
        for module, module_id in module_ids:
            key = (person_id, module_id)
            cell_facts = facts[key]
            retry_at = waits.get(key)
            same = (module_id, cell_facts, retry_at)
            cell = built.get(same)
            if cell is None:
                cell = built[same] = _cell_build(
                    module=module,
                    facts=cell_facts,
                    retry_at=retry_at,
                    today=today,
                    window=window,
                )
            cells.append(cell)
        rows.append({"person": person, "cells": cells})
    return rows


def _cell_build(*, module, facts, retry_at, today, window):
    (
        certificate_status,
        expires_on,
        revoked_at,
        attempts,
        passed_pending,
        started,
        recertify_by,
        assigned,
        due_on,
        quiz_refused,
    ) = facts
    return status_compute(
        module=module,
        assigned=bool(assigned),
        due_on=sql_date(due_on),
        certificate=(
            CertificateFacts(certificate_status, sql_date(expires_on))
            if certificate_status is not None
            else None
        ),
        recertify_by=sql_date(recertify_by),
        attempts=int(attempts),
        best_score=None,
        passed_pending=bool(passed_pending),
        started=bool(started),
        retry_on=timezone.localdate(retry_at) if retry_at else None,
        today=today,
        expiring_window_days=window,
        revoked_on=(
            timezone.localdate(sql_datetime(revoked_at)) if revoked_at is not None else None
        ),
        quiz_refused=bool(quiz_refused),
    )


def _retry_times(facts):
    """When people may retry, for the cells that may be "failed": attempts submitted, none
    passed and waiting for its certificate, no current certificate. Only those with as many
    attempts as a wait needs have their histories read."""
    failed = {
        key: attempts
        for key, (certificate_status, _e, _r, attempts, passed_pending, *_rest) in facts.items()
        if attempts and not passed_pending and certificate_status is None
    }
    if not failed:
        return {}
    return attempts_retry_at(
        person_ids=sorted({person_id for person_id, _module_id in failed}),
        module_ids=sorted({module_id for _person_id, module_id in failed}),
        submitted=failed,
    )
