from django.conf import settings
from django.db import models
from django.utils import timezone


class Team(models.Model):
    """A unit of the organisation; teams nest so that assignments to a team reach its sub-teams."""

    name = models.CharField(max_length=150, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Person(models.Model):
    """Someone who learns on the platform, and where they sit in the reporting line.

    The account (``user``) says who may log in; the person says who they are at work.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person"
    )
    employee_number = models.CharField(max_length=30, unique=True, null=True, blank=True)
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    job_title = models.CharField(max_length=150, blank=True)
    start_date = models.DateField(null=True, blank=True)
    left_on = models.DateField(
        null=True, blank=True, help_text="Set when the person leaves; records are kept."
    )
    anonymised_on = models.DateField(
        null=True,
        blank=True,
        help_text="Set by the retention policy when personal details were removed.",
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "people"
        permissions = [
            ("import_people", "Can import people from an HR file"),
            ("view_compliance_reports", "Can view compliance reports"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(line_manager=models.F("id")), name="person_not_own_manager"
            )
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return self.user.get_full_name() or self.user.get_username()


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
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    due_on = models.DateField(null=True, blank=True, help_text="A fixed due date.")
    due_within_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Or: due within this many days of starting."
    )
    assigned_on = models.DateField(default=timezone.localdate)
    reason = models.CharField(max_length=20, choices=Reason.choices, default=Reason.ASSIGNED)

    class Meta:
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
    """A reminder that has been sent. The unique constraint is what makes sending idempotent:
    each reminder goes once per person, module, reason and the date it is about (the due or expiry
    date), so that the next cycle, after recertifying, gets its own reminders."""

    class Reason(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        EXPIRING = "expiring", "Certificate expiring"
        ESCALATION = "escalation", "Overdue, escalated to line manager"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reminders")
    module = models.ForeignKey(
        "modules.ModulePage", on_delete=models.CASCADE, related_name="reminders"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    about_date = models.DateField(help_text="The due date or expiry date the reminder is about.")
    recipient = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "module", "reason", "about_date"], name="reminder_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.person} – {self.module}"
