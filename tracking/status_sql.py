"""The status of every person and module, worked out in the database, written once for all its
readers: the manager's dashboard filters, sorts, pages and counts a reporting line by it
(``cells_sql``: a line of 10,000 people costs one query and only the shown page's rows are built
in Python), the organisation-wide completion and overdue reports count and sort every current
person by it (``report_cells_sql``), and compliance over time reads who is assigned what
(``assigned_sql``).

``status.status_compute`` stays the rule: this is the same precedence written as SQL, over the
same facts that ``selectors.module_status_grid`` reads (the current certificate, a revocation
with nothing submitted since, submitted attempts, a passed attempt still being certified, a
started module, and the due dates of the assignments that reach the person, or the base-competence
default). Those recorded facts are read from ``ModuleStatusFacts``, one row per person and module,
kept by ``tracking.facts`` as each record is written, so that a big line does not group every
attempt and certificate it has on each request; the due dates are worked out on reading.
tests/tracking/test_status_sql.py checks that both give the same status and due date for every
combination of those facts, and tests/tracking/test_reports_sql.py that the reports say what
the grid says, on SQLite and PostgreSQL; after every test, tests/conftest.py checks that the
stored facts are what the records say.

Only ours goes into the SQL text (table and column names, the status words); every value is a
bound parameter."""

import dataclasses
import datetime
import json
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent
from lms.sql import planned_for_each_run
from lms.trees import tree_ancestors
from modules.models import ModuleProgress
from people.models import Person, ReportingLink, Team
from quizzes.models import Attempt, Quiz
from quizzes.selectors import quiz_refusals

from . import status as statuses
from .models import Assignment, ModuleStatusFacts
from .selectors import PERSON_ROW_FIELDS, PersonRow

# A shown row's fields (a PersonRow's), joined for the shown page's people only (``dash_shown``):
# carried through the whole line's grouping, sorting and counting, a line of 18,749 people
# moved 1.7 kB a row through them. The line manager's names are joined the same way.
MANAGER_NAMES = ("line_manager_first_name", "line_manager_last_name")
SHOWN_FIELDS = {name: path for name, path in PERSON_ROW_FIELDS.items() if name not in MANAGER_NAMES}
SHOWN_COLUMNS = ", ".join(f"shown.{'person_id' if name == 'pk' else name}" for name in SHOWN_FIELDS)
# dash_line's columns: what the rule reads of a person (``RULE_FIELDS``, below) and what the
# line is sorted by.
SORT_FIELDS = {
    "first_name": "user__first_name",
    "last_name": "user__last_name",
    "team_name": "team__name",
}

# The date that sorts after every due date, as status.Cell sorting puts "no date" last.
NO_DATE = "9999-12-31"


@dataclass(frozen=True)
class LineTotals:
    """The headline's aggregates over the filtered line."""

    people: int = 0
    assigned_people: int = 0
    compliant_people: int = 0
    overdue: int = 0
    expiring_soon: int = 0


def _word(value):
    """A status word as an SQL literal: ours, never user input, and checked to be plain."""
    if not value.replace("_", "").isalpha():
        raise ValueError(f"not a status word: {value!r}")
    return f"'{value}'"


def _words(values):
    return ", ".join(_word(value) for value in values)


def _date_plus(date_sql, days_sql):
    """``date_sql`` plus a whole number of days, as a date, on either database."""
    if connection.vendor == "sqlite":
        return f"date({date_sql}, '+' || ({days_sql}) || ' days')"
    return f"(({date_sql}) + ({days_sql}))"


def _later_of(first_sql, second_sql):
    """The later of two dates, the second when the first is unknown (``relative_due_on``)."""
    return f"(CASE WHEN {first_sql} > {second_sql} THEN {first_sql} ELSE {second_sql} END)"


def _text_key(sql):
    """Lower case, compared by code point as Python compares strings, not by the locale."""
    lowered = f"LOWER({sql})"
    return f'{lowered} COLLATE "C"' if connection.vendor == "postgresql" else lowered


# A cell whose status the caller did not ask to tell apart (failed, in progress, not started):
# the organisation-wide reports need only assigned, compliant, overdue, expired and expiring.
OTHER = "other"


