"""Prepared statements on PostgreSQL (``DATABASE_PREPARE_THRESHOLD``): the settings that turn
them on or off, a statement run often enough is prepared, and the queries over a whole line or
organisation never are (a plan made for other parameters would not fit them)."""

import pytest

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.database_options import postgresql_prepare_options
from lms.sql import planned_for_each_run, whole_organisation_query
from people.models import Person
from tracking.models import LineHeadline
from tracking.reports import completion_by_team_and_module


@pytest.mark.parametrize(
    ("value", "options"),
    [
        (None, {"server_side_binding": True, "prepare_threshold": 5}),
        ("", {"server_side_binding": True, "prepare_threshold": 5}),
        (" 2 ", {"server_side_binding": True, "prepare_threshold": 2}),
        ("0", {"server_side_binding": True, "prepare_threshold": 0}),
        ("off", {}),
        ("OFF", {}),
    ],
)
def test_the_setting_gives_the_driver_options(value, options):
    assert postgresql_prepare_options(value) == options


@pytest.mark.parametrize("value", ["-1", "five", "5.5", "on"])
def test_a_setting_that_is_not_a_number_of_runs_is_refused_by_name(value):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARE_THRESHOLD") as refused:
        postgresql_prepare_options(value)
    assert repr(value.strip().lower()) in str(refused.value)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared(fragment):
    """This connection's prepared statements whose SQL holds ``fragment``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if fragment in row[0]]


def _threshold():
    return connection.settings_dict["OPTIONS"]["prepare_threshold"]


@postgresql_only
@pytest.mark.django_db
def test_a_statement_run_often_enough_is_prepared(people):
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    for _ in range(_threshold() + 1):
        list(Person.objects.filter(employee_number="nobody-by-this-number"))
    assert _prepared("employee_number")


@postgresql_only
@pytest.mark.django_db
def test_inside_planned_for_each_run_nothing_is_prepared_and_afterwards_it_is_again(people):
    with planned_for_each_run():
        for _ in range(_threshold() + 3):
            list(Person.objects.filter(job_title="a title nobody has"))
    assert not _prepared("job_title")
    for _ in range(_threshold() + 1):
        list(Person.objects.filter(job_title="a title nobody has"))
    assert _prepared("job_title")


@postgresql_only
@pytest.mark.django_db
def test_the_dashboards_line_query_and_the_reports_are_never_prepared(
    people, module, quiz, client_for
):
    client = client_for(people["manager"])
    # The whole line by name (its kept headline forgotten each time, so that it is counted),
    # and filtered: page 2 of a line of three is past its end, so the totals alone, then the
    # last page.
    views = [{}, {"page": "2"}, {"status": "not_started"}, {"status": "not_started", "page": "2"}]
    with CaptureQueriesContext(connection) as queries:
        for params in views * (_threshold() + 2):
            LineHeadline.objects.all().delete()
            assert client.get(reverse("team_dashboard"), params).status_code == 200
        for _ in range(_threshold() + 2):
            completion_by_team_and_module()
    # The dashboard's page with its totals (status_sql.line_page), the totals alone
    # (line_totals), the whole line's page by name (line_page_by_name), and the completion
    # report: each ran, and none was prepared.
    fragments = [
        "total_people",
        "COUNT(*), SUM(r.assigned)",
        "JOIN lms_person p ON p.id = l.person_id",
        "COALESCE(team.name",
    ]
    for fragment in fragments:
        assert any(fragment in query["sql"] for query in queries.captured_queries), fragment
        assert not _prepared(fragment)
    # The same requests' other statements were prepared.
    assert _prepared("auth_user")


@postgresql_only
@pytest.mark.django_db
def test_whole_organisation_query_turns_both_off_and_back_on():
    with whole_organisation_query():
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
        assert connection.connection.prepare_threshold is None
    assert connection.connection.prepare_threshold == _threshold()


@postgresql_only
@pytest.mark.django_db
def test_the_refresh_of_a_learners_facts_is_one_statement_after_the_lock_and_is_prepared(
    people, module
):
    """Every submission refreshes its learner's facts (``tracking.facts``): after the person's
    lock, one statement that writes the facts and forgets the headlines above, the same text
    for every learner, so that it is parsed and planned once per connection."""
    from tracking.facts import module_status_facts_refresh

    runs = _threshold() + 1
    with CaptureQueriesContext(connection) as queries:
        for person in [people["staff"], people["deep"]] * runs:
            module_status_facts_refresh(person_ids=[person.pk], module_ids=[module.pk])
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 2 * (2 * runs)
    locks = [sql for sql in statements if sql.startswith("SELECT id FROM lms_person")]
    written = [sql for sql in statements if "tracking_modulestatusfacts" in sql]
    assert (len(locks), len(written)) == (2 * runs, 2 * runs)
    assert all("tracking_lineheadline" in sql for sql in written)
    assert _prepared("dash_headlines_forgotten")
