"""The grid's status rule (``selectors.module_status_grid`` with ``status.status_compute``) as one
SQL query over every current person and live module, for the organisation-wide reports: the
database counts and sorts hundreds of thousands of person x module cells without Python building
one object per cell.

Only what those reports need is computed here: whether a cell is assigned, compliant, overdue or
expired, or expiring soon, and the facts behind an overdue cell's label (which Python still words,
through ``status_compute`` itself). Failed, in progress and not started are left as "other".
tests/tracking/test_grid_sql.py checks, cell by cell, that this agrees with the Python rule."""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from people.models import Person, Team
from quizzes.models import Attempt, Quiz

from . import status as statuses
from .models import Assignment

# Cells that are neither compliant, overdue, expired nor expiring soon (the reports need no more).
OTHER = "other"


def _date_param():
    """A date bound as a parameter: PostgreSQL must know its type inside VALUES; SQLite stores
    dates as ISO text, which a cast would turn into a number."""
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def _plus_days(date_sql, days_sql):
    if connection.vendor == "postgresql":
        return f"({date_sql} + {days_sql})"
    return f"date({date_sql}, '+' || {days_sql} || ' days')"


def _later(first, second):
    """The later of two dates, either possibly NULL (``relative_due_on``'s ``max`` of those given)."""
    return (
        f"CASE WHEN {first} IS NULL THEN {second} WHEN {second} IS NULL THEN {first} "
        f"WHEN {first} > {second} THEN {first} ELSE {second} END"
    )


def name_order_sql():
    """``lms.names.display_name`` as SQL, compared as Python compares text (by code point)."""
    name = (
        "CASE WHEN TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) = '' "
        "THEN u.username "
        "ELSE TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) END"
    )
    return f'{name} COLLATE "C"' if connection.vendor == "postgresql" else name


