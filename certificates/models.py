import secrets

from django.core.files.storage import storages
from django.db import models
from django.utils import timezone


def certificate_storage():
    return storages["certificates"]


def new_verification_code():
    # 160 random bits, URL-safe: far beyond guessing, short enough for a QR code.
    return secrets.token_urlsafe(20)


class Certificate(models.Model):
    """What an auditor relies on: who passed what, against which policy versions, and when.

    Immutable once issued; only ``status`` (and ``superseded_by``) change afterwards."""

    class Kind(models.TextChoices):
        MODULE = "module", "Module"
        BASE_COMPETENCE = "base_competence", "Base competence"

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"
        SUPERSEDED = "superseded", "Superseded"
        RECERTIFICATION_DUE = "recertification_due", "Recertification due"

    serial = models.CharField(max_length=30, unique=True)
    code = models.CharField(max_length=64, unique=True, default=new_verification_code, editable=False)
    person = models.ForeignKey("lms.Person", on_delete=models.PROTECT, related_name="certificates")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    module = models.ForeignKey(
        "modules.ModulePage", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    attempt = models.OneToOneField(
        "quizzes.Attempt", null=True, blank=True, on_delete=models.PROTECT, related_name="certificate"
    )
    holder_name = models.CharField(max_length=255)
    title = models.CharField(max_length=255, help_text="What the certificate attests.")
    scope = models.JSONField(help_text="Modules, scores and the policy versions the assessment rested on.")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    pass_mark = models.PositiveIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField()
    pdf = models.FileField(storage=certificate_storage, upload_to="certificates/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.VALID)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="module") | models.Q(module__isnull=False),
                name="module_certificate_names_module",
            )
        ]

    def __str__(self):
        return f"{self.serial} – {self.holder_name} – {self.title}"

    @property
    def is_expired(self):
        return self.expires_on < timezone.localdate()

    @property
    def display_status(self):
        """The status a reader needs: an expired certificate says so even though nobody changed it."""
        if self.status == self.Status.VALID and self.is_expired:
            return "Expired"
        return self.get_status_display()

    @property
    def is_currently_valid(self):
        return self.status == self.Status.VALID and not self.is_expired