def status_case(*, today, horizon):
    """(SQL, SQL, params): the status word and the due date (``Cell.due_on``) of one cell from
    the facts of ``dash_fact`` (see ``facts_sql``), in the precedence of ``status_compute``."""
    unavailable = _word(statuses.UNAVAILABLE)
    sql = f"""CASE
        WHEN f.certificate_status = {_word(statuses.RECERTIFICATION_DUE)} THEN
            CASE WHEN f.quiz_refused = 1 THEN {unavailable}
                 WHEN f.recertify_by < %s THEN {_word(statuses.OVERDUE)}
                 ELSE {_word(statuses.RECERTIFICATION_DUE)} END
        WHEN f.certificate_status IS NOT NULL THEN
            CASE WHEN f.expires_on < %s THEN
                    CASE WHEN f.quiz_refused = 1 THEN {unavailable}
                         ELSE {_word(statuses.EXPIRED)} END
                 WHEN f.expires_on <= %s THEN {_word(statuses.EXPIRING_SOON)}
                 ELSE {_word(statuses.PASSED)} END
        WHEN f.passed_pending > 0 THEN {_word(statuses.PASSED)}
        WHEN f.revoked_at IS NOT NULL THEN
            CASE WHEN f.quiz_refused = 1 THEN {unavailable}
                 WHEN f.assigned = 1 AND f.due_on < %s THEN {_word(statuses.OVERDUE)}
                 ELSE {_word(statuses.REVOKED)} END
        WHEN f.assigned = 0 THEN {_word(statuses.NOT_ASSIGNED)}
        WHEN f.quiz_refused = 1 THEN {unavailable}
        WHEN f.due_on < %s THEN {_word(statuses.OVERDUE)}
        WHEN f.attempts > 0 THEN {_word(statuses.FAILED)}
        WHEN f.started IS NULL THEN {_word(OTHER)}
        WHEN f.started = 1 THEN {_word(statuses.IN_PROGRESS)}
        ELSE {_word(statuses.NOT_STARTED)} END"""
    # A refusing quiz takes the due date away wherever it takes the status (status_compute).
    due = f"""CASE
        WHEN f.certificate_status = {_word(statuses.RECERTIFICATION_DUE)} THEN
            CASE WHEN f.quiz_refused = 1 THEN NULL ELSE f.recertify_by END
        WHEN f.certificate_status IS NOT NULL THEN
            CASE WHEN f.quiz_refused = 1 AND f.expires_on < %s THEN NULL ELSE f.expires_on END
        WHEN f.passed_pending > 0 THEN NULL
        WHEN f.quiz_refused = 1 THEN NULL
        WHEN f.assigned = 0 THEN NULL
        ELSE f.due_on END"""
    # The status's parameters, then the due date's, as the callers place the two.
    return sql, due, [today, today, horizon, today, today, today]


def _line_cte(*, people, fields, name="dash_line"):
    """(SQL, params) of ``people`` (a queryset) with ``fields`` (name: path, ``pk`` first), as
    the CTE ``name``; the person's id is named ``person_id`` for the joins."""
    line_sql, line_params = people.order_by().values_list(*fields.values()).query.sql_with_params()
    columns = ", ".join("person_id" if field == "pk" else field for field in fields)
    return f"{name}({columns}) AS ({line_sql})", list(line_params)


# What the rule reads of a person: who, their team (team assignments), start (relative dates)
# and organisation (the quizzes that refuse it).
RULE_FIELDS = {
    "pk": "pk",
    "team_id": "team_id",
    "start_date": "start_date",
    "organisation_id": "organisation_id",
}


