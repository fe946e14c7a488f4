"""The outbox against a real SMTP server (aiosmtpd, started by the test on a free local port), through
Django's SMTP backend as production configures it, with TLS off: what arrives, and that a message
the server could not take while it was down is sent exactly once when it is back."""

import email
import io
import socket

import pytest
from aiosmtpd.controller import Controller

from django.core.management import call_command

from lms.models import OutboxMessage
from lms.outbox import OutboxNotSent, outbox_add, outbox_send

pytestmark = pytest.mark.django_db(transaction=True)


class Recorder:
    """An SMTP handler that keeps every message it accepts, with whether the session used TLS."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": email.message_from_bytes(envelope.original_content),
                "tls": session.ssl is not None,
            }
        )
        return "250 Message accepted for delivery"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_port(settings):
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "learning@example.org"
    return port


@pytest.fixture
def smtp_server(smtp_port):
    """Start and stop the server; ``start()`` returns once it answers, so nothing waits on time."""
    servers = []

    def start():
        recorder = Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        servers.append(controller)
        return recorder

    yield start
    for controller in servers:
        controller.stop()


def _queue_one():
    """A reminder queued as the services queue it (committed, so its task has run once)."""
    return outbox_add(
        to="sam.staff@example.org",
        subject="Reminder: WhatsApp with children is due",
        text_body="Please complete WhatsApp with children by 1 March.",
        html_body="<p>Please complete <strong>WhatsApp with children</strong> by 1 March.</p>",
    )


def _parts(message):
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.walk()
        if not part.is_multipart()
    }


def test_the_html_and_plain_text_parts_arrive_over_plain_smtp(smtp_server):
    server = smtp_server()

    message = _queue_one()  # the test settings run tasks at once: sent on commit

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT
    assert len(server.received) == 1
    received = server.received[0]
    assert received["from"] == "learning@example.org"
    assert received["to"] == ["sam.staff@example.org"]
    assert received["tls"] is False
    assert received["message"]["Subject"] == "Reminder: WhatsApp with children is due"
    assert received["message"].get_content_type() == "multipart/alternative"
    parts = _parts(received["message"])
    assert parts["text/plain"] == "Please complete WhatsApp with children by 1 March."
    assert "<strong>WhatsApp with children</strong>" in parts["text/html"]


def test_a_message_that_could_not_be_sent_while_the_server_was_down_goes_once_when_it_is_back(
    smtp_server,
):
    # Nothing listens on the port: the task that ran on commit could not connect.
    message = _queue_one()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.QUEUED
    assert message.tries == 1 and "ConnectionRefusedError" in message.last_error
    # A retry while it is still down fails the same way, and is safe to try again.
    with pytest.raises(OutboxNotSent):
        outbox_send(message_id=message.pk)
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.QUEUED and message.tries == 2

    server = smtp_server()
    # The cron job picks up what is still queued...
    call_command("send_outbox", stdout=io.StringIO())
    # ...and a late retry of the task, or a second run of the job, sends nothing more.
    assert outbox_send(message_id=message.pk) == OutboxMessage.State.SENT
    call_command("send_outbox", stdout=io.StringIO())

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.SENT and message.tries == 3
    assert len(server.received) == 1
    assert server.received[0]["to"] == ["sam.staff@example.org"]
