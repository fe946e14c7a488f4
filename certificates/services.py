"""Writes for certificates: issuing from a passed attempt."""

import calendar
import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from quizzes.models import Attempt

from .models import Certificate
from .pdf import certificate_pdf_render


class CertificateError(Exception):
    pass


def certificate_issue_for_attempt(*, attempt_id):
    """Issue the module certificate for a passed attempt, exactly once.

    Safe to retry: a second call (a retried task, a crash after commit) returns the certificate
    the first one issued. Everything happens in one transaction, so a crash mid-render leaves
    no half certificate behind."""
    existing = Certificate.objects.filter(attempt_id=attempt_id).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update()
                .select_related("person__user", "quiz__module")
                .get(pk=attempt_id)
            )
            if not attempt.passed:
                raise CertificateError("Only a passed attempt earns a certificate.")
            return _certificate_create(attempt=attempt)
    except IntegrityError:
        # Another worker issued it between our check and our insert.
        return Certificate.objects.get(attempt_id=attempt_id)


def _certificate_create(*, attempt):
    module = attempt.quiz.module
    issued_at = timezone.now()
    certificate = Certificate.objects.create(
        serial=f"pending-{attempt.pk}",
        person=attempt.person,
        kind=Certificate.Kind.MODULE,
        module=module,
        attempt=attempt,
        holder_name=attempt.person.full_name,
        title=module.title,
        scope={
            "modules": [
                {"title": module.title, "score": str(attempt.percent), "pass_mark": attempt.pass_mark}
            ],
            "policies": _policies_cited(questions=attempt.questions),
        },
        score=attempt.percent,
        pass_mark=attempt.pass_mark,
        issued_at=issued_at,
        expires_on=_add_months(timezone.localdate(issued_at), module.validity_months),
    )
    certificate.serial = f"{issued_at:%Y}-{certificate.pk:06d}"
    pdf_bytes = certificate_pdf_render(certificate=certificate)
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(pdf_bytes), save=False)
    certificate.sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    certificate.save(update_fields=["serial", "pdf", "sha256"])
    Certificate.objects.filter(
        person=attempt.person, module=module, kind=Certificate.Kind.MODULE, status=Certificate.Status.VALID
    ).exclude(pk=certificate.pk).update(status=Certificate.Status.SUPERSEDED, superseded_by=certificate)
    return certificate


def _policies_cited(*, questions):
    """The policy documents and versions behind the keyed answers of the questions shown."""
    seen = {}
    for question in questions:
        for option in question["options"]:
            clause = option["clause"]
            key = (clause["organisation"], clause["document"], clause["document_version"])
            seen[key] = {"organisation": key[0], "title": key[1], "version": key[2]}
    return [seen[key] for key in sorted(seen)]


def _add_months(day, months):
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
