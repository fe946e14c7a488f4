"""The evidence record of attempts as files an auditor can keep: CSV rows and a readable PDF.

The PDF of a submitted attempt is rendered once, stored with its SHA-256 (``AttemptEvidence``)
and from then on served as stored, so that what an auditor downloads today is byte for byte what
was sealed at submission, and a copy kept elsewhere can be checked against the hash."""

import hashlib

import weasyprint

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from lms.exports import table_csv_response
from lms.pdf_fonts import pdf_font_config, pdf_font_uris

from .models import Attempt, AttemptEvidence
from .selectors import EVIDENCE_COLUMNS, attempt_evidence_rows, attempt_result_rows


def evidence_csv_response(*, attempts, filename, stream=False):
    """The attempts' evidence rows as a CSV download (header first), streamed for a module's whole
    history so that it is never held in memory."""
    rows = (row for attempt in attempts for row in attempt_evidence_rows(attempt=attempt))
    return table_csv_response(filename=filename, headers=EVIDENCE_COLUMNS, rows=rows, stream=stream)


def attempt_evidence_pdf(*, attempt):
    context = {
        "attempt": attempt,
        "rows": attempt_result_rows(attempt=attempt, every_option=True)
        if attempt.is_submitted
        else [],
        "organisation_name": settings.ORGANISATION_NAME,
        "generated_at": timezone.now(),
        **pdf_font_uris(),
    }
    html = render_to_string("quizzes/attempt_evidence_pdf.html", context)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3a", font_config=pdf_font_config()
    )


class EvidenceNotFinal(Exception):
    pass


def attempt_evidence_seal(*, attempt_id):
    """Render, store and hash the evidence PDF of a submitted attempt, exactly once.

    Idempotent: a second call (a retried task, an auditor opening it before the task ran) returns
    the evidence already stored. Rendering happens under a lock on the attempt's row, so two
    callers at once cannot store two PDFs. Refused for an attempt that is still open: its record
    is not final."""
    existing = AttemptEvidence.objects.filter(attempt_id=attempt_id).first()
    if existing is not None:
        return existing
    stored = None
    try:
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update()
                .select_related("quiz__module", "person__user")
                .get(pk=attempt_id)
            )
            existing = AttemptEvidence.objects.filter(attempt=attempt).first()
            if existing is not None:
                return existing
            if not attempt.is_submitted:
                raise EvidenceNotFinal(
                    f"Attempt {attempt.pk} is still open: its record is not final."
                )
            pdf_bytes = attempt_evidence_pdf(attempt=attempt)
            evidence = AttemptEvidence(
                attempt=attempt, sha256=hashlib.sha256(pdf_bytes).hexdigest()
            )
            evidence.pdf.save(f"attempt-{attempt.pk}.pdf", ContentFile(pdf_bytes), save=False)
            stored = evidence.pdf.name
            evidence.save()
            return evidence
    except Exception:
        # A row that was never written must not leave its file behind.
        if stored is not None:
            AttemptEvidence.pdf.field.storage.delete(stored)
        raise


def attempt_evidence_check(*, evidence):
    """Whether the stored file still hashes to the SHA-256 recorded when it was rendered. A file
    that has gone missing does not match."""
    storage = evidence.pdf.storage
    if not evidence.pdf.name or not storage.exists(evidence.pdf.name):
        return False
    digest = hashlib.sha256()
    with storage.open(evidence.pdf.name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest() == evidence.sha256
