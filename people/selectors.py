"""Reads about people: reporting lines, teams and the organisation's e-mail addresses."""

import json
from dataclasses import dataclass

from allauth.account.models import EmailAddress

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from lms.trees import tree_ancestors, tree_descendants

from .models import Organisation, Person, ReportingLink, Team


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


def reporting_line(*, manager):
    """Everyone below ``manager`` to any depth, as a queryset: the stored links
    (``ReportingLink``), one index range however big the line is, and a subquery for others.
    People who have left are not shown, but the links go through them, so that the reports of a
    manager who left stay visible until HR gives them a new manager."""
    below = ReportingLink.objects.filter(manager_id=manager.pk).values("person_id")
    return Person.objects.filter(pk__in=below, left_on__isnull=True).select_related(
        "user", "team", "line_manager__user"
    )


@dataclass(frozen=True)
class LineRead:
    """A reporting line read once: its people (a queryset over the ids found) and their teams."""

    people: QuerySet
    team_ids: frozenset


def reporting_line_read_once(*, manager):
    """The reporting line read once, now, for a request that reads it several times (the
    dashboard: its teams, its page, its totals): the later queries bind the ids found, which
    tells the database how many people there are, and the people are not looked up again to
    find their teams."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT person.id, person.team_id
                FROM {ReportingLink._meta.db_table} link
                JOIN {Person._meta.db_table} person ON person.id = link.person_id
                WHERE link.manager_id = %s AND person.left_on IS NULL""",  # noqa: S608  (our names; the id bound)
            [manager.pk],
        )
        found = cursor.fetchall()
    return LineRead(
        people=people_with_ids(ids=[pk for pk, _team_id in found]),
        team_ids=frozenset(team_id for _pk, team_id in found),
    )


def reporting_links_from_tree_sql():
    """SQL for the links as the tree of line managers gives them: ``(manager_id, person_id,
    depth)`` rows, worked out by walking up from everyone. A loop in the data (which the
    triggers now refuse) is cut where it comes back to the person."""
    table = Person._meta.db_table
    return f"""WITH RECURSIVE up(manager_id, person_id, depth) AS (
                SELECT line_manager_id, id, 1 FROM {table} WHERE line_manager_id IS NOT NULL
                UNION
                SELECT manager.line_manager_id, up.person_id, up.depth + 1
                FROM up JOIN {table} manager ON manager.id = up.manager_id
                WHERE manager.line_manager_id IS NOT NULL
                  AND manager.line_manager_id <> up.person_id AND up.depth < 1000
            )
            SELECT manager_id, person_id, MIN(depth) FROM up GROUP BY manager_id, person_id"""  # noqa: S608  (our table name only)


def reporting_links_differences():
    """Where the stored links disagree with the tree: ``{(manager id, person id): (stored depth,
    depth in the tree)}``, None for a link missing on either side. Empty when they agree."""
    with connection.cursor() as cursor:
        cursor.execute(reporting_links_from_tree_sql())
        from_tree = {(manager, person): depth for manager, person, depth in cursor.fetchall()}
    stored = {
        (manager, person): depth
        for manager, person, depth in ReportingLink.objects.values_list(
            "manager_id", "person_id", "depth"
        ).iterator(chunk_size=10_000)
    }
    return {
        key: (stored.get(key), from_tree.get(key))
        for key in stored.keys() | from_tree.keys()
        if stored.get(key) != from_tree.get(key)
    }


def people_with_ids(*, ids):
    """The people whose ids are in ``ids`` (a list), the ids bound as one value: an array on
    PostgreSQL, JSON text on SQLite, so the SQL stays the same size however long the list."""
    return Person.objects.filter(pk__in=RawSQL(*_ids_select(ids))).select_related(  # noqa: S611  (bound ids)
        "user", "team", "line_manager__user"
    )


