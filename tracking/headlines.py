"""Each manager's dashboard headline, kept (``LineHeadline``) so that the default view of a line
of thousands reads one row instead of counting every cell of the line on each request.

A kept headline is used only while it is still what counting would give:
- it was counted today (overdue and expiring soon move with the date);
- the modules and the quizzes' refusals it was counted against are the same (``basis``);
- no person, team, assignment or reporting link it rests on has changed since: database
  triggers record each change (``LineInputsChange`` on PostgreSQL, the epoch of ``LineInputs``
  on SQLite), and what of them could be seen is read before counting (``line_inputs_seen``);
- no learner below the manager has had their recorded facts refreshed since (the row's
  ``generation``, which ``tracking.facts`` adds one to in the refresh's own transaction).

A count is written back only if the generation it started from is still the row's, so a
submission committed while the line was being counted never leaves a headline without it. Every
test ends by checking that each headline that claims to hold is what counting gives now
(tests/conftest.py), and ``manage.py line_headlines --check`` does the same on a live database.

The default view drawn from a kept headline is kept beside it (``kept_view``), against
``KeptLine.state``.
"""

import hashlib
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from lms.sql import ids_in
from people.models import ReportingLink
from people.selectors import LineRead, reporting_line_read_once, teams_above
from quizzes.selectors import quiz_refusals

from .models import LineHeadline, LineInputs, LineInputsChange
from .status_sql import LineTotals, line_totals


@dataclass(frozen=True)
class KeptLine:
    """What the dashboard needs of a manager's whole line: its people's teams and the headline's
    totals; ``line`` is the line as read when it was counted just now (None when kept)."""

    team_ids: frozenset
    totals: LineTotals
    line: LineRead | None = None
    # What the kept row holds with, as text (``_state``): None when this count could not be kept
    # (a refresh overtook it). The default view drawn from it is kept against it
    # (``tracking.kept_view``), with the view last kept for the row, when asked for.
    state: str | None = None
    view_of: str = ""
    view_html: str = ""


def headline_basis(*, modules):
    """A digest of what a headline's counts depend on besides the people and their records: the
    modules (and what of each decides a status: its first publication, whether it is base
    competence), the quizzes' refusals and the settings that count days."""
    refusals = quiz_refusals()
    described = {
        "modules": [
            [
                module.pk,
                bool(getattr(module, "base_competence", False)),
                module.first_published_at.isoformat() if module.first_published_at else None,
            ]
            for module in modules
        ],
        "refusals": sorted(refusals.reasons),
        "home": refusals.home_organisation_id,
        "due_days": settings.LMS_BASE_COMPETENCE_DUE_DAYS,
        "expiring_days": settings.LMS_EXPIRING_SOON_DAYS,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


CHANGES = LineInputsChange._meta.db_table
HEADLINES = LineHeadline._meta.db_table
LINKS = ReportingLink._meta.db_table
# PostgreSQL's pg_snapshot as text: the oldest unfinished transaction, the first not yet begun,
# and those between still running.
SNAPSHOT = re.compile(r"\d+:\d+:(\d+(,\d+)*)?")

# The setting by which PostgreSQL's trigger marks a transaction whose changes are already recorded
# (tracking migrations 0004 and 0005).
STEPPED_MARK = "tracking.line_inputs_stepped"


def line_inputs_seen():
    """What of the changes to people, teams, assignments and reporting links can be seen now, as
    text to keep with a count taken after it: ``line_inputs_unchanged_since`` tells later whether
    any change has appeared since.

    On PostgreSQL: the last ``LineInputsChange`` row, this transaction's id and the snapshot, all
    read by one statement. A row added later has a higher id; a row with a lower id that the
    snapshot did not see (its transaction had not yet committed) is found by the snapshot. Reading
    clears this transaction's mark, so that a change made after the read, in the same
    transaction, adds a row. On SQLite: the epoch."""
    if connection.vendor != "postgresql":
        epoch = LineInputs.objects.filter(pk=1).values_list("epoch", flat=True).first() or 0
        return f"epoch {epoch}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT set_config(%s, '', true), (SELECT max(id) FROM {CHANGES}), "  # noqa: S608  (our table name)
            "pg_current_xact_id_if_assigned()::text, pg_current_snapshot()::text",
            [STEPPED_MARK],
        )
        _cleared, last, own, snapshot = cursor.fetchone()
    return f"{last or 0} {own or '-'} {snapshot}"