def facts_sql(*, people, modules, fields=RULE_FIELDS, started=True, narrow=True, team_tree=None):
    """(SQL, params): the CTEs down to ``dash_fact``, one row per person of ``people`` (a
    queryset, read with ``fields``: ``dash_line``) and module of ``modules`` (``dash_module``,
    with its position there) with the facts that decide its status; ``dash_plan`` on the way
    says which modules are assigned to whom and when they are due (``selectors._due_dates``).
    The recorded facts (certificate, revocation, attempts, the module opened) are the stored
    ``ModuleStatusFacts`` rows (``recorded_facts_sql`` works them out from the records).
    ``started=False`` leaves out the modules people have opened, which only tell in progress
    from not started (both then ``OTHER``). Set-wise joins and groupings, never a subquery per
    person, so that the database's cost grows gently with the line. A CTE no query reads is
    never run, on either database. ``narrow=False`` when ``people`` is everyone: the stored
    facts are then read whole, with no picking out by person. ``team_tree``: ``{team id: parent
    id}`` of every team of ``people`` and every team above them, already read (the dashboard's
    choices), else the teams above are found in the query."""
    line_cte, params = _line_cte(people=people, fields=fields)
    if modules:
        module_sql = " UNION ALL ".join("SELECT %s, %s" for _ in modules)
        for position, module in enumerate(modules):
            params += [module.pk, position]
    else:
        module_sql = "SELECT 0, 0 WHERE 1 = 0"
    assignment = Assignment._meta.db_table
    in_modules = "IN (SELECT module_id FROM dash_module)"
    recertification = _word(Assignment.Reason.RECERTIFICATION)
    relative_due = _date_plus(_later_of("l.start_date", "a.assigned_on"), "a.due_within_days")
    # The base-competence default of _due_dates: due within N days of the later of starting and
    # the module's first publication.
    base_cases, base_params = [], []
    for module in modules:
        if not getattr(module, "base_competence", False):
            continue
        published_on = (
            timezone.localdate(module.first_published_at) if module.first_published_at else None
        )
        days = settings.LMS_BASE_COMPETENCE_DUE_DAYS
        if published_on is None:
            base_cases.append(f"WHEN %s THEN {_date_plus('l.start_date', '%s')}")
            base_params += [module.pk, days]
        else:
            base_cases.append(f"WHEN %s THEN {_date_plus(_later_of('l.start_date', '%s'), '%s')}")
            base_params += [module.pk, published_on, published_on, days]
    base_ids = [module.pk for module in modules if getattr(module, "base_competence", False)] or [0]
    base_placeholders = ", ".join("%s" for _ in base_ids)
    base_due = f"CASE m.module_id {' '.join(base_cases)} END" if base_cases else "NULL"
    refused_fact, refused_params = _refused_sql(modules=modules)
    team_above_sql, team_above_params = _team_above_sql(team_tree=team_tree)
    started_fact = "CASE WHEN s.started THEN 1 ELSE 0 END" if started else "CAST(NULL AS integer)"
    recorded = """s.certificate_status, s.expires_on, s.revoked_at,
            COALESCE(s.attempts, 0) AS attempts, COALESCE(s.passed_pending, 0) AS passed_pending"""
    stored = ModuleStatusFacts._meta.db_table
    if narrow:
        # The line's stored rows picked out by its people first. Joined to every person and
        # module pair instead, PostgreSQL reads the whole table once a line passes about 150
        # people (its cost model prices the pairs' index look-ups above one pass over it), and
        # a line of 155 waited 25 ms for a table of 140,000 rows instead of 8 ms for its own.
        stored = f"""(SELECT person_id, module_id, certificate_status, expires_on, revoked_at,
                attempts, passed_pending, started
            FROM {stored} WHERE person_id IN (SELECT person_id FROM dash_line))"""  # noqa: S608  (our names only)
    recorded_joins = f"""
            LEFT JOIN {stored} s
                ON s.person_id = p.person_id AND s.module_id = p.module_id"""
    sql = f"""WITH RECURSIVE
    {line_cte},
    dash_module(module_id, position) AS ({module_sql}),
    dash_team_above(team_id, above_id) AS ({team_above_sql}),
    dash_reach AS (
        SELECT l.person_id, a.module_id, a.reason,
            COALESCE(a.due_on, {relative_due}) AS due_on
        FROM dash_line l JOIN {assignment} a ON a.audience = %s
        WHERE a.module_id {in_modules}
        UNION ALL
        SELECT l.person_id, a.module_id, a.reason,
            COALESCE(a.due_on, {relative_due}) AS due_on
        FROM dash_line l JOIN dash_team_above t ON t.team_id = l.team_id
            JOIN {assignment} a ON a.team_id = t.above_id AND a.audience = %s
        WHERE a.module_id {in_modules}
        UNION ALL
        SELECT l.person_id, a.module_id, a.reason,
            COALESCE(a.due_on, {relative_due}) AS due_on
        FROM dash_line l JOIN {assignment} a ON a.person_id = l.person_id AND a.audience = %s
        WHERE a.module_id {in_modules}
    ),
    dash_due AS (
        SELECT person_id, module_id,
            MIN(CASE WHEN reason <> {recertification} THEN due_on END) AS due_on,
            SUM(CASE WHEN reason <> {recertification} THEN 1 ELSE 0 END) AS assignments,
            MAX(CASE WHEN reason = {recertification} THEN due_on END) AS recertify_by
        FROM dash_reach GROUP BY person_id, module_id
    ),
    dash_plan AS (
        SELECT l.person_id, l.start_date, m.module_id, m.position AS module_position,
            d.recertify_by,
            CASE WHEN d.assignments > 0 THEN 1
                 WHEN m.module_id IN ({base_placeholders}) THEN 1
                 WHEN d.recertify_by IS NOT NULL THEN 1
                 ELSE 0 END AS assigned,
            CASE WHEN d.assignments > 0 THEN d.due_on ELSE {base_due} END AS due_on,
            {refused_fact} AS quiz_refused
        FROM dash_line l CROSS JOIN dash_module m
            LEFT JOIN dash_due d ON d.person_id = l.person_id AND d.module_id = m.module_id
    ),
    dash_fact AS (
        SELECT p.person_id, p.module_id, p.module_position, {recorded},
            {started_fact} AS started, p.recertify_by, p.assigned, p.due_on, p.quiz_refused
        FROM dash_plan p {recorded_joins}
    )"""  # noqa: S608  (only our names and status words; every value is a parameter)
    params += [
        *team_above_params,
        Assignment.Audience.EVERYONE,
        Assignment.Audience.TEAM,
        Assignment.Audience.PERSON,
        *base_ids,
        *base_params,
        *refused_params,
    ]
    return sql, params


def _team_above_sql(*, team_tree):
    """(SQL, params) of ``dash_team_above``: each team of the line with itself and every team
    above it, whose team assignments reach its people. From ``team_tree`` when given, bound as
    pairs: walked in the query instead, PostgreSQL hashed every team of the organisation at each
    step up (a line of 155 took 41 ms, 28 of them that, with 111,211 teams). Otherwise from the
    line's own teams up, in the query."""
    if team_tree is None:
        team = Team._meta.db_table
        return (
            f"""SELECT DISTINCT team_id, team_id FROM dash_line WHERE team_id IS NOT NULL
        UNION
        SELECT t.team_id, p.parent_id FROM dash_team_above t JOIN {team} p ON p.id = t.above_id
        WHERE p.parent_id IS NOT NULL""",  # noqa: S608  (our table name only)
            [],
        )
    pairs = sorted(
        (team_id, above_id)
        for team_id in team_tree
        for above_id in tree_ancestors(parent_of=team_tree, node=team_id)
    )
    if connection.vendor == "postgresql":
        return "SELECT * FROM unnest(%s::bigint[], %s::bigint[])", [
            [team_id for team_id, _ in pairs],
            [above_id for _, above_id in pairs],
        ]
    return (
        "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(%s)",
        [json.dumps(pairs)],
    )


