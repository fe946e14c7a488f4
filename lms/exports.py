"""Downloads: CSV and XLSX of a table exactly as it is shown (the same headers and cell text),
every cell made safe for a spreadsheet, and the one way a response becomes a download."""

import csv
import io

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

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


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write() returns what it was given, so that csv.writer can feed a
    streamed response row by row instead of building the whole file in memory."""

    def write(self, value):
        return value


def csv_line(values):
    """One CSV line, every cell through ``spreadsheet_cell``."""
    return csv.writer(_Echo()).writerow([_safe(value) for value in values])


# Rows per piece of a streamed CSV: the header goes out at once, then pieces big enough that the
# per-piece cost of a streamed response (one write, one encoding) is not paid per row.
CSV_ROWS_PER_PIECE = 500


def csv_lines(*, headers, rows):
    """The CSV text of a table: the header line, then the rows a few hundred lines a piece."""
    writer = csv.writer(_Echo())
    yield writer.writerow([_safe(value) for value in headers])
    piece = []
    for row in rows:
        piece.append(writer.writerow([_safe(value) for value in row]))
        if len(piece) == CSV_ROWS_PER_PIECE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def xlsx_bytes(*, headers, rows, title="Export"):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_safe(value) for value in headers])
    for row in rows:
        sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_download(response, *, filename):
    """Every download says it is one the same way (the private-responses middleware keys on it),
    with a file name safe in any browser."""
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


def file_response(content, *, filename, content_type):
    return as_download(HttpResponse(content, content_type=content_type), filename=filename)


def table_csv_response(*, filename, headers, rows, stream=False):
    """A table as ``<filename>.csv``; ``stream`` for a long table read lazily (a queryset's
    ``iterator()``), so that memory stays flat however many rows."""
    lines = csv_lines(headers=headers, rows=rows)
    if stream:
        response = StreamingHttpResponse(lines, content_type=CSV_TYPE)
    else:
        response = HttpResponse("".join(lines), content_type=CSV_TYPE)
    return as_download(response, filename=f"{filename}.csv")


def table_xlsx_response(*, filename, headers, rows, title="Export"):
    return file_response(
        xlsx_bytes(headers=headers, rows=rows, title=title),
        filename=f"{filename}.xlsx",
        content_type=XLSX_TYPE,
    )


def table_response(*, export_format, filename, headers, rows, title="Export", stream=False):
    """The table as the CSV or XLSX file asked for; anything else is not a format we offer."""
    if export_format == "csv":
        return table_csv_response(filename=filename, headers=headers, rows=rows, stream=stream)
    if export_format == "xlsx":
        return table_xlsx_response(filename=filename, headers=headers, rows=rows, title=title)
    raise Http404(f"No {export_format!r} export")


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