def line_inputs_unchanged_since(seen):
    """Whether no change to people, teams, assignments or reporting links has appeared since
    ``seen`` (``line_inputs_seen``) was read. Anything unreadable counts as changed."""
    if connection.vendor != "postgresql":
        return seen == line_inputs_seen()
    parts = seen.split(" ")
    if len(parts) != 3:
        return False
    last, own, snapshot = parts
    if not (last.isdigit() and (own == "-" or own.isdigit()) and SNAPSHOT.fullmatch(snapshot)):
        return False
    last, own = int(last), (-1 if own == "-" else int(own))
    oldest_unfinished = int(snapshot.split(":", 1)[0])
    # Rows of transactions older than the snapshot's oldest unfinished one were all seen (or
    # rolled back, and so never there): the index on the transaction id leaves them unread.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {CHANGES} WHERE id > %s) OR EXISTS ("  # noqa: S608  (our table name)
            f"SELECT 1 FROM {CHANGES} WHERE transaction_id >= %s AND transaction_id <> %s "
            "AND NOT pg_visible_in_snapshot(transaction_id::text::xid8, %s::pg_snapshot))",
            [last, oldest_unfinished, own, snapshot],
        )
        return not cursor.fetchone()[0]


def headline_holds(row, *, today, basis):
    """Whether the kept row still holds: counted today, against the same basis, with no change
    recorded since to what it rests on. A learner's refresh below the manager clears
    ``counted_on`` as it moves the generation on (``_generation_forward``)."""
    return (
        row.counted_on == today
        and row.basis == basis
        and line_inputs_unchanged_since(row.inputs_seen)
    )


def _state(*, generation, counted_on, basis, inputs_seen, totals, team_ids):
    """Everything a kept row holds, as one text: equal only for one count kept unchanged."""
    return json.dumps(
        [
            generation,
            counted_on.isoformat(),
            basis,
            inputs_seen,
            [
                totals.people,
                totals.assigned_people,
                totals.compliant_people,
                totals.overdue,
                totals.expiring_soon,
            ],
            team_ids,
        ]
    )


def _totals_of(row):
    return LineTotals(
        people=row.people,
        assigned_people=row.assigned_people,
        compliant_people=row.compliant_people,
        overdue=row.overdue,
        expiring_soon=row.expiring_soon,
    )


def kept_line_of(row, *, with_view=True):
    """The ``KeptLine`` of a kept row that holds; ``with_view``: with its kept view (read)."""
    totals = _totals_of(row)
    return KeptLine(
        team_ids=frozenset(row.team_ids),
        totals=totals,
        state=_state(
            generation=row.generation,
            counted_on=row.counted_on,
            basis=row.basis,
            inputs_seen=row.inputs_seen,
            totals=totals,
            team_ids=row.team_ids,
        ),
        view_of=row.view_of if with_view else "",
        view_html=row.view_html if with_view else "",
    )


def line_count(*, manager, modules, today):
    """Count the manager's whole line now: ``(LineRead, LineTotals)``."""
    line = reporting_line_read_once(manager=manager)
    teams = teams_above(team_ids=line.team_ids)
    totals = line_totals(
        people=line.people,
        modules=modules,
        today=today,
        status="",
        team_tree={team.pk: team.parent_id for team in teams},
    )
    return line, totals


def line_headline_kept(*, manager, modules, today, with_view=False):
    """The manager's ``KeptLine``: the kept headline if it still holds, else counted now and
    kept for the next request. ``with_view``: with the default view last kept for it too."""
    basis = headline_basis(modules=modules)
    rows = LineHeadline.objects.filter(manager_id=manager.pk)
    row = (rows if with_view else rows.defer("view_of", "view_html")).first()
    if row is None:
        # The row exists before counting starts, so that a refresh committed during the count
        # finds it and moves its generation on.
        LineHeadline.objects.bulk_create(
            [LineHeadline(manager_id=manager.pk)], ignore_conflicts=True
        )
        row = LineHeadline.objects.get(manager_id=manager.pk)
    if headline_holds(row, today=today, basis=basis):
        return kept_line_of(row, with_view=with_view)
    seen = line_inputs_seen()
    line, totals = line_count(manager=manager, modules=modules, today=today)
    team_ids = sorted(team_id for team_id in line.team_ids if team_id is not None)
    team_ids += [None] if None in line.team_ids else []
    kept = LineHeadline.objects.filter(manager_id=manager.pk, generation=row.generation).update(
        counted_on=today,
        inputs_seen=seen,
        basis=basis,
        people=totals.people,
        assigned_people=totals.assigned_people,
        compliant_people=totals.compliant_people,
        overdue=totals.overdue,
        expiring_soon=totals.expiring_soon,
        team_ids=team_ids,
    )
    state = None
    if kept:
        state = _state(
            generation=row.generation,
            counted_on=today,
            basis=basis,
            inputs_seen=seen,
            totals=totals,
            team_ids=team_ids,
        )
    return KeptLine(team_ids=line.team_ids, totals=totals, line=line, state=state)


