"""The evidence record of attempts as files an auditor can keep: CSV rows and a readable PDF."""

import weasyprint

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from lms.exports import table_csv_response
from lms.pdf_fonts import pdf_font_uris

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
        pdf_variant="pdf/a-3a"
    )
