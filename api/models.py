from django.db import models
from django.utils import timezone


class ApiClient(models.Model):
    """A system outside the platform (an HR system, a data warehouse) that calls the API with its
    own token. Only a SHA-256 of the token is kept: the token itself is shown once, when the
    client is created. Revoking keeps the row, so the audit trail still names the client."""

    class Scope(models.TextChoices):
        READ_STATUS = "read_status", "Read module statuses"
        READ_CERTIFICATES = "read_certificates", "Read certificates"
        WRITE_PEOPLE = "write_people", "Write people (HR sync)"

    name = models.CharField(max_length=100, unique=True)
    scopes = models.JSONField(default=list, help_text="Scope values the client was granted.")
    token_prefix = models.CharField(
        max_length=12, help_text="The token's first characters, to tell tokens apart."
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_name = models.CharField(max_length=255, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.revoked_at is None

    @property
    def scope_labels(self):
        return [label for value, label in self.Scope.choices if value in self.scopes]
