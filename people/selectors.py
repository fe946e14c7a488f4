"""Reads about people: reporting lines, teams and the organisation's e-mail addresses."""

import json
from dataclasses import dataclass

from allauth.account.models import EmailAddress

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from lms.trees import tree_ancestors, tree_descendants

from .models import Organisation, Person, Team


def person_organisation(*, person):
    """The organisation whose policies apply to ``person``: their own, else the organisation that
    runs the platform (``LMS_HOME_ORGANISATION``, a code), so that people recorded before
    organisations existed, or created without one, are not shut out of every quiz. None when
    neither is known: then no quiz can be drawn for them."""
    if person is None:
        return None
    if person.organisation_id is not None:
        return person.organisation
    return home_organisation()


def home_organisation():
    """The organisation that runs the platform (``LMS_HOME_ORGANISATION``, a code), where people
    recorded without an organisation belong; None when it is not set or not there."""
    code = settings.LMS_HOME_ORGANISATION
    return Organisation.objects.filter(code__iexact=code).first() if code else None


def reporting_line_ids(*, manager):
    """Ids of everyone below ``manager`` in the reporting line, to any depth (one query)."""
    return set(reporting_line(manager=manager).values_list("pk", flat=True))


def _line_walk_sql(*, columns):
    """The recursive walk down from a manager (its one parameter, their id) as the CTE ``line``:
    everyone below them, with ``columns`` of the person table (``id`` first). UNION, not UNION
    ALL: a person reached twice is one row, which also ends the walk if bad data has a loop."""
    table = Person._meta.db_table
    own = ", ".join(columns)
    theirs = ", ".join(f"p.{column}" for column in columns)
    return f"""WITH RECURSIVE line({own}) AS (
                SELECT {own} FROM {table} WHERE line_manager_id = %s
                UNION
                SELECT {theirs} FROM {table} p JOIN line ON p.line_manager_id = line.id
            )"""  # noqa: S608  (our table and column names only)


def reporting_line(*, manager):
    """Everyone below ``manager`` to any depth, as a queryset: one recursive query in the
    database, so it stays a single query (and a subquery for others) however big the line is.
    UNION (not UNION ALL) drops repeats, which also ends the walk if bad data has a loop. People
    who have left are not shown, but the walk goes through them, so that the reports of a manager
    who left stay visible until HR gives them a new manager."""
    walk = RawSQL(f"{_line_walk_sql(columns=('id',))} SELECT id FROM line", [manager.pk])  # noqa: S611, S608  (our names; the id bound)
    return (
        Person.objects.filter(pk__in=walk, left_on__isnull=True)
        .exclude(pk=manager.pk)
        .select_related("user", "team", "line_manager__user")
    )


@dataclass(frozen=True)
class LineRead:
    """A reporting line read once: its people (a queryset over the ids found) and their teams."""

    people: QuerySet
    team_ids: frozenset


def reporting_line_read_once(*, manager):
    """The reporting line walked once, now, for a request that reads it several times (the
    dashboard: its teams, its page, its totals): the recursive walk runs once, and the later
    queries tell the database how many people there are (after a walk its planner guesses, and
    for a big line guesses low). The walk carries each person's team and leaving date, so the
    people it finds are not looked up again by id (a line of 10,000: 15 ms instead of 29)."""
    walk = _line_walk_sql(columns=("id", "team_id", "left_on"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"{walk} SELECT id, team_id FROM line WHERE left_on IS NULL AND id <> %s",  # noqa: S608  (our names; the ids bound)
            [manager.pk, manager.pk],
        )
        found = cursor.fetchall()
    return LineRead(
        people=people_with_ids(ids=[pk for pk, _team_id in found]),
        team_ids=frozenset(team_id for _pk, team_id in found),
    )


def people_with_ids(*, ids):
    """The people whose ids are in ``ids`` (a list), the ids bound as one value: an array on
    PostgreSQL, JSON text on SQLite, so the SQL stays the same size however long the list."""
    if connection.vendor == "postgresql":
        subquery = RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])  # noqa: S611  (bound ids)
    else:
        subquery = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])  # noqa: S611  (bound ids)
    return Person.objects.filter(pk__in=subquery).select_related(
        "user", "team", "line_manager__user"
    )


def person_in_reporting_line(*, manager, person_id):
    return reporting_line(manager=manager).filter(pk=person_id).first()


def team_parents():
    """``{team id: parent team id}`` for the whole (small) organisation, in one query."""
    return dict(Team.objects.values_list("pk", "parent_id"))


def team_and_sub_team_ids(*, team_id, parent_of=None):
    """A team and its sub-teams to any depth: what an assignment or a filter on a team reaches."""
    return tree_descendants(
        parent_of=team_parents() if parent_of is None else parent_of, node=team_id
    )


def team_and_parent_ids(*, team_id, parent_of=None):
    """A team and the teams above it: the teams whose assignments reach its members."""
    return tree_ancestors(
        parent_of=team_parents() if parent_of is None else parent_of, node=team_id
    )


def user_with_organisation_email(*, email):
    """The account the organisation gave ``email`` to (the HR file, Entra ID or an administrator),
    or None. An address someone added to their own account never counts."""
    email = (email or "").strip()
    if not email:
        return None
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None
