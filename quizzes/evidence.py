"""The evidence record of attempts as files an auditor can keep: CSV rows and a readable PDF."""

import csv

import weasyprint

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from lms.exports import Echo, spreadsheet_cell

from .selectors import EVIDENCE_COLUMNS, attempt_evidence_rows, attempt_result_rows


def _cell(value):
    return spreadsheet_cell("" if value is None else str(value))


def evidence_csv_lines(*, attempts):
    """CSV lines (header first) for the attempts, produced one at a time so a module's whole
    history can be streamed without holding it in memory."""
    writer = csv.writer(Echo())
    yield writer.writerow(EVIDENCE_COLUMNS)
    for attempt in attempts:
        for row in attempt_evidence_rows(attempt=attempt):
            yield writer.writerow([_cell(value) for value in row])


def csv_text(*, rows):
    writer = csv.writer(Echo())
    return "".join(writer.writerow([_cell(value) for value in row]) for row in rows)


def attempt_evidence_pdf(*, attempt):
    context = {
        "attempt": attempt,
        "rows": attempt_result_rows(attempt=attempt, every_option=True)
        if attempt.is_submitted
        else [],
        "organisation_name": settings.ORGANISATION_NAME,
        "generated_at": timezone.now(),
    }
    html = render_to_string("quizzes/attempt_evidence_pdf.html", context)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/a-3a"
    )
