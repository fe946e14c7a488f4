from django.db import models


class AuditEvent(models.Model):
    """Who did what, and when: append-only (database triggers refuse updates, and deletes on
    PostgreSQL), so the trail can be relied on. Names are copied in, because accounts change."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=60, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(
        max_length=255, blank=True, help_text="Blank for the system itself."
    )
    subject_person_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="The person the event is about, if any."
    )
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"

    @property
    def action_label(self):
        from .audit import ACTIONS

        return ACTIONS.get(self.action, self.action)


class OutboxMessage(models.Model):
    """An e-mail waiting to go, written in the same transaction as the record that causes it (a
    reminder), and sent by a background task only after that transaction commits.

    The state says what is known: QUEUED has not been handed to the mail server and may be tried
    (again); SENDING was being handed over when last seen; SENT was accepted by the server;
    UNKNOWN was being handed over when something broke, so it may or may not have arrived. A
    message is sent at most once: only QUEUED is ever tried, and a crash or an ambiguous error
    while SENDING leaves it for a person to look at rather than risk a second copy."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        UNKNOWN = "unknown", "Outcome unknown: check before sending again"

    created_at = models.DateTimeField(auto_now_add=True)
    to = models.EmailField()
    subject = models.CharField(max_length=998)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="outbox_state_created")]

    def __str__(self):
        return f"{self.subject} to {self.to} ({self.get_state_display()})"


class XapiStatement(models.Model):
    """An xAPI statement waiting for, or delivered to, the learning record store: written in the
    same transaction as the event it reports, sent by a background task after that commits.

    The statement's id is derived from the event (``lms.xapi.xapi_statement_id``), so the same
    event can never queue two rows, and sending the stored statement again is harmless: the LRS
    keeps one statement per id and answers a repeat of an identical statement with success. So a
    failed or doubtful send is simply tried again; nothing is lost and nothing arrives twice.

    QUEUED is still to be delivered (``tries`` and ``last_error`` say how it went so far); SENT
    was stored by the LRS; REJECTED was refused by the LRS as malformed or conflicting, which
    trying again cannot change: a person must look at it."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENT = "sent", "Sent"
        REJECTED = "rejected", "Refused by the LRS"

    statement_id = models.UUIDField(unique=True, editable=False)
    person_id = models.BigIntegerField(
        db_index=True, help_text="Whom the statement is about (its actor), for subject access."
    )
    verb = models.CharField(max_length=30, help_text="The verb's short name, for reports.")
    statement = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="xapi_state_created")]
        verbose_name = "xAPI statement"

    def __str__(self):
        return f"{self.verb} {self.statement_id} ({self.get_state_display()})"
