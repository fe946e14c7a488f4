from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from .codes import code_grouped, code_new
from .expiry import EXPIRED_LABEL, has_expired


def certificate_storage():
    return storages["certificates"]


def new_verification_code():
    # 160 random bits: far beyond guessing, short enough for a QR code, and typeable (see codes.py).
    return code_new()


class Certificate(models.Model):
    """What an auditor relies on: who passed what, against which policy versions, and when.

    Immutable once issued; only ``status`` (and ``superseded_by``) change afterwards, each change
    recorded as a ``CertificateEvent``."""

    class Kind(models.TextChoices):
        MODULE = "module", "Module"
        BASE_COMPETENCE = "base_competence", "Base competence"

    class Status(models.TextChoices):
        VALID = "valid", "Valid"
        REVOKED = "revoked", "Revoked"
        SUPERSEDED = "superseded", "Superseded"
        RECERTIFICATION_DUE = "recertification_due", "Recertification due"

    serial = models.CharField(max_length=30, unique=True)
    code = models.CharField(
        max_length=64, unique=True, default=new_verification_code, editable=False
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="certificates"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    module = models.ForeignKey(
        "modules.ModulePage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    attempt = models.OneToOneField(
        "quizzes.Attempt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    basis_key = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="For a base-competence certificate: a SHA-256 of the module certificates it rests "
        "on, so that one set of passes can never earn two certificates.",
    )
    based_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="base_certificates",
        help_text="The module certificates a base-competence certificate rests on.",
    )
    clauses = models.ManyToManyField(
        "modules.PolicyClause",
        blank=True,
        related_name="+",
        help_text="The clause versions behind the questions the assessment showed.",
    )
    holder_name = models.CharField(max_length=255)
    title = models.CharField(max_length=255, help_text="What the certificate attests.")
    scope = models.JSONField(
        help_text="Modules, scores and the policy versions the assessment rested on."
    )
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
                condition=~models.Q(kind="module")
                | models.Q(module__isnull=False, attempt__isnull=False),
                name="module_certificate_names_module",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="base_competence")
                | models.Q(basis_key__isnull=False, attempt__isnull=True),
                name="base_certificate_names_basis",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="superseded") | models.Q(superseded_by__isnull=False),
                name="superseded_certificate_names_successor",
            ),
        ]

    def __str__(self):
        return f"{self.serial} – {self.holder_name} – {self.title}"

    @property
    def is_base_competence(self):
        return self.kind == self.Kind.BASE_COMPETENCE

    @property
    def code_for_reading(self):
        return code_grouped(self.code)

    @property
    def is_expired(self):
        return has_expired(expires_on=self.expires_on, today=timezone.localdate())

    @property
    def display_status(self):
        """The status a reader needs: an expired certificate says so even though nobody changed it."""
        if self.status == self.Status.VALID and self.is_expired:
            return EXPIRED_LABEL
        return self.get_status_display()

    @property
    def is_currently_valid(self):
        return self.status == self.Status.VALID and not self.is_expired


class RevocationReason(models.TextChoices):
    """Why a certificate was revoked, in words the public may read. The auditor's own account of
    why stays in the event's ``reason`` and the audit trail, which may name people and details."""

    ISSUED_IN_ERROR = "issued_in_error", "Issued in error"
    NOT_HOLDERS_OWN = "not_holders_own", "The assessment was not the holder's own work"
    POLICY_WITHDRAWN = "policy_withdrawn", "The policy it was assessed against was withdrawn"
    OTHER = "other", "Another reason"
    # Not offered to auditors: a base-competence certificate revoked with one it rests on.
    RESTS_ON_REVOKED = "rests_on_revoked", "A certificate it rests on was revoked"


AUDITOR_REVOCATION_REASONS = [
    choice for choice in RevocationReason.choices if choice[0] != RevocationReason.RESTS_ON_REVOKED
]


class CertificateEvent(models.Model):
    """One change of a certificate's status: who, when, from what to what, and why. Append-only:
    the services only ever add rows, so the history of a certificate can be read back in full."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the record still names the person after their account is gone.
    actor_name = models.CharField(max_length=255)
    from_status = models.CharField(
        max_length=30, blank=True, help_text="Empty for the issuing event."
    )
    to_status = models.CharField(max_length=30, choices=Certificate.Status.choices)
    reason = models.TextField()
    reason_category = models.CharField(
        max_length=30,
        choices=RevocationReason.choices,
        blank=True,
        help_text="For a revocation: the reason as the public verify pages show it.",
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.certificate.serial}: {self.from_status or 'issued'} -> {self.to_status} ({self.actor_name})"
