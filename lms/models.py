from django.conf import settings
from django.db import models


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

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    employee_number = models.CharField(max_length=30, unique=True, null=True, blank=True)
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    job_title = models.CharField(max_length=150, blank=True)
    start_date = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True, help_text="Set when the person leaves; records are kept.")
    anonymised_on = models.DateField(
        null=True, blank=True, help_text="Set by the retention policy when personal details were removed."
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name_plural = "people"
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
    actor_name = models.CharField(max_length=255, blank=True, help_text="Blank for the system itself.")
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
