"""xAPI statements to a learning record store (LRS), through an outbox.

Off unless ``XAPI_ENDPOINT``, ``XAPI_USERNAME`` and ``XAPI_PASSWORD`` are all set: then nothing is
written and nothing is sent.

How a statement travels, and why it arrives exactly once:

- The service that records an event (a module started, a quiz submitted, a certificate issued)
  calls ``xapi_record`` inside its own transaction. The statement is built there, in full, and
  written as a ``XapiStatement`` row; a rolled-back transaction leaves no row and sends nothing.
- Its id is a UUID derived from the event (``xapi_statement_id``: version 5, from ``SITE_URL`` and
  the event's name), so recording the same event twice (a retried task, a double click) finds the
  row already there instead of queueing a second statement.
- Once the transaction commits, ``xapi_send_task`` PUTs the stored statement to the LRS under
  that id. The xAPI specification has the LRS keep one statement per id and answer a repeat of an
  identical statement with 204, so sending again after a doubtful outcome (a timeout, a worker
  that died) is harmless. That is why, unlike e-mail (``lms/outbox.py``), a failure of any kind
  leaves the row QUEUED and the task is simply retried (``TASK_RETRYABLE``), and ``manage.py
  send_xapi`` (cron) sends whatever is still waiting, oldest first, after a long outage.
- Only a refusal that trying again cannot change (400 or 422: malformed; 409: a *different*
  statement already has this id; 413: too large) marks the row REJECTED for a person to look at.

What a statement reveals: the learner only as an account (``SITE_URL`` and the person's id),
never a name or e-mail address; the module, quiz or certificate; and for a quiz the score and
whether it passed. Never a question, an option, an answer given, or which answer is keyed: a
scenario decision is reported as answered, without the choice made or whether it was the best.
"""

import datetime
import uuid

import requests
from django_tasks import task

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .background import task_enqueue_on_commit
from .models import XapiStatement

XAPI_VERSION = "1.0.3"

# Verb IRIs: ADL's vocabulary (also cmi5's), and the xAPI registry's "earned" (Open Badges
# recipe). Neither defines "revoked", so that verb is the platform's own, under SITE_URL.
VERBS = {
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",  # a module started
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "attempted": "http://adlnet.gov/expapi/verbs/attempted",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "earned": "http://id.tincanapi.com/verb/earned",
    "revoked": None,  # f"{SITE_URL}/xapi/verbs/revoked", built when used
}

ACTIVITY_TYPES = {
    "module": "http://adlnet.gov/expapi/activities/module",
    "decision": "http://adlnet.gov/expapi/activities/interaction",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "certificate": "http://activitystrea.ms/schema/1.0/badge",
}

# A refusal that sending the same statement again cannot change (Ralph, on FastAPI, answers 422
# where the specification says 400).
REJECTED_STATUSES = {400, 409, 413, 422}


class XapiNotSent(Exception):
    """The LRS could not be reached or did not store the statement; the task fails so that it is
    tried again later."""


def xapi_is_enabled():
    return bool(settings.XAPI_ENDPOINT and settings.XAPI_USERNAME and settings.XAPI_PASSWORD)


def xapi_site_url():
    return settings.SITE_URL.rstrip("/")


def xapi_verb_iri(verb):
    if verb not in VERBS:
        raise ValueError(f"Unknown xAPI verb {verb!r}")
    return VERBS[verb] or f"{xapi_site_url()}/xapi/verbs/{verb}"