def _refused_sql(*, modules):
    """(SQL, params): ``quiz_refused`` in ``dash_plan``, 1 where the module's quiz refuses the
    person's organisation a start (``quizzes.selectors.quiz_refusals``), people recorded without
    one counted with the home organisation; a plain 0 with no refusal among ``modules``. A CASE
    over the few refusals: a join on them, measured too, was no faster for a big line."""
    refusals = quiz_refusals()
    refused_by_module = defaultdict(list)
    for module_id, organisation_id in sorted(refusals.reasons):
        refused_by_module[module_id].append(organisation_id)
    cases, params = [], []
    for module in modules:
        organisation_ids = refused_by_module.get(module.pk)
        if not organisation_ids:
            continue
        placeholders = ", ".join("%s" for _ in organisation_ids)
        cases.append(
            f"WHEN m.module_id = %s AND COALESCE(l.organisation_id, %s) IN ({placeholders}) THEN 1"
        )
        params += [module.pk, refusals.home_organisation_id, *organisation_ids]
    if not cases:
        return "0", []
    return f"CASE {' '.join(cases)} ELSE 0 END", params


RECORDED_FACTS_COLUMNS = (
    "person_id",
    "module_id",
    "certificate_status",
    "expires_on",
    "revoked_at",
    "attempts",
    "passed_pending",
    "started",
)


def recorded_facts_sql(*, people, module_ids, narrow=True):
    """(SQL, params) of a SELECT of the recorded facts of each person of ``people`` (a queryset,
    or a list of ids) in each module of ``module_ids``, worked out from the records: person_id, module_id,
    certificate_status (the latest module certificate that is valid or due for
    recertification), expires_on, revoked_at (the last revocation of a revoked one, while
    nothing has been submitted since), attempts (submitted), passed_pending (passed, no
    certificate resting on it yet) and started (1 when the module was opened), for the pairs
    with any of them. What ``ModuleStatusFacts`` stores (``tracking.facts``). ``narrow=False``
    when ``people`` is everyone: their records need no picking out."""
    ctes, params = recorded_facts_ctes(people=people, module_ids=module_ids, narrow=narrow)
    # Named once, the last CTE is folded into this SELECT: the plan is the one a single query
    # would get.
    columns = ", ".join(RECORDED_FACTS_COLUMNS)
    return f"WITH {ctes} SELECT {columns} FROM dash_recorded_facts", params  # noqa: S608  (our names)