def line_headlines_forget(*, person_ids):
    """Every kept headline over these people no longer holds: called by ``tracking.facts``
    inside the transaction that refreshes their facts."""
    if not person_ids:
        return
    people, params = ids_in("person_id", person_ids)
    _generation_forward(f"SELECT manager_id FROM {LINKS} WHERE {people}", params)  # noqa: S608  (our table name)


def line_headlines_forget_sql(*, people_sql):
    """The UPDATE that ``line_headlines_forget`` runs, over the people ``people_sql`` selects
    (one column, no parameters of its own): for a refresh that runs it inside a statement of
    its own, as a data-modifying WITH (PostgreSQL)."""
    managers = f"SELECT manager_id FROM {LINKS} WHERE person_id IN ({people_sql})"  # noqa: S608  (our table name; the caller's SQL)
    return _generation_forward_sql(managers)


def line_headlines_forget_all():
    _generation_forward(None, [])


def _generation_forward(managers_sql, params):
    """Move on the generation of the headlines of the managers ``managers_sql`` selects (of
    every manager when None), in the caller's transaction or one of its own (the command's)."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_generation_forward_sql(managers_sql), params)


def _generation_forward_sql(managers_sql):
    # In one statement, with no read first: a count in flight compares the generation it began
    # with when it writes, and PostgreSQL checks that comparison again once this commits.
    # The rows are locked in the managers' order, so that two refreshes below the same managers
    # (two learners of a team submitting at once) take them in the same order and the second
    # waits for the first; a plain UPDATE locks them in its plan's order, which along each
    # learner's reporting links can differ, and each could hold a row the other waits for.
    # SQL of our own: on every submission, the ORM's three nested queries took 1.3 ms a
    # refresh to build and run, this 0.4.
    rows = f"SELECT manager_id FROM {HEADLINES}"  # noqa: S608  (our table name)
    if managers_sql is not None:
        rows += f" WHERE manager_id IN ({managers_sql})"
    if connection.vendor == "postgresql":
        rows += " ORDER BY manager_id FOR UPDATE"
    return (
        f"UPDATE {HEADLINES} SET generation = generation + 1, counted_on = NULL "  # noqa: S608  (our table names)
        f"WHERE manager_id IN ({rows})"
    )


def line_inputs_changes_prune():
    """Remove the recorded changes that every transaction already sees (PostgreSQL), and have
    every headline counted again when next shown: the number of rows removed.

    A removed row may be the very change that stops a kept headline from holding, so every
    headline is forgotten in the same transaction; and the headlines' table is locked against
    writes first, so that a count in flight, which read its generation before, can neither
    write back nor add a row until the removal has committed (it then finds its generation
    gone, and its count is shown but not kept)."""
    if connection.vendor != "postgresql":
        line_headlines_forget_all()
        return 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {HEADLINES} IN SHARE ROW EXCLUSIVE MODE")
        line_headlines_forget_all()
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {CHANGES} WHERE transaction_id < "  # noqa: S608  (our table name)
                "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
            )
            return cursor.rowcount


def line_headlines_differences(*, modules, today):
    """``{manager id: (kept totals, counted totals)}`` for every kept headline that claims to
    hold today and is not what counting gives now: empty when nothing has bent them."""
    basis = headline_basis(modules=modules)
    differences = {}
    for row in LineHeadline.objects.select_related("manager"):
        if not headline_holds(row, today=today, basis=basis):
            continue
        line, counted = line_count(manager=row.manager, modules=modules, today=today)
        kept_teams = frozenset(row.team_ids)
        if (_totals_of(row), kept_teams) != (counted, line.team_ids):
            differences[row.manager_id] = (
                (_totals_of(row), kept_teams),
                (counted, line.team_ids),
            )
    return differences
