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