def recorded_facts_ctes(*, people, module_ids, narrow=True):
    """(SQL, params) of the common table expressions behind ``recorded_facts_sql``, for a
    statement that goes on to write them (``tracking.facts``): ``dash_line`` (person_id) and
    ``dash_module`` (module_id) are the people and modules asked about, ``dash_recorded_facts``
    their recorded facts (``RECORDED_FACTS_COLUMNS``)."""
    line_sql, params = _people_ids_sql(people)
    params = list(params)
    module_ids = list(module_ids) or [0]
    module_sql = " UNION ALL ".join("SELECT %s" for _ in module_ids)
    params += module_ids
    certificate = Certificate._meta.db_table
    event = CertificateEvent._meta.db_table
    attempt = Attempt._meta.db_table
    quiz = Quiz._meta.db_table
    progress = ModuleProgress._meta.db_table
    # A line's records are picked by its people first; for everyone that filter is only a cost.
    in_line = "IN (SELECT person_id FROM dash_line)" if narrow else "IS NOT NULL"
    in_modules = "IN (SELECT module_id FROM dash_module)"
    status = Certificate.Status
    sql = f"""
    dash_line(person_id) AS ({line_sql}),
    dash_module(module_id) AS ({module_sql}),
    dash_line_certificate AS (
        SELECT c.id, c.person_id, c.module_id, c.kind, c.status, c.expires_on, c.issued_at,
            c.attempt_id
        FROM {certificate} c WHERE c.person_id {in_line}
    ),
    dash_certificate AS (
        SELECT person_id, module_id, status, expires_on FROM (
            SELECT c.person_id, c.module_id, c.status, c.expires_on, ROW_NUMBER() OVER (
                PARTITION BY c.person_id, c.module_id ORDER BY c.issued_at DESC, c.id DESC
            ) AS latest
            FROM dash_line_certificate c
            WHERE c.kind = %s AND c.status IN (%s, %s) AND c.module_id {in_modules}
        ) ranked WHERE latest = 1
    ),
    dash_revoked AS (
        SELECT c.person_id, c.module_id, MAX(e.at) AS revoked_at
        FROM dash_line_certificate c
            JOIN {event} e ON e.certificate_id = c.id AND e.to_status = %s
        WHERE c.kind = %s AND c.status = %s AND c.module_id {in_modules}
        GROUP BY c.person_id, c.module_id
    ),
    dash_attempt AS (
        -- A certificate rests on its holder's own attempt (the services issue it so), so the
        -- line's certificates are all that can stand on the line's attempts: one hash join
        -- instead of a look-up per attempt.
        SELECT a.person_id, q.module_id, COUNT(*) AS attempts,
            MAX(a.submitted_at) AS last_submitted_at,
            SUM(CASE WHEN a.passed = %s AND c.id IS NULL THEN 1 ELSE 0 END) AS passed_pending
        FROM {attempt} a JOIN {quiz} q ON q.id = a.quiz_id
            LEFT JOIN dash_line_certificate c ON c.attempt_id = a.id
        WHERE a.submitted_at IS NOT NULL AND a.person_id {in_line} AND q.module_id {in_modules}
        GROUP BY a.person_id, q.module_id
    ),
    dash_started AS (
        SELECT DISTINCT person_id, module_id FROM {progress}
        WHERE person_id {in_line} AND module_id {in_modules}
    ),
    dash_recorded AS (
        SELECT p.person_id, m.module_id, c.status AS certificate_status, c.expires_on,
            -- A revocation counts while nothing has been submitted since.
            CASE WHEN a.last_submitted_at IS NULL OR a.last_submitted_at <= r.revoked_at
                THEN r.revoked_at END AS revoked_at,
            COALESCE(a.attempts, 0) AS attempts, COALESCE(a.passed_pending, 0) AS passed_pending,
            CASE WHEN s.person_id IS NULL THEN 0 ELSE 1 END AS started
        FROM dash_line p CROSS JOIN dash_module m
            LEFT JOIN dash_certificate c ON c.person_id = p.person_id AND c.module_id = m.module_id
            LEFT JOIN dash_revoked r ON r.person_id = p.person_id AND r.module_id = m.module_id
            LEFT JOIN dash_attempt a ON a.person_id = p.person_id AND a.module_id = m.module_id
            LEFT JOIN dash_started s ON s.person_id = p.person_id AND s.module_id = m.module_id
    ),
    dash_recorded_facts AS (
        SELECT person_id, module_id, certificate_status, expires_on, revoked_at, attempts,
            passed_pending, started
        FROM dash_recorded
        WHERE certificate_status IS NOT NULL OR revoked_at IS NOT NULL OR attempts > 0
            OR started = 1
    )"""  # noqa: S608  (only our names; every value is a parameter)
    params += [
        Certificate.Kind.MODULE,
        status.VALID,
        status.RECERTIFICATION_DUE,
        status.REVOKED,
        Certificate.Kind.MODULE,
        status.REVOKED,
        True,
    ]
    return sql, params


def _people_ids_sql(people):
    """(SQL, params) of a SELECT of the ids of ``people``, a queryset or a list of ids. A list is
    written without the ORM: a submission's refresh passes one id, and compiling the queryset
    took 0.1 ms of its Python."""
    if not isinstance(people, list | tuple):
        return people.order_by().values_list("pk").query.sql_with_params()
    ids = [int(person_id) for person_id in people]
    placeholders = ", ".join(["%s"] * len(ids))
    return f"SELECT id FROM {Person._meta.db_table} WHERE id IN ({placeholders})", ids  # noqa: S608  (our table name)


# The facts of ``dash_fact`` that ``status.status_compute`` is given for a cell, in this order
# (``stored_grid.status_grid_build``): the stored recorded facts (``RECORDED_FACTS_COLUMNS``) and
# those worked out on reading (the plan's dates, assigned, the quiz's refusal).
CELL_FACT_COLUMNS = (
    *RECORDED_FACTS_COLUMNS[2:],
    "recertify_by",
    "assigned",
    "due_on",
    "quiz_refused",
)


def cells_sql(*, people, modules, today, with_facts=False, team_tree=None):
    """(SQL, params) ending in ``dash_cell``: person, module, status word, urgency and the due
    date the dashboard sorts by (``Cell.due_on``). ``with_facts``: ``dash_status`` on the way
    keeps each cell's facts too, for the shown page (``CELL_FACT_COLUMNS``, each named
    ``fact_<column>``: its ``due_on`` is the status's due date, ``fact_due_on`` the one
    planned); left out otherwise, as they widen every materialised cell of the line.
    ``team_tree``: as ``facts_sql`` takes it."""
    facts, params = facts_sql(
        people=people, modules=modules, fields={**RULE_FIELDS, **SORT_FIELDS}, team_tree=team_tree
    )
    horizon = today + datetime.timedelta(days=settings.LMS_EXPIRING_SOON_DAYS)
    status_sql, due_sql, status_params = status_case(today=today, horizon=horizon)
    urgency = " ".join(
        f"WHEN {_word(word)} THEN {index}" for index, word in enumerate(statuses.URGENCY)
    )
    kept_facts = "".join(
        f", f.{column} AS fact_{column}" for column in CELL_FACT_COLUMNS if with_facts
    )
    # MATERIALIZED: worked out once per cell. Inlined, as a CTE read once otherwise is, the
    # status's CASE is copied into every aggregate that reads it (seven per person): the page
    # query of a line of 155 took 5.9 ms that way and takes 4.8 ms now.
    sql = f"""{facts},
    dash_status AS MATERIALIZED (
        SELECT f.person_id, f.module_id, {status_sql} AS status, {due_sql} AS due_on,
            f.module_position{kept_facts}
        FROM dash_fact f
    ),
    dash_cell AS (
        SELECT person_id, module_id, status, due_on,
            CASE status {urgency} END AS urgency
        FROM dash_status
    )"""  # noqa: S608  (our names and status words only)
    return sql, [*params, *status_params]


