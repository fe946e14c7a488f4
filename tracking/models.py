from django.db import models
from django.utils import timezone


class Assignment(models.Model):
    """Who must complete a module, and by when.

    A due date is either fixed or "within N days of starting" (counted from the later of the
    person's start date and the day the assignment was made, so that long-serving staff are not
    overdue on the day a new module is assigned). Recertification assignments are made when a
    certificate becomes "recertification due" and only count while it is."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        TEAM = "team", "A team and its sub-teams"
        PERSON = "person", "One person"

    class Reason(models.TextChoices):
        ASSIGNED = "assigned", "Assigned"
        RECERTIFICATION = "recertification", "Recertification"

    module = models.ForeignKey(
        "modules.ModulePage", on_delete=models.CASCADE, related_name="assignments"
    )
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    due_on = models.DateField(null=True, blank=True, help_text="A fixed due date.")
    due_within_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Or: due within this many days of starting."
    )
    assigned_on = models.DateField(default=timezone.localdate)
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.ASSIGNED)

    class Meta:
        db_table = "lms_assignment"  # created when tracking lived in lms; kept so no data moves
        ordering = ["module__title", "audience"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__isnull=False, due_within_days__isnull=True)
                | models.Q(due_on__isnull=True, due_within_days__isnull=False),
                name="assignment_has_one_kind_of_due_date",
                violation_error_message="Give either a fixed due date or a number of days after starting, not both.",
            ),
            models.CheckConstraint(
                condition=models.Q(audience="everyone", team__isnull=True, person__isnull=True)
                | models.Q(audience="team", team__isnull=False, person__isnull=True)
                | models.Q(audience="person", team__isnull=True, person__isnull=False),
                name="assignment_audience_matches_target",
                violation_error_message="Choose a team only for a team assignment and a person only for a personal one.",
            ),
        ]

    def __str__(self):
        target = {"team": self.team, "person": self.person}.get(self.audience) or "everyone"
        return f"{self.module} – {target}"


class Reminder(models.Model):
    """A reminder that has been recorded, its e-mail in the outbox (``lms.outbox``). The unique constraint is what makes sending idempotent:
    each reminder goes once per person, module, reason and the date it is about (the due or expiry
    date), so that the next cycle, after recertifying, gets its own reminders."""

    class Reason(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        EXPIRING = "expiring", "Certificate expiring"
        ESCALATION = "escalation", "Overdue, escalated to line manager"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="reminders")
    module = models.ForeignKey(
        "modules.ModulePage", on_delete=models.CASCADE, related_name="reminders"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    about_date = models.DateField(help_text="The due date or expiry date the reminder is about.")
    recipient = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "lms_reminder"  # created when tracking lived in lms; kept so no data moves
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "module", "reason", "about_date"], name="reminder_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.person} – {self.module}"


class ModuleStatusFacts(models.Model):
    """The recorded facts that one person's status in one module is worked out from (their
    current certificate, a revocation with nothing submitted since, their submitted attempts and a
    passed one still being certified, and whether they have opened the module), kept by
    ``tracking.facts`` whenever one of those records is written, so that a reporting line of
    thousands reads one row per person and module instead of grouping every attempt and
    certificate it has. What depends on the day (due, overdue, expiring) and on assignments is
    still worked out when read (``status_sql``). A person and module with none of these facts has
    no row."""

    # No index of its own: the unique constraint (person, module) starts with it and serves its
    # look-ups, and every submission deletes and writes the person's rows.
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="module_status_facts",
        db_index=False,
    )
    module = models.ForeignKey(
        "modules.ModulePage", on_delete=models.CASCADE, related_name="status_facts"
    )
    # The latest module certificate that is valid or due for recertification.
    certificate_status = models.CharField(max_length=30, null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    # The last revocation, while nothing has been submitted since.
    revoked_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Passed attempts that no certificate rests on yet.
    passed_pending = models.PositiveIntegerField(default=0)
    started = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "module status facts"
        constraints = [
            models.UniqueConstraint(fields=["person", "module"], name="status_facts_once_each")
        ]

    def __str__(self):
        return f"{self.person} – {self.module}"


class LineInputs(models.Model):
    """SQLite's record of changes to what every manager's kept headline (``LineHeadline``) rests
    on besides the learners' own records: one row whose ``epoch`` database triggers (tracking
    migration 0004) add one to whenever a person joins, leaves, moves team or manager, or changes
    start date or organisation, whenever a team moves, and on any change to an assignment or a
    reporting link: whatever writes it, the HR import, the admin, a shell or a test's factory.
    SQLite lets one transaction write at a time, so the one row is never fought over; PostgreSQL
    keeps ``LineInputsChange`` instead."""

    epoch = models.BigIntegerField(default=0)

    def __str__(self):
        return f"Line inputs at epoch {self.epoch}"


class LineInputsChange(models.Model):
    """PostgreSQL's record of the same changes: a row for each transaction that made one, added
    by the triggers (tracking migration 0005) with the transaction's id. Only ever added to, so
    that writers never wait for each other on it (one row updated by every such transaction
    took its lock after the person's row, and an HR import and an edit deadlocked); a kept
    headline holds while no row has appeared that the snapshot it was counted in did not see
    (``tracking.headlines``). ``manage.py line_headlines --prune`` removes the rows every
    transaction already sees."""

    transaction_id = models.BigIntegerField(db_index=True)

    def __str__(self):
        return f"Line inputs changed by transaction {self.transaction_id}"


class LineHeadline(models.Model):
    """A manager's dashboard headline over their whole reporting line, kept so that a line of
    thousands is not counted again on every request (``tracking.headlines``). It holds only
    while all of these still stand: the day it was counted on (``counted_on``), what the
    modules and the quizzes' refusals were (``basis``), the changes to people, teams and
    assignments that the count saw (``inputs_seen``, read before counting), and its
    ``generation``, which every refresh of a learner's facts below the manager adds one to
    (``tracking.facts``); a count is stored only if the generation it started from is still the
    row's."""

    manager = models.OneToOneField(
        "people.Person", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    generation = models.BigIntegerField(default=0)
    counted_on = models.DateField(null=True)
    inputs_seen = models.TextField(blank=True)
    basis = models.CharField(max_length=64, blank=True)
    people = models.PositiveIntegerField(default=0)
    assigned_people = models.PositiveIntegerField(default=0)
    compliant_people = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    expiring_soon = models.PositiveIntegerField(default=0)
    # The teams the line's people are in, which the dashboard's team choices start from.
    team_ids = models.JSONField(default=list)
    # The default view of the dashboard (the whole line by name, its first page) as last drawn
    # from this headline, and a digest of everything it was drawn from (``tracking.kept_view``):
    # shown only while the digest is that of the row and the content as they are now.
    view_of = models.CharField(max_length=64, blank=True, default="")
    view_html = models.TextField(blank=True, default="")

    def __str__(self):
        return f"Headline of {self.manager_id} counted on {self.counted_on}"
