"""E-mail through an outbox: written with the record that causes it, sent after commit.

Why: a mail sent inside the transaction that records it goes out even when that transaction
then rolls back, and is sent again when the work is retried. Here the message is a row written
in the caller's transaction (``outbox_add``); once it commits, a background task hands it to the
mail server (``outbox_send``). A rolled-back transaction leaves no row and sends nothing.

Never twice (at most once), and why it is safe to retry:

- Only a QUEUED message is sent. Before talking to the server the task marks it SENDING in its
  own committed transaction, under a row lock, so a second task (a duplicate in the queue, a
  second worker, a retry) finds SENDING or SENT and sends nothing.
- A failure the server reports *before accepting the message* (cannot connect, refused the
  login, the sender or the recipient, rejected the data) means it was not sent: the message goes
  back to QUEUED and the task fails, so the task queue tries again later with a growing delay
  (``TASK_RETRYABLE``), and ``manage.py send_outbox`` (cron) picks up anything whose task is lost.
- Anything else once the message was being handed over (the connection dropped mid-way, a
  timeout, the worker died) leaves the outcome unknown: the server may have accepted it. The
  message stays SENDING, or becomes UNKNOWN, and is never resent automatically; ``send_outbox
  --report`` lists them so that a person can check the mail server's log and requeue with
  ``--requeue ID``. For a reminder, a rare lost mail is better than a duplicate the issue forbids;
  the choice is one place to change if that ever reverses."""

import smtplib
import socket

from django_tasks import task

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from .background import task_enqueue_on_commit
from .models import OutboxMessage

# The server said no before taking the message: nothing was delivered, so trying again is safe.
NOT_SENT_ERRORS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    ConnectionRefusedError,
    socket.gaierror,
)


class OutboxNotSent(Exception):
    """The server refused the message before accepting it; the task fails so that it is retried."""


def outbox_add(*, to, subject, text_body, html_body=""):
    """Queue a message in the current transaction; it is sent after the transaction commits."""
    message = OutboxMessage.objects.create(
        to=to, subject=subject, text_body=text_body, html_body=html_body
    )
    task_enqueue_on_commit(outbox_send_task, message_id=message.pk)
    return message


def outbox_send(*, message_id, connection=None):
    """Send one queued message at most once. Returns its state afterwards."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state != OutboxMessage.State.QUEUED:
            return message.state if message else None
        message.state = OutboxMessage.State.SENDING
        message.tries += 1
        message.sending_since = timezone.now()
        message.save(update_fields=["state", "tries", "sending_since"])
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        connection=connection or get_connection(fail_silently=False),
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    try:
        email.send()
    except NOT_SENT_ERRORS as error:
        _state_set(message, OutboxMessage.State.QUEUED, error=error)
        raise OutboxNotSent(f"{message.to}: {error}") from error
    except Exception as error:
        _state_set(message, OutboxMessage.State.UNKNOWN, error=error)
        return OutboxMessage.State.UNKNOWN
    _state_set(message, OutboxMessage.State.SENT)
    return OutboxMessage.State.SENT


def _state_set(message, state, *, error=None):
    changes = {"state": state}
    if error is not None:
        changes["last_error"] = f"{type(error).__name__}: {error}"[:2000]
    if state == OutboxMessage.State.SENT:
        changes["sent_at"] = timezone.now()
    # Only from SENDING: the row is ours while it says so.
    OutboxMessage.objects.filter(pk=message.pk, state=OutboxMessage.State.SENDING).update(**changes)


def outbox_requeue(*, message_id):
    """A person checked the mail server's log and found an UNKNOWN or stuck SENDING message was
    not delivered: queue it again. Refused for any other state."""
    updated = OutboxMessage.objects.filter(
        pk=message_id, state__in=[OutboxMessage.State.UNKNOWN, OutboxMessage.State.SENDING]
    ).update(state=OutboxMessage.State.QUEUED)
    if updated:
        task_enqueue_on_commit(outbox_send_task, message_id=message_id)
    return bool(updated)


@task()
def outbox_send_task(*, message_id):
    return {"message": message_id, "state": outbox_send(message_id=message_id)}
