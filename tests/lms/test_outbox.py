"""The e-mail outbox: sent only after the transaction that queued it commits, retried when the
server refused it outright, never sent twice, and left for a person when the outcome is unknown."""

import io
import smtplib

import pytest

from django.core import mail
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import TestCase

from lms.models import OutboxMessage
from lms.outbox import OutboxNotSent, outbox_add, outbox_requeue, outbox_send

pytestmark = pytest.mark.django_db


class FailingConnection:
    """A mail connection whose server fails in a given way (Django's backends raise what smtplib
    raises when ``fail_silently`` is off)."""

    def __init__(self, error):
        self.error = error
        self.calls = 0

    def send_messages(self, messages):
        self.calls += 1
        raise self.error


def _queued(**overrides):
    fields = {
        "to": "sam.staff@example.org",
        "subject": "Reminder",
        "text_body": "Plain words",
        "html_body": "<p>Plain words</p>",
    }
    return OutboxMessage.objects.create(**{**fields, **overrides})


def test_a_message_goes_only_once_its_transaction_commits():
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        message = outbox_add(to="sam.staff@example.org", subject="Hello", text_body="Text")
    assert mail.outbox == [] and message.state == "queued"
    for callback in callbacks:
        callback()
    (sent,) = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["sam.staff@example.org"], "Hello", "Text")
    message.refresh_from_db()
    assert message.state == "sent" and message.sent_at is not None and message.tries == 1


def test_a_rolled_back_transaction_sends_nothing():
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                outbox_add(to="sam.staff@example.org", subject="Hello", text_body="Text")
                raise RuntimeError("the record that caused the mail failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == [] and not OutboxMessage.objects.exists()


def test_plain_text_and_html_parts():
    message = _queued()
    outbox_send(message_id=message.pk)
    (sent,) = mail.outbox
    assert sent.body == "Plain words"
    assert sent.alternatives[0][0] == "<p>Plain words</p>"
    assert sent.alternatives[0][1] == "text/html"


def test_sending_again_sends_nothing():
    message = _queued()
    assert outbox_send(message_id=message.pk) == "sent"
    assert outbox_send(message_id=message.pk) == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError("nobody listening"),
        smtplib.SMTPConnectError(421, b"busy"),
        smtplib.SMTPAuthenticationError(535, b"bad credentials"),
        smtplib.SMTPRecipientsRefused({"sam.staff@example.org": (550, b"no such user")}),
        smtplib.SMTPSenderRefused(553, b"not allowed", "learning@example.org"),
        smtplib.SMTPDataError(554, b"rejected"),
    ],
)
def test_a_message_the_server_refused_outright_is_queued_for_a_retry(error):
    message = _queued()
    with pytest.raises(OutboxNotSent):
        outbox_send(message_id=message.pk, connection=FailingConnection(error))
    message.refresh_from_db()
    assert message.state == "queued" and message.tries == 1
    assert type(error).__name__ in message.last_error
    assert outbox_send(message_id=message.pk) == "sent"  # the retry
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.tries == 2


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPServerDisconnected("connection lost after DATA"),
        TimeoutError("no answer after the message was sent"),
        OSError("connection reset"),
    ],
)
def test_a_message_whose_outcome_is_unknown_is_never_sent_again_by_itself(error):
    message = _queued()
    connection = FailingConnection(error)
    assert outbox_send(message_id=message.pk, connection=connection) == "unknown"
    assert outbox_send(message_id=message.pk, connection=connection) == "unknown"
    assert connection.calls == 1 and mail.outbox == []
    message.refresh_from_db()
    assert message.state == "unknown" and type(error).__name__ in message.last_error


def test_a_message_left_sending_by_a_crashed_worker_is_not_sent_again():
    message = _queued(state="sending", tries=1)
    assert outbox_send(message_id=message.pk) == "sending"
    assert mail.outbox == []


def test_a_person_can_requeue_an_unknown_message_after_checking_and_nothing_else():
    unknown = _queued(state="unknown")
    sent = _queued(state="sent")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert outbox_requeue(message_id=unknown.pk)
        assert not outbox_requeue(message_id=sent.pk)
    assert len(mail.outbox) == 1
    unknown.refresh_from_db()
    assert unknown.state == "sent"


def test_the_command_sends_what_waits_reports_the_unknown_and_requeues_on_request():
    waiting = _queued(subject="Waiting")
    unknown = _queued(subject="Unsure", state="unknown", last_error="SMTPServerDisconnected: x")
    _queued(subject="Done", state="sent")
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    assert "Queued 1 waiting message(s)." in out.getvalue()
    assert [message.subject for message in mail.outbox] == ["Waiting"]
    waiting.refresh_from_db()
    assert waiting.state == "sent"

    out = io.StringIO()
    call_command("send_outbox", report=True, stdout=out)
    assert f"{unknown.pk}\t" in out.getvalue() and "Unsure" in out.getvalue()
    assert "1 message(s) whose outcome is unknown." in out.getvalue()

    with pytest.raises(CommandError, match="not one whose outcome is unknown"):
        call_command("send_outbox", requeue=waiting.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_outbox", requeue=unknown.pk, stdout=io.StringIO())
    assert [message.subject for message in mail.outbox] == ["Waiting", "Unsure"]
