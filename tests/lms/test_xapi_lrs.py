"""xAPI against a real learning record store: Ralph, started by the test in its own virtual
environment (tests/lrs.py). The platform sends through its outbox (lms/xapi.py); the LRS is read
back through its own xAPI GET /statements, so what is asserted is what the LRS holds."""

import datetime
import json
from unittest import mock

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from django.test import override_settings
from django.utils import timezone

from certificates.models import Certificate, RevocationReason
from certificates.services import certificate_revoke
from lms.models import XapiStatement
from lms.xapi import VERBS, xapi_send, xapi_send_waiting, xapi_statement_id
from quizzes.models import Attempt
from tests.factories import attempt_failed, attempt_passed, module_steps_finish
from tests.lrs import PASSWORD, USERNAME, Ralph, RalphUnavailable, ralph_python

SITE = "https://learning.example.org"


@pytest.fixture(scope="session")
def ralph_interpreter():
    try:
        return ralph_python()
    except RalphUnavailable as error:
        pytest.skip(str(error))


@pytest.fixture
def lrs(ralph_interpreter, tmp_path, settings):
    """A fresh, empty LRS for each test (its own directory and port), and xAPI switched on."""
    server = Ralph(python=ralph_interpreter, directory=tmp_path / "ralph").start()
    settings.XAPI_ENDPOINT = server.endpoint
    settings.XAPI_USERNAME = USERNAME
    settings.XAPI_PASSWORD = PASSWORD
    yield server
    server.stop()


def _activity(kind, key):
    return f"{SITE}/xapi/activities/{kind}/{key}"


def _journey_until_passed(*, person, quiz, capture):
    """Start the module and answer its decision, fail the quiz, then pass it: the certificate is
    issued by the task the pass hands over. Each step commits, and runs what waits for the commit."""
    with capture(execute=True):
        module_steps_finish(person=person, module=quiz.module)
    with capture(execute=True):
        failed = attempt_failed(person=person, quiz=quiz)
    with capture(execute=True):
        passed = attempt_passed(person=person, quiz=quiz)
    return failed, passed


def _held(lrs):
    """What the LRS holds, as (verb IRI, object id) pairs, each statement once per id."""
    statements = lrs.statements()
    return statements, sorted((s["verb"]["id"], s["object"]["id"]) for s in statements)


def test_a_learners_journey_reaches_the_lrs_as_exactly_the_expected_statements(
    lrs, people, quiz, django_capture_on_commit_callbacks
):
    person, module = people["staff"], quiz.module
    failed, passed = _journey_until_passed(
        person=person, quiz=quiz, capture=django_capture_on_commit_callbacks
    )
    certificate = Certificate.objects.get(attempt=passed)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(
            certificate=certificate,
            by=people["auditor"].user,
            reason="Sat by someone else, as Jade's mother told us.",
            category=RevocationReason.NOT_HOLDERS_OWN,
        )

    certificates = list(Certificate.objects.filter(person=person).order_by("pk"))
    decision_key = next(iter(failed.person.module_progress.get().decisions))
    expected = sorted(
        [
            (VERBS["initialized"], _activity("module", module.pk)),
            (VERBS["answered"], _activity("decision", f"{module.pk}/{decision_key}")),
            (VERBS["attempted"], _activity("quiz", quiz.pk)),
            (VERBS["failed"], _activity("quiz", quiz.pk)),
            (VERBS["attempted"], _activity("quiz", quiz.pk)),
            (VERBS["passed"], _activity("quiz", quiz.pk)),
            (VERBS["completed"], _activity("module", module.pk)),
        ]
        # The module certificate, and a base-competence one if this pass completed the set;
        # revoking the module certificate revokes what rests on it too.
        + [(VERBS["earned"], _activity("certificate", c.pk)) for c in certificates]
        + [(f"{SITE}/xapi/verbs/revoked", _activity("certificate", c.pk)) for c in certificates]
    )
    statements, held = _held(lrs)
    assert held == expected
    assert len({s["id"] for s in statements}) == len(statements) == len(lrs.statements_file())

    # Every statement went through the outbox and is marked sent; ids derive from the event.
    assert set(XapiStatement.objects.values_list("state", flat=True)) == {"sent"}
    assert {s["id"] for s in statements} == {
        str(i) for i in XapiStatement.objects.values_list("statement_id", flat=True)
    }
    assert str(xapi_statement_id(event=f"attempt/{passed.pk}/passed")) in {
        s["id"] for s in statements
    }

    by_verb = {s["verb"]["id"]: s for s in statements}
    # The learner is an account on this platform, named by nothing but their id.
    assert all(
        s["actor"]["account"] == {"homePage": SITE, "name": str(person.pk)} for s in statements
    )
    assert all("mbox" not in s["actor"] and "name" not in s["actor"] for s in statements)
    assert by_verb[VERBS["passed"]]["result"]["success"] is True
    assert by_verb[VERBS["passed"]]["result"]["score"]["scaled"] == 1.0
    assert by_verb[VERBS["failed"]]["result"]["success"] is False
    assert by_verb[VERBS["failed"]]["result"]["score"]["scaled"] == float(failed.percent) / 100
    # The attempt's statements share its registration; the quiz sits in its module.
    attempt_statements = [s for s in statements if s["object"]["id"] == _activity("quiz", quiz.pk)]
    assert len({s["context"]["registration"] for s in attempt_statements}) == 2
    assert all(
        s["context"]["contextActivities"]["parent"][0]["id"] == _activity("module", module.pk)
        for s in attempt_statements
    )

    # Never an answer, an option, a question or the key, nor the auditor's own words.
    held_text = json.dumps(statements)
    assert "response" not in held_text
    for attempt in Attempt.objects.filter(person=person):
        for question in attempt.questions:
            assert question["text"] not in held_text
            for option in question.get("options", []):
                assert option["text"] not in held_text
    assert "Agree once a parent consents" not in held_text
    assert "Jade's mother" not in held_text


