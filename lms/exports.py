"""CSV and XLSX downloads of a table exactly as it is shown: the same headers and cell text."""

import csv
import io

from django.http import HttpResponse

# A spreadsheet treats a cell starting with one of these as a formula; a leading apostrophe
# keeps a name like "=HYPERLINK(...)" as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value):
    """A value made safe for a spreadsheet: text that would run as a formula gets a leading
    apostrophe; anything else (numbers, dates, None) passes unchanged. Every export uses this."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _safe(value):
    return spreadsheet_cell("" if value is None else str(value))


def table_csv_response(*, filename, headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_safe(value) for value in headers])
    writer.writerows([_safe(value) for value in row] for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def table_xlsx_response(*, filename, headers, rows, title="Export"):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_safe(value) for value in headers])
    for row in rows:
        sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


class Echo:
    """A file-like object whose write() returns what it was given, so that csv.writer can feed a
    StreamingHttpResponse row by row instead of building the whole file in memory."""

    def write(self, value):
        return value


def wagtail_exports_guard():
    """Every CSV and XLSX that a Wagtail listing or report writes, Wagtail's own reports (site
    history, locked pages, ...) as well as ours, goes through spreadsheet_cell. Wagtail's CSV export
    writes text exactly as stored, so a person or page named "=1+2" would become a live formula;
    guarding its one export mixin covers every view built on it. Called once, from LmsConfig.ready."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "spreadsheet_cells_guarded", False):
        return
    preprocess, heading = (
        SpreadsheetExportMixin.preprocess_field_value,
        SpreadsheetExportMixin.get_heading,
    )

    def preprocess_field_value(self, field, value, export_format):
        return spreadsheet_cell(preprocess(self, field, value, export_format))

    def get_heading(self, queryset, field):
        return spreadsheet_cell(heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin.get_heading = get_heading
    SpreadsheetExportMixin.spreadsheet_cells_guarded = True