def _ids_select(ids):
    """(SQL, params): a SELECT of the ids in ``ids`` bound as one value, an array on PostgreSQL
    and JSON text on SQLite, so the SQL stays the same size however long the list."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [list(ids)]
    return "SELECT value FROM json_each(%s)", [json.dumps(list(ids))]


def person_in_reporting_line(*, manager, person_id):
    return reporting_line(manager=manager).filter(pk=person_id).first()


# Teams are read from the tree around the teams asked about, never the whole organisation's: one
# the size of the NHS has tens of thousands of teams, and reading them all made a dashboard of 155
# people take 4 s and one learner's grid 0.5 s at 111,211 teams (docs/benchmarks.md).


def team_parents_above(*, team_ids):
    """``{team id: parent team id}`` for the teams ``team_ids`` and every team above them, in one
    query: all that walking up from those teams reads. A loop in the data ends the walk."""
    sql, params = _teams_above_sql(team_ids, columns="id, parent_id")
    if sql is None:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def teams_above(*, team_ids):
    """The teams ``team_ids`` and every team above them (a queryset, in the teams' order)."""
    sql, params = _teams_above_sql(team_ids, columns="id")
    if sql is None:
        return Team.objects.none()
    return Team.objects.filter(pk__in=RawSQL(sql, params))  # noqa: S611  (our SQL; the ids bound)


def _teams_above_sql(team_ids, *, columns):
    """(SQL, params) selecting ``columns`` of the teams ``team_ids`` and those above them, or
    (None, None) for no team."""
    team_ids = sorted({team_id for team_id in team_ids if team_id is not None})
    if not team_ids:
        return None, None
    table = Team._meta.db_table
    ids_sql, params = _ids_select(team_ids)
    sql = f"""WITH RECURSIVE above(id, parent_id) AS (
            SELECT id, parent_id FROM {table} WHERE id IN ({ids_sql})
            UNION
            SELECT team.id, team.parent_id FROM {table} team JOIN above ON team.id = above.parent_id
        )
        SELECT {columns} FROM above"""  # noqa: S608  (our names; the ids bound)
    return sql, params


def team_sub_team_ids(*, team_id):
    """The teams below ``team_id`` to any depth, in one query. A loop in the data ends the
    walk."""
    table = Team._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE below(id) AS (
                    SELECT id FROM {table} WHERE parent_id = %s
                    UNION
                    SELECT team.id FROM {table} team JOIN below ON team.parent_id = below.id
                )
                SELECT id FROM below""",  # noqa: S608  (our table name; the id bound)
            [team_id],
        )
        return {team_id for (team_id,) in cursor.fetchall()}


def team_and_sub_team_ids(*, team_id, parent_of=None):
    """A team and its sub-teams to any depth: what an assignment or a filter on a team reaches.
    ``parent_of``: a part of the tree already read that holds every sub-team the caller can meet
    (a reporting line's teams and those above them), else the sub-teams are read."""
    if parent_of is None:
        return {team_id} | team_sub_team_ids(team_id=team_id)
    return tree_descendants(parent_of=parent_of, node=team_id)


def team_and_parent_ids(*, team_id, parent_of):
    """A team and the teams above it: the teams whose assignments reach its members.
    ``parent_of``: a part of the tree already read that holds the team (``team_parents_above``)."""
    return tree_ancestors(parent_of=parent_of, node=team_id)


TEAM_SUGGESTIONS = 10


@dataclass(frozen=True)
class TeamLookup:
    """What ``team_named`` found: the team, or the teams the words could mean (``more``: there
    are others past them)."""

    team: Team | None
    candidates: list
    more: bool = False


def objects_matching_words(objects, *, fields, text):
    """``objects`` whose ``fields`` hold every word of ``text`` (each word in any of them, in
    any case): how people search a name they half remember."""
    for word in text.split():
        matches = Q()
        for field in fields:
            matches |= Q(**{f"{field}__icontains": word})
        objects = objects.filter(matches)
    return objects


def team_named(*, name):
    """The team called ``name`` (in any case), else the only team whose name holds every word
    of it; else the first ``TEAM_SUGGESTIONS`` teams that do, by name, for the person to choose
    from."""
    exact = Team.objects.filter(name__iexact=name.strip()).first()
    if exact is not None:
        return TeamLookup(team=exact, candidates=[])
    found = list(
        objects_matching_words(Team.objects.all(), fields=["name"], text=name).order_by("name")[
            : TEAM_SUGGESTIONS + 1
        ]
    )
    if len(found) == 1:
        return TeamLookup(team=found[0], candidates=[])
    return TeamLookup(
        team=None, candidates=found[:TEAM_SUGGESTIONS], more=len(found) > TEAM_SUGGESTIONS
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
