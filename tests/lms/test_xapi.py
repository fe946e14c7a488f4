"""The xAPI outbox without an LRS: when it is off, what it records, and what happens when the LRS
cannot be reached. tests/lms/test_xapi_lrs.py sends to a real one."""

import uuid

import pytest

from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from lms.models import XapiStatement
from lms.xapi import (
    xapi_activity,
    xapi_is_enabled,
    xapi_record,
    xapi_requeue,
    xapi_send,
    xapi_statement_id,
)
from tests.factories import attempt_failed, attempt_passed, module_steps_finish
from tests.lrs import free_port


@pytest.fixture
def xapi_on(settings):
    """xAPI switched on, pointing at a port nothing listens on: every send fails to connect."""
    settings.XAPI_ENDPOINT = f"http://127.0.0.1:{free_port()}/xAPI/"
    settings.XAPI_USERNAME = "lms"
    settings.XAPI_PASSWORD = "secret"
    settings.XAPI_TIMEOUT_SECONDS = 2
    return settings


def _record(person_id=7, event="module-progress/1/initialized"):
    return xapi_record(
        event=event,
        person_id=person_id,
        verb="initialized",
        activity=xapi_activity(kind="module", key=3, name="WhatsApp with children"),
        timestamp="2026-12-01T09:00:00.000+00:00",
    )


def test_xapi_is_off_unless_the_endpoint_and_both_credentials_are_set(settings, db):
    assert not xapi_is_enabled()
    settings.XAPI_ENDPOINT = "https://lrs.example.org/xAPI/"
    assert not xapi_is_enabled()
    settings.XAPI_USERNAME = "lms"
    assert not xapi_is_enabled()
    settings.XAPI_PASSWORD = "secret"
    assert xapi_is_enabled()
    settings.XAPI_ENDPOINT = ""
    assert not xapi_is_enabled()
    assert _record() is None
    assert not XapiStatement.objects.exists()


def test_while_off_a_learners_journey_records_nothing(people, quiz):
    module_steps_finish(person=people["staff"], module=quiz.module)
    attempt_failed(person=people["staff"], quiz=quiz)
    attempt_passed(person=people["staff"], quiz=quiz)
    assert not XapiStatement.objects.exists()


def test_a_statement_id_is_derived_from_the_event_and_the_site(settings):
    first = xapi_statement_id(event="attempt/5/passed")
    assert first == xapi_statement_id(event="attempt/5/passed")
    assert first.version == 5
    assert first != xapi_statement_id(event="attempt/5/failed")
    assert first != xapi_statement_id(event="attempt/6/passed")
    settings.SITE_URL = "https://learning.other.example.org"
    assert first != xapi_statement_id(event="attempt/5/passed")


def test_the_statement_names_the_learner_only_by_an_account_and_uses_the_adl_verb(xapi_on, db):
    row = _record()
    statement = row.statement
    assert statement["id"] == str(row.statement_id)
    assert uuid.UUID(statement["id"]) == xapi_statement_id(event="module-progress/1/initialized")
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://learning.example.org", "name": "7"},
    }
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/initialized"
    assert statement["object"]["id"] == "https://learning.example.org/xapi/activities/module/3"
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/module"


def test_recording_an_event_twice_queues_one_statement(xapi_on, db):
    first = _record()
    assert _record() == first
    assert XapiStatement.objects.count() == 1