def report_cells_sql(*, modules, today, people=None):
    """(SQL, params) ending in ``cells``, for the organisation-wide reports: one row per current
    person (or person of ``people``, a queryset) and module of ``modules``: person_id,
    module_id, module_position (in ``modules``), is_assigned (1/0), status (failed, in progress
    and not started all ``OTHER``), due_on (``Cell.due_on``), and the facts an overdue cell's
    label is worded from (recertify_by, certificate_status, expires_on, revoked_at: when revoked
    with nothing submitted since)."""
    everyone = people is None
    if everyone:
        people = Person.objects.filter(left_on__isnull=True)
    facts, params = facts_sql(
        people=people, modules=list(modules), started=False, narrow=not everyone
    )
    horizon = today + datetime.timedelta(days=settings.LMS_EXPIRING_SOON_DAYS)
    status_sql, due_sql, status_params = status_case(today=today, horizon=horizon)
    sql = f"""{facts},
    cells AS (
        SELECT f.person_id, f.module_id, f.module_position, f.assigned AS is_assigned,
            {status_sql} AS status, {due_sql} AS due_on, f.recertify_by, f.certificate_status,
            f.expires_on, f.revoked_at
        FROM dash_fact f
    )"""  # noqa: S608  (our names and status words only)
    return sql, [*params, *status_params]


def assigned_sql(*, people, modules):
    """(SQL, params) ending in ``assigned``: person_id, module_id and the person's start_date of
    each module assigned today to a person of ``people`` (a queryset)."""
    facts, params = facts_sql(people=people, modules=list(modules), started=False)
    sql = f"""{facts},
    assigned AS (
        SELECT person_id, module_id, start_date FROM dash_plan WHERE assigned = 1
    )"""  # noqa: S608  (our names only)
    return sql, params


def cell_statuses(*, people, modules, today=None):
    """``{(person id, module id): (status, due date)}`` as the database works it out: what the
    tests hold against ``module_status_grid``."""
    today = today or timezone.localdate()
    sql, params = cells_sql(people=people, modules=modules, today=today)
    with connection.cursor() as cursor:
        query = f"{sql} SELECT person_id, module_id, status, due_on FROM dash_cell"  # noqa: S608  (our names and status words only)
        cursor.execute(query, params)
        rows = cursor.fetchall()
    return {
        (person_id, module_id): (
            status,
            datetime.date.fromisoformat(due_on) if isinstance(due_on, str) else due_on,
        )
        for person_id, module_id, status, due_on in rows
    }


def _line_sql(*, people, modules, today, status, sort_module_id, with_facts=False, team_tree=None):
    """(SQL, params) ending in ``dash_row``: each person of the line with what filtering,
    sorting and the headline need, one row each (``with_facts``, ``team_tree``: see
    ``cells_sql``)."""
    cells, params = cells_sql(
        people=people, modules=modules, today=today, with_facts=with_facts, team_tree=team_tree
    )
    compliant = _words(sorted(statuses.COMPLIANT))
    sql = f"""{cells},
    dash_person AS (
        SELECT person_id,
            MAX(CASE WHEN status = %s THEN 1 ELSE 0 END) AS matches,
            MAX(CASE WHEN status <> {_word(statuses.NOT_ASSIGNED)} THEN 1 ELSE 0 END) AS assigned,
            MIN(CASE WHEN status = {_word(statuses.NOT_ASSIGNED)} OR status IN ({compliant})
                THEN 1 ELSE 0 END) AS compliant,
            SUM(CASE WHEN status IN ({_words([statuses.OVERDUE, statuses.EXPIRED])})
                THEN 1 ELSE 0 END) AS overdue,
            SUM(CASE WHEN status = {_word(statuses.EXPIRING_SOON)} THEN 1 ELSE 0 END)
                AS expiring_soon,
            MAX(CASE WHEN module_id = %s THEN urgency END) AS sort_urgency,
            MAX(CASE WHEN module_id = %s THEN due_on END) AS sort_due
        FROM dash_cell GROUP BY person_id
    ),
    dash_row AS (
        SELECT l.*,
            COALESCE(p.assigned, 0) AS assigned, COALESCE(p.compliant, 1) AS compliant,
            COALESCE(p.overdue, 0) AS overdue, COALESCE(p.expiring_soon, 0) AS expiring_soon,
            p.sort_urgency, p.sort_due
        FROM dash_line l LEFT JOIN dash_person p ON p.person_id = l.person_id
        WHERE %s = '' OR p.matches = 1
    )"""  # noqa: S608  (our names and status words only)
    return sql, [*params, status, sort_module_id, sort_module_id, status]