def test_sending_a_statement_again_never_duplicates_it_in_the_lrs(
    lrs, people, quiz, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        module_steps_finish(person=people["staff"], module=quiz.module)
    before = lrs.statements()
    assert len(before) == 2  # initialized, answered

    # A retried task, or a worker that died after the LRS stored it but before we noted that.
    XapiStatement.objects.update(state=XapiStatement.State.QUEUED)
    for row in XapiStatement.objects.all():
        assert xapi_send(statement_pk=row.pk) == XapiStatement.State.SENT
    assert xapi_send_waiting() == (0, 0)
    assert sorted(s["id"] for s in lrs.statements()) == sorted(s["id"] for s in before)
    assert len(lrs.statements_file()) == 2


def test_an_lrs_outage_delays_statements_without_losing_them(
    lrs, people, quiz, django_capture_on_commit_callbacks
):
    person = people["staff"]
    lrs.stop()
    failed, passed = _journey_until_passed(
        person=person, quiz=quiz, capture=django_capture_on_commit_callbacks
    )

    # Nothing reached the LRS, and nothing was dropped: every statement waits, with why.
    waiting = list(XapiStatement.objects.order_by("pk"))
    assert len(waiting) >= 7
    assert {row.state for row in waiting} == {XapiStatement.State.QUEUED}
    assert all(row.tries == 1 and "ConnectionError" in row.last_error for row in waiting)
    # Still down: trying again stops at the first failure and keeps them all.
    assert xapi_send_waiting() == (0, len(waiting))

    lrs.start()
    assert lrs.statements() == []
    assert xapi_send_waiting() == (len(waiting), 0)
    statements = lrs.statements()
    assert sorted(s["id"] for s in statements) == sorted(str(row.statement_id) for row in waiting)
    assert {s["verb"]["id"] for s in statements} >= {VERBS["failed"], VERBS["passed"]}

    # Exactly once: sending everything again (a cron run, a late retry) adds nothing.
    XapiStatement.objects.update(state=XapiStatement.State.QUEUED)
    assert xapi_send_waiting() == (len(waiting), 0)
    assert len(lrs.statements()) == len(waiting) == len(lrs.statements_file())


def test_a_statement_the_lrs_refuses_is_set_aside_for_a_person_not_retried(lrs, db):
    statement_id = xapi_statement_id(event="broken/1")
    row = XapiStatement.objects.create(
        statement_id=statement_id,
        person_id=1,
        verb="answered",
        statement={"id": str(statement_id), "verb": {"id": "not an IRI"}, "object": {}},
    )
    assert xapi_send(statement_pk=row.pk) == XapiStatement.State.REJECTED
    row.refresh_from_db()
    assert row.last_error.startswith(("HTTP 400", "HTTP 422")) and row.tries == 1
    assert xapi_send_waiting() == (0, 0)
    assert lrs.statements() == []


def _run_database_worker():
    """django-tasks-db's own worker, in this process: every task that is ready, then it returns.
    Between tasks it would close a connection inside a transaction, as this test's is: not here."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="xapi-test-worker",
            excluded_queue_names=[],
        ).run()


def test_the_task_queue_retries_statements_until_the_lrs_is_back(
    lrs, people, quiz, django_capture_on_commit_callbacks
):
    """The production path: the database task backend and its worker, retrying with a delay."""
    database_tasks = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with override_settings(TASKS=database_tasks, TASK_RETRY_BASE_SECONDS=60, TASK_MAX_ATTEMPTS=3):
        lrs.stop()
        with django_capture_on_commit_callbacks(execute=True):
            module_steps_finish(person=people["staff"], module=quiz.module)
            attempt_failed(person=people["staff"], quiz=quiz)
        queued = DBTaskResult.objects.filter(task_path="lms.xapi.xapi_send_task")
        assert queued.count() == 4  # initialized, answered, attempted, failed

        _run_database_worker()
        # Each send failed and is queued again for later, its statement still waiting.
        assert set(queued.values_list("status", flat=True)) == {TaskResultStatus.READY}
        assert all(
            run_after > timezone.now() for run_after in queued.values_list("run_after", flat=True)
        )
        assert set(XapiStatement.objects.values_list("state", flat=True)) == {"queued"}

        lrs.start()
        # The retry delay has passed.
        queued.update(run_after=timezone.now() - datetime.timedelta(seconds=1))
        _run_database_worker()
        assert set(queued.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
        assert set(XapiStatement.objects.values_list("state", flat=True)) == {"sent"}
        held = lrs.statements()
        assert sorted(s["verb"]["id"] for s in held) == sorted(
            [VERBS["initialized"], VERBS["answered"], VERBS["attempted"], VERBS["failed"]]
        )
        assert len(lrs.statements_file()) == 4
