"""SQLite (the demo and `make run`) waits for a lock instead of failing: eight learners starting a
quiz at the same moment all get their attempt. Real threads, each with its own connection, on a
real database file opened with the project's own database settings."""

import sqlite3
import threading

import pytest

from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from people.services import person_create
from tests.factories import OrganisationFactory, module_steps_finish

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="about SQLite's locking; PostgreSQL has row locks"
    ),
]

LEARNERS = 8


def _all_at_once(functions):
    """Run each function in its own thread, released together by a barrier; return each outcome."""
    barrier = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", function())
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return outcomes


def test_the_sqlite_settings_wait_for_locks_rather_than_fail():
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 20


def test_eight_simultaneous_quiz_starts_on_a_sqlite_file_all_succeed(people, quiz, tmp_path):
    clients = []
    for number in range(LEARNERS):
        person = person_create(
            username=f"learner{number}",
            first_name="Lee",
            last_name=f"Learner {number}",
            email=f"learner{number}@example.org",
            organisation=OrganisationFactory(),
        )
        module_steps_finish(person=person, module=quiz.module)
        client = Client()
        client.force_login(person.user)
        clients.append(client)
    url = reverse("quizzes:start", args=[quiz.pk])

    # Copy the (in-memory) test database, people, quiz and sessions included, to a file and point
    # the new connections the threads open at it. The main thread keeps its open connection to the
    # in-memory database, which therefore survives for the tests after this one.
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
        # As the demo's file is from its first connection on (WAL stays set in the file). A copy
        # of an in-memory database is not, and eight connections switching it at once can fail:
        # changing the journal mode gives up at once on a lock instead of waiting for it.
        copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    settings_dict = connections.settings["default"]
    in_memory_name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        outcomes = _all_at_once([lambda client=client: client.post(url) for client in clients])
    finally:
        settings_dict["NAME"] = in_memory_name

    errors = [outcome for kind, outcome in outcomes if kind == "error"]
    assert errors == [], f"{len(errors)} of {LEARNERS} starts failed: {errors}"
    responses = [outcome for _, outcome in outcomes]
    assert [response.status_code for response in responses] == [302] * LEARNERS
    assert len({response.url for response in responses}) == LEARNERS  # each learner's own attempt
    with sqlite3.connect(path) as database:
        (opened,) = database.execute("SELECT COUNT(*) FROM quizzes_attempt").fetchone()
        (people_with_attempts,) = database.execute(
            "SELECT COUNT(DISTINCT person_id) FROM quizzes_attempt"
        ).fetchone()
        (journal_mode,) = database.execute("PRAGMA journal_mode").fetchone()
    assert opened == LEARNERS and people_with_attempts == LEARNERS
    assert journal_mode == "wal"