def _order_by(*, sort, descending):
    """The dashboard's sort keys (see ``dashboard._sort_key``), every one of them reversed for
    descending, as Python's ``reverse=True`` reverses the whole key."""
    direction = " DESC" if descending else ""
    by_name = [_text_key("r.last_name"), _text_key("r.first_name"), "r.person_id"]
    if sort == "team":
        keys = [_text_key("COALESCE(r.team_name, 'No team')"), *by_name]
    elif sort == "module":
        keys = ["r.sort_urgency", f"COALESCE(r.sort_due, '{NO_DATE}')", *by_name]
    else:
        keys = by_name
    return ", ".join(f"{key}{direction}" for key in keys)


def _shown_cte():
    """(SQL, params) of ``dash_shown``: a shown row's fields of every person, for joining to the
    rows picked, so that only those are looked up."""
    return _line_cte(people=Person.objects.all(), fields=SHOWN_FIELDS, name="dash_shown")


def _manager_joins():
    """The joins of a shown row's line manager's names."""
    person, user = Person._meta.db_table, get_user_model()._meta.db_table
    return f"""LEFT JOIN {person} manager ON manager.id = shown.line_manager_id
        LEFT JOIN {user} manager_user ON manager_user.id = manager.user_id"""


TOTALS = """COUNT(*) OVER () AS total_people, SUM(r.assigned) OVER () AS total_assigned,
    SUM(CASE WHEN r.assigned = 1 AND r.compliant = 1 THEN 1 ELSE 0 END) OVER () AS total_compliant,
    SUM(r.overdue) OVER () AS total_overdue, SUM(r.expiring_soon) OVER () AS total_expiring_soon"""


@dataclass(frozen=True)
class LinePage:
    """One page of the line as one query read it: the people, the headline's totals over the
    whole filtered line, and each shown cell's facts (``{(person id, module id): the values of
    CELL_FACT_COLUMNS}``), so that the cells drawn are the ones the page was picked and counted
    by."""

    people: list
    totals: LineTotals | None
    facts: dict


def line_page(
    *,
    people,
    modules,
    today,
    status,
    sort,
    sort_module_id,
    descending,
    offset,
    limit,
    team_tree=None,
):
    """One page of the filtered, sorted line, with its totals and its cells' facts, in one query
    (a ``LinePage``). The totals come with the rows, so a page past the end gives no rows and no
    totals (``line_totals`` then)."""
    sql, params = _line_sql(
        people=people,
        modules=modules,
        today=today,
        status=status,
        sort_module_id=sort_module_id,
        with_facts=True,
        team_tree=team_tree,
    )
    order = _order_by(sort=sort, descending=descending)
    shown, shown_params = _shown_cte()
    params = [*params, *shown_params]
    window = ""
    if limit is not None:
        window = " LIMIT %s OFFSET %s"
        params = [*params, limit, offset]
    # A row per shown cell (one per person with no modules), the person's fields repeated.
    query = f"""{sql},
    {shown}
    SELECT {SHOWN_COLUMNS}, manager_user.first_name, manager_user.last_name,
        page.total_people, page.total_assigned, page.total_compliant, page.total_overdue,
        page.total_expiring_soon, cell.module_id,
        {", ".join(f"cell.fact_{column}" for column in CELL_FACT_COLUMNS)}
    FROM (
        SELECT r.person_id, ROW_NUMBER() OVER (ORDER BY {order}) AS position, {TOTALS}
        FROM dash_row r ORDER BY {order}{window}
    ) page
        JOIN dash_shown shown ON shown.person_id = page.person_id
        {_manager_joins()}
        LEFT JOIN dash_status cell ON cell.person_id = page.person_id
    ORDER BY page.position, cell.module_position"""  # noqa: S608  (our names and status words only)
    with planned_for_each_run(), connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    if not rows:
        return LinePage(people=[], totals=None, facts={})
    fields = len(PERSON_ROW_FIELDS)
    totals_end = fields + len(dataclasses.fields(LineTotals))
    shown_people, facts = [], {}
    for row in rows:
        if not shown_people or shown_people[-1].pk != row[0]:
            shown_people.append(_person_row(row[:fields]))
        module_id = row[totals_end]
        if module_id is not None:
            facts[(row[0], module_id)] = row[totals_end + 1 :]
    totals = LineTotals(*(int(value or 0) for value in rows[0][fields:totals_end]))
    return LinePage(people=shown_people, totals=totals, facts=facts)