def test_a_rolled_back_event_leaves_no_statement_and_sends_nothing(
    xapi_on, db, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _record()
        raise RuntimeError("the service failed after recording")
    assert not XapiStatement.objects.exists()
    assert callbacks == []


def test_a_journey_queues_each_event_once_and_never_an_answer(
    xapi_on, people, quiz, django_capture_on_commit_callbacks
):
    person = people["staff"]
    with django_capture_on_commit_callbacks(execute=True):
        module_steps_finish(person=person, module=quiz.module)
        failed = attempt_failed(person=person, quiz=quiz)
    verbs = list(XapiStatement.objects.order_by("pk").values_list("verb", flat=True))
    assert verbs == ["initialized", "answered", "attempted", "failed"]
    failed_statement = XapiStatement.objects.get(verb="failed").statement
    assert failed_statement["result"] == {
        "success": False,
        "completion": True,
        "score": {
            "scaled": round(float(failed.percent) / 100, 4),
            "raw": float(failed.score),
            "min": 0.0,
            "max": float(failed.max_score),
        },
    }
    answered = XapiStatement.objects.get(verb="answered").statement
    assert "result" not in answered  # no choice, no "success": that would give the key away


def test_an_unreachable_lrs_leaves_the_statement_waiting_and_the_task_retryable(
    xapi_on, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        row = _record()
    row.refresh_from_db()
    assert row.state == XapiStatement.State.QUEUED
    assert row.tries == 1 and "ConnectionError" in row.last_error and row.last_tried_at
    assert "lms.xapi.xapi_send_task" in xapi_on.TASK_RETRYABLE
    with pytest.raises(CommandError, match="1 statement"):
        call_command("send_xapi")
    row.refresh_from_db()
    assert row.tries == 2 and row.state == XapiStatement.State.QUEUED


def test_a_sent_or_refused_statement_is_not_sent_again_until_requeued(xapi_on, db):
    row = _record()
    XapiStatement.objects.filter(pk=row.pk).update(state=XapiStatement.State.SENT)
    assert xapi_send(statement_pk=row.pk) == XapiStatement.State.SENT
    assert not xapi_requeue(statement_pk=row.pk)  # only a refused one may be queued again
    XapiStatement.objects.filter(pk=row.pk).update(state=XapiStatement.State.REJECTED)
    assert xapi_send(statement_pk=row.pk) == XapiStatement.State.REJECTED
    assert xapi_requeue(statement_pk=row.pk)
    assert XapiStatement.objects.get(pk=row.pk).state == XapiStatement.State.QUEUED


def test_send_xapi_says_when_xapi_is_off(db):
    with pytest.raises(CommandError, match="xAPI is off"):
        call_command("send_xapi")


def test_the_admin_report_lists_statements_not_yet_in_the_lrs(xapi_on, people, client):
    waiting = _record()
    sent = _record(event="module-progress/2/initialized")
    XapiStatement.objects.filter(pk=sent.pk).update(state=XapiStatement.State.SENT)
    XapiStatement.objects.filter(pk=waiting.pk).update(last_error="ConnectionError: refused")
    admin = people["author"].user
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    page = client.get(reverse("lms_report_xapi-statements")).content.decode()
    assert str(waiting.statement_id) in page and "ConnectionError: refused" in page
    assert str(sent.statement_id) not in page


def test_a_persons_data_download_includes_the_statements_about_them(xapi_on, people, db):
    from tracking.personal_data import person_data_collect

    mine = _record(person_id=people["staff"].pk)
    _record(person_id=people["lead"].pk, event="module-progress/9/initialized")
    statements = person_data_collect(person=people["staff"])["xapi_statements"]
    assert [entry["statement"]["id"] for entry in statements] == [str(mine.statement_id)]
    assert statements[0]["state"] == "Waiting to be sent"


def test_an_attempt_closed_when_its_time_ran_out_is_reported_failed(xapi_on, people, quiz):
    import datetime

    from quizzes.services import attempt_close_overdue
    from tests.factories import attempt_begin

    quiz.time_limit_minutes = 5
    quiz.save()
    attempt = attempt_begin(person=people["staff"], quiz=quiz)
    attempt_close_overdue(attempt=attempt, now=attempt.submit_by + datetime.timedelta(minutes=1))
    failed = XapiStatement.objects.get(verb="failed").statement
    assert failed["result"]["success"] is False
    assert failed["id"] == str(xapi_statement_id(event=f"attempt/{attempt.pk}/failed"))