def cells_sql(*, modules, today, people=None, assigned_only=False):
    """(SQL, params) of a WITH clause whose last table, ``cells``, has one row per current person
    (or per person of ``people``, a queryset) and module in ``modules``:
    person_id, module_id, module_position (in ``modules``), is_assigned (1/0), status (a
    ``tracking.status`` name or OTHER), due_on (the cell's), recertify_by, certificate_status,
    expires_on and revoked_at (when revoked with nothing submitted since). Callers add the
    SELECT. ``assigned_only``: instead, a last table ``assigned`` (person_id, module_id,
    start_date) of the modules assigned to each person today (``selectors._due_dates``'s rule)."""
    if people is None:
        people_where, people_params = "p.left_on IS NULL", []
    else:
        people_sql, people_params = people.values("pk").query.sql_with_params()
        people_where, people_params = f"p.id IN ({people_sql})", list(people_params)
    modules = list(modules)
    if not modules:
        raise ValueError("cells_sql needs at least one module")
    date = _date_param()
    window_end = today + datetime.timedelta(days=settings.LMS_EXPIRING_SOON_DAYS)
    module_rows = ", ".join(f"(%s, %s, %s, {date})" for _ in modules)
    module_params = []
    for position, module in enumerate(modules):
        module_params += [
            module.pk,
            position,
            1 if getattr(module, "base_competence", False) else 0,
            timezone.localdate(module.first_published_at) if module.first_published_at else None,
        ]
    module_ids = ", ".join("%s" for _ in modules)
    ids = [module.pk for module in modules]
    assignment, certificate, event = (
        Assignment._meta.db_table,
        Certificate._meta.db_table,
        CertificateEvent._meta.db_table,
    )
    relative = _plus_days(_later("p.start_date", "a.assigned_on"), "a.due_within_days")
    base_due = _plus_days(
        _later("p.start_date", "m.published_on"), str(int(settings.LMS_BASE_COMPETENCE_DUE_DAYS))
    )
    recertification = Assignment.Reason.RECERTIFICATION.value
    # Table names are ours and every value is a parameter.
    sql = f"""
WITH RECURSIVE
team_reach(team_id, ancestor_id) AS (
    SELECT id, id FROM {Team._meta.db_table}
    UNION
    SELECT r.team_id, t.parent_id FROM team_reach r
    JOIN {Team._meta.db_table} t ON t.id = r.ancestor_id WHERE t.parent_id IS NOT NULL
),
mods(module_id, position, base, published_on) AS (VALUES {module_rows}),
people AS (
    SELECT p.id, p.team_id, p.start_date FROM {Person._meta.db_table} p
    WHERE {people_where}
),
reach AS (
    SELECT p.id AS person_id, a.module_id, a.reason, COALESCE(a.due_on, {relative}) AS due
    FROM people p JOIN {assignment} a ON a.audience = 'everyone'
    WHERE a.module_id IN ({module_ids})
    UNION ALL
    SELECT p.id, a.module_id, a.reason, COALESCE(a.due_on, {relative})
    FROM people p JOIN team_reach r ON r.team_id = p.team_id
    JOIN {assignment} a ON a.audience = 'team' AND a.team_id = r.ancestor_id
    WHERE a.module_id IN ({module_ids})
    UNION ALL
    SELECT p.id, a.module_id, a.reason, COALESCE(a.due_on, {relative})
    FROM people p JOIN {assignment} a ON a.audience = 'person' AND a.person_id = p.id
    WHERE a.module_id IN ({module_ids})
),
due AS (
    SELECT person_id, module_id,
        MIN(CASE WHEN reason <> %s THEN due END) AS due_on,
        MAX(CASE WHEN reason = %s THEN due END) AS recertify_by
    FROM reach GROUP BY person_id, module_id
),
ranked AS (
    SELECT c.person_id, c.module_id, c.status, c.expires_on,
        ROW_NUMBER() OVER (
            PARTITION BY c.person_id, c.module_id ORDER BY c.issued_at DESC, c.id DESC
        ) AS position
    FROM {certificate} c
    WHERE c.kind = %s AND c.status IN (%s, %s) AND c.module_id IN ({module_ids})
),
revoked AS (
    SELECT c.person_id, c.module_id, MAX(e.at) AS revoked_at
    FROM {certificate} c JOIN {event} e ON e.certificate_id = c.id AND e.to_status = %s
    WHERE c.kind = %s AND c.status = %s AND c.module_id IN ({module_ids})
    GROUP BY c.person_id, c.module_id
),
pending AS (
    SELECT DISTINCT a.person_id, q.module_id
    FROM {Attempt._meta.db_table} a JOIN {Quiz._meta.db_table} q ON q.id = a.quiz_id
    WHERE a.submitted_at IS NOT NULL AND a.passed = %s AND q.module_id IN ({module_ids})
        AND NOT EXISTS (SELECT 1 FROM {certificate} c WHERE c.attempt_id = a.id)
),
tried AS (
    -- When each person last submitted, needed only where a certificate was revoked.
    SELECT a.person_id, q.module_id, MAX(a.submitted_at) AS last_submitted_at
    FROM {Attempt._meta.db_table} a JOIN {Quiz._meta.db_table} q ON q.id = a.quiz_id
    JOIN revoked v ON v.person_id = a.person_id AND v.module_id = q.module_id
    WHERE a.submitted_at IS NOT NULL
    GROUP BY a.person_id, q.module_id
),
facts AS (
    SELECT p.id AS person_id, m.module_id, m.position AS module_position,
        CASE WHEN d.due_on IS NOT NULL THEN d.due_on WHEN m.base = 1 THEN {base_due} END AS due_on,
        d.recertify_by,
        CASE WHEN d.due_on IS NOT NULL OR m.base = 1 OR d.recertify_by IS NOT NULL
            THEN 1 ELSE 0 END AS is_assigned,
        c.status AS certificate_status, c.expires_on,
        CASE WHEN pp.person_id IS NULL THEN 0 ELSE 1 END AS passed_pending,
        CASE WHEN c.status IS NULL AND (t.last_submitted_at IS NULL
            OR t.last_submitted_at <= v.revoked_at) THEN v.revoked_at END AS revoked_at
    FROM people p CROSS JOIN mods m
    LEFT JOIN due d ON d.person_id = p.id AND d.module_id = m.module_id
    LEFT JOIN ranked c ON c.person_id = p.id AND c.module_id = m.module_id AND c.position = 1
    LEFT JOIN pending pp ON pp.person_id = p.id AND pp.module_id = m.module_id
    LEFT JOIN tried t ON t.person_id = p.id AND t.module_id = m.module_id
    LEFT JOIN revoked v ON v.person_id = p.id AND v.module_id = m.module_id
),
cells AS (SELECT person_id, module_id, module_position, is_assigned,
    CASE
        WHEN certificate_status = %s THEN
            CASE WHEN recertify_by IS NOT NULL AND recertify_by < {date} THEN %s ELSE %s END
        WHEN certificate_status IS NOT NULL THEN
            CASE WHEN expires_on < {date} THEN %s
                WHEN expires_on >= {date} AND expires_on <= {date} THEN %s ELSE %s END
        WHEN passed_pending = 1 THEN %s
        WHEN revoked_at IS NOT NULL THEN
            CASE WHEN is_assigned = 1 AND due_on IS NOT NULL AND due_on < {date} THEN %s ELSE %s END
        WHEN is_assigned = 0 THEN %s
        WHEN due_on IS NOT NULL AND due_on < {date} THEN %s
        ELSE %s
    END AS status,
    CASE
        WHEN certificate_status = %s THEN recertify_by
        WHEN certificate_status IS NOT NULL THEN expires_on
        WHEN passed_pending = 1 THEN NULL
        WHEN revoked_at IS NOT NULL AND is_assigned = 0 THEN NULL
        ELSE due_on
    END AS due_on,
    recertify_by, certificate_status, expires_on, revoked_at
FROM facts)
"""  # noqa: S608
    if assigned_only:
        head = sql[: sql.index("ranked AS (")]
        assigned = """assigned AS (
    SELECT p.id AS person_id, m.module_id, p.start_date
    FROM people p CROSS JOIN mods m
    LEFT JOIN due d ON d.person_id = p.id AND d.module_id = m.module_id
    WHERE d.due_on IS NOT NULL OR m.base = 1 OR d.recertify_by IS NOT NULL
)
"""
        return head + assigned, [
            *module_params,
            *people_params,
            *ids,
            *ids,
            *ids,
            recertification,
            recertification,
        ]
    recertification_due = Certificate.Status.RECERTIFICATION_DUE.value
    params = [
        *module_params,
        *people_params,
        *ids,
        *ids,
        *ids,
        recertification,
        recertification,
        Certificate.Kind.MODULE.value,
        Certificate.Status.VALID.value,
        recertification_due,
        *ids,
        Certificate.Status.REVOKED.value,
        Certificate.Kind.MODULE.value,
        Certificate.Status.REVOKED.value,
        *ids,
        True,
        *ids,
        recertification_due,
        today,
        statuses.OVERDUE,
        statuses.RECERTIFICATION_DUE,
        today,
        statuses.EXPIRED,
        today,
        window_end,
        statuses.EXPIRING_SOON,
        statuses.PASSED,
        statuses.PASSED,
        today,
        statuses.OVERDUE,
        statuses.REVOKED,
        statuses.NOT_ASSIGNED,
        today,
        statuses.OVERDUE,
        OTHER,
        recertification_due,
    ]
    return sql, params


def sql_date(value):
    """A date column read with a plain cursor: SQLite hands back its ISO text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def sql_datetime(value):
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
        return timezone.make_aware(value, datetime.UTC) if timezone.is_naive(value) else value
    return value