def xapi_statement_id(*, event):
    """The statement id for an event, the same every time it is asked: ``event`` names what
    happened to which record, e.g. ``attempt/12/passed``."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{xapi_site_url()}/xapi/events/{event}")


def xapi_actor(*, person_id):
    """The learner as an account on this platform: a stable id that names nobody to the LRS."""
    return {
        "objectType": "Agent",
        "account": {"homePage": xapi_site_url(), "name": str(person_id)},
    }


def xapi_activity(*, kind, key, name):
    """An activity under SITE_URL: ``kind`` is one of ACTIVITY_TYPES, ``key`` its stable id."""
    return {
        "objectType": "Activity",
        "id": f"{xapi_site_url()}/xapi/activities/{kind}/{key}",
        "definition": {
            "type": ACTIVITY_TYPES[kind],
            "name": {settings.XAPI_LANGUAGE: str(name)[:500]},
        },
    }


def xapi_score_result(*, passed, percent, points=None, max_points=None):
    """A quiz result: the score and whether it passed. Nothing about the answers."""
    result = {"success": bool(passed), "completion": True}
    if percent is not None:
        score = {"scaled": round(float(percent) / 100, 4)}
        if points is not None and max_points:
            score.update(raw=float(points), min=0.0, max=float(max_points))
        result["score"] = score
    return result


def xapi_record(
    *, event, person_id, verb, activity, timestamp, result=None, parent=None, registration=None
):
    """Queue the statement for ``event`` in the current transaction; it is sent after commit.

    Returns the row, or None while xAPI is off. Recording an event already recorded returns the
    first row and queues nothing."""
    if not xapi_is_enabled():
        return None
    statement_id = xapi_statement_id(event=event)
    statement = {
        "id": str(statement_id),
        "actor": xapi_actor(person_id=person_id),
        "verb": {"id": xapi_verb_iri(verb), "display": {settings.XAPI_LANGUAGE: verb}},
        "object": activity,
        "timestamp": _iso(timestamp),
        "context": {"platform": settings.XAPI_PLATFORM, "language": settings.XAPI_LANGUAGE},
    }
    if result:
        statement["result"] = result
    if parent:
        statement["context"]["contextActivities"] = {"parent": [parent]}
    if registration:
        statement["context"]["registration"] = str(registration)
    row, created = XapiStatement.objects.get_or_create(
        statement_id=statement_id,
        defaults={"person_id": person_id, "verb": verb, "statement": statement},
    )
    if created:
        task_enqueue_on_commit(xapi_send_task, statement_pk=row.pk)
    return row


def xapi_registration(*, event):
    """A registration id that groups the statements of one attempt or one run through a module."""
    return xapi_statement_id(event=f"{event}/registration")


def _iso(moment):
    if isinstance(moment, datetime.datetime):
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return moment


def xapi_statements_url():
    return settings.XAPI_ENDPOINT.rstrip("/") + "/statements"


def xapi_send(*, statement_pk):
    """Send one queued statement. Returns its state afterwards; raises XapiNotSent when the LRS
    could not be reached or failed, leaving the row QUEUED to be sent again."""
    row = XapiStatement.objects.filter(pk=statement_pk).first()
    if row is None or row.state != XapiStatement.State.QUEUED:
        return row.state if row else None
    if not xapi_is_enabled():
        return row.state  # switched off since: it waits, and goes when the LRS is configured again
    try:
        response = requests.put(
            xapi_statements_url(),
            params={"statementId": str(row.statement_id)},
            json=row.statement,
            auth=(settings.XAPI_USERNAME, settings.XAPI_PASSWORD),
            headers={"X-Experience-API-Version": XAPI_VERSION},
            timeout=settings.XAPI_TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        _tried(row, state=XapiStatement.State.QUEUED, error=f"{type(error).__name__}: {error}")
        raise XapiNotSent(f"statement {row.statement_id}: {error}") from error
    if 200 <= response.status_code < 300:
        _tried(row, state=XapiStatement.State.SENT)
        return XapiStatement.State.SENT
    error = f"HTTP {response.status_code}: {response.text[:1000]}"
    if response.status_code in REJECTED_STATUSES:
        _tried(row, state=XapiStatement.State.REJECTED, error=error)
        return XapiStatement.State.REJECTED
    _tried(row, state=XapiStatement.State.QUEUED, error=error)
    raise XapiNotSent(f"statement {row.statement_id}: {error}")


def _tried(row, *, state, error=""):
    now = timezone.now()
    changes = {"state": state, "tries": F("tries") + 1, "last_tried_at": now}
    if error:
        changes["last_error"] = error[:2000]
    if state == XapiStatement.State.SENT:
        changes["sent_at"] = now
    # Only from QUEUED: a twin task that got there first has already settled the row.
    XapiStatement.objects.filter(pk=row.pk, state=XapiStatement.State.QUEUED).update(**changes)


def xapi_send_waiting():
    """Send every queued statement, oldest first, and stop at the first that cannot be sent (the
    LRS is down: the rest would fail too). For ``manage.py send_xapi`` (cron) after an outage
    longer than the task retries. Returns (sent, still waiting)."""
    sent = 0
    waiting = XapiStatement.objects.filter(state=XapiStatement.State.QUEUED).order_by(
        "created_at", "pk"
    )
    for statement_pk in list(waiting.values_list("pk", flat=True)):
        try:
            if xapi_send(statement_pk=statement_pk) == XapiStatement.State.SENT:
                sent += 1
        except XapiNotSent:
            break
    return sent, XapiStatement.objects.filter(state=XapiStatement.State.QUEUED).count()


def xapi_requeue(*, statement_pk):
    """A person fixed what made the LRS refuse a statement: queue it again."""
    updated = XapiStatement.objects.filter(
        pk=statement_pk, state=XapiStatement.State.REJECTED
    ).update(state=XapiStatement.State.QUEUED)
    if updated:
        task_enqueue_on_commit(xapi_send_task, statement_pk=statement_pk)
    return bool(updated)


def xapi_statements_needing_attention():
    """Statements still waiting or refused, oldest first: the admin report and ``--report``."""
    return XapiStatement.objects.exclude(state=XapiStatement.State.SENT).order_by(
        "created_at", "pk"
    )


@task()
def xapi_send_task(*, statement_pk):
    return {"statement": statement_pk, "state": xapi_send(statement_pk=statement_pk)}