def line_ordered(
    *, people, modules, today, status, sort, sort_module_id, descending, chunk, team_tree=None
):
    """Every person of the filtered line in the page's order (``line_page``'s SQL, without the
    totals), ``chunk`` PersonRows at a time, read as the database sends them: a server-side
    cursor on PostgreSQL, so a long line is never all in memory."""
    sql, params = _line_sql(
        people=people,
        modules=modules,
        today=today,
        status=status,
        sort_module_id=sort_module_id,
        team_tree=team_tree,
    )
    order = _order_by(sort=sort, descending=descending)
    shown, shown_params = _shown_cte()
    params = [*params, *shown_params]
    query = f"""{sql},
    {shown}
    SELECT {SHOWN_COLUMNS}, manager_user.first_name, manager_user.last_name
    FROM dash_row r
        JOIN dash_shown shown ON shown.person_id = r.person_id
        {_manager_joins()}
    ORDER BY {order}"""  # noqa: S608  (our names and status words only)
    # A connection pooler in transaction mode cannot keep a server-side cursor (Django's setting).
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with (
        planned_for_each_run(),
        connection.chunked_cursor() if server_side else connection.cursor() as cursor,
    ):
        cursor.execute(query, params)
        while rows := cursor.fetchmany(chunk):
            yield [_person_row(row) for row in rows]


def line_page_by_name(*, manager_id, descending, offset, limit):
    """One page of the manager's whole line (no filter) in name order, as PersonRows: read
    along the accounts' name index (tracking migration 0004) and stopped at the page's end, so
    that a big line is not sorted on every request; the same order as ``line_page``'s by name
    (``_order_by``). The people's rows only: their cells and the headline are read apart."""
    person, user = Person._meta.db_table, get_user_model()._meta.db_table
    direction = " DESC" if descending else ""
    keys = [_text_key("u.last_name"), _text_key("u.first_name"), "p.id"]
    order = ", ".join(f"{key}{direction}" for key in keys)
    page_order = ", ".join(f"{key}{direction}" for key in ("page.k1", "page.k2", "page.id"))
    # The page is picked from the line, its names and the person alone; the team's name and the
    # line manager's are joined to its hundred rows after. With those three joins inside, the
    # planner weighed every order of six tables against the name index: planning took 2-4 ms
    # a request, more than the page's reading (a line of 155: 6.9 ms against 3.5 ms in all).
    # Planned for its manager each time: a generic plan, made for a line of a few people, sorted
    # a line of 10,000 instead of walking the index (48 ms against 4).
    with planned_for_each_run(), connection.cursor() as cursor:
        cursor.execute(
            f"""WITH page AS (
                SELECT p.id, u.first_name, u.last_name, u.username, p.employee_number,
                    p.job_title, p.start_date, p.team_id, p.line_manager_id,
                    {keys[0]} AS k1, {keys[1]} AS k2
                FROM {ReportingLink._meta.db_table} l
                    JOIN {person} p ON p.id = l.person_id
                    JOIN {user} u ON u.id = p.user_id
                WHERE l.manager_id = %s AND p.left_on IS NULL
                ORDER BY {order} LIMIT %s OFFSET %s
            )
            SELECT page.id, page.first_name, page.last_name, page.username,
                page.employee_number, page.job_title, page.start_date, page.team_id, team.name,
                page.line_manager_id, manager_user.first_name, manager_user.last_name
            FROM page
                LEFT JOIN {Team._meta.db_table} team ON team.id = page.team_id
                LEFT JOIN {person} manager ON manager.id = page.line_manager_id
                LEFT JOIN {user} manager_user ON manager_user.id = manager.user_id
            ORDER BY {page_order}""",  # noqa: S608  (our names only; the values bound)
            [manager_id, limit, offset],
        )
        return [_person_row(row) for row in cursor.fetchall()]


def _person_row(values):
    """A PersonRow from raw columns, whose dates SQLite hands back as text."""
    row = PersonRow(*values)
    if isinstance(row.start_date, str):
        row = dataclasses.replace(row, start_date=datetime.date.fromisoformat(row.start_date))
    return row


def line_totals(*, people, modules, today, status, team_tree=None):
    """The headline's aggregates alone, for when the page asked for is past the end."""
    sql, params = _line_sql(
        people=people,
        modules=modules,
        today=today,
        status=status,
        sort_module_id=None,
        team_tree=team_tree,
    )
    with planned_for_each_run(), connection.cursor() as cursor:
        cursor.execute(
            f"""{sql} SELECT COUNT(*), SUM(r.assigned),
                SUM(CASE WHEN r.assigned = 1 AND r.compliant = 1 THEN 1 ELSE 0 END),
                SUM(r.overdue), SUM(r.expiring_soon) FROM dash_row r""",  # noqa: S608  (our names and status words only)
            params,
        )
        return LineTotals(*(int(value or 0) for value in cursor.fetchone()))


def name_order_sql():
    """``lms.names.display_name`` as SQL, compared as Python compares text (by code point)."""
    name = (
        "CASE WHEN TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) = '' "
        "THEN u.username "
        "ELSE TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')) END"
    )
    return f'{name} COLLATE "C"' if connection.vendor == "postgresql" else name


def sql_date(value):
    """A date column read with a plain cursor: SQLite hands back its ISO text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def sql_datetime(value):
    """A date and time read with a plain cursor: SQLite hands back its ISO text, or (from a
    column, not an expression) a datetime without its zone, in UTC as Django wrote it."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, datetime.UTC)
    return value
