"""Wagtail admin screens every app can build on: reports of in-memory rows, and the failed
background tasks report (the shell runs the task worker)."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from .background import tasks_failed_for_good
from .exports import table_csv_response
from .small_numbers import SUPPRESSED, SUPPRESSED_WHY
from .xapi import xapi_statements_needing_attention


def report_columns(fields, headings):
    return [Column(name, label=headings[name]) for name in fields]


class RowsReportView(ReportView):
    """A report of in-memory rows; Wagtail's export buttons give CSV and XLSX (through
    ``lms.exports``). ``permission`` names who may see it; without one, superusers only."""

    header_icon = "tasks"
    paginate_by = 100
    permission = None
    # True for a report that can be narrowed to a few people (lms.small_numbers): its rows are
    # dicts, and when one withholds a figure the page says why.
    small_numbers = False
    # Draws ``chart`` (an ``lms.charts.Chart``, or None) above the table of every page of it.
    results_template_name = "lms/rows_report_results.html"

    def dispatch(self, request, *args, **kwargs):
        allowed = (
            request.user.has_perm(self.permission) if self.permission else request.user.is_superuser
        )
        if not allowed:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"{self.export_filename}-{timezone.localdate():%Y-%m-%d}"

    def get_queryset(self):
        self.all_rows = self.rows()
        return self.all_rows

    def export_rows(self):
        """The rows a download writes: ``rows()``, unless a report can read them lazily (an
        iterator), so that a long export is written as it is read."""
        return self.rows()

    def get(self, request, *args, **kwargs):
        if self.is_export:
            # A download needs no page, count or chart: straight from the rows to the file.
            return self.as_spreadsheet(self.export_rows(), request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def to_row_dict(self, item):
        """As Wagtail's, without its general path lookup (a third of a long export's time): these
        rows are dicts or plain objects and ``list_export`` names their keys or attributes.
        What is callable is called, as Wagtail does."""
        row = {}
        for field in self.list_export:
            value = item[field] if isinstance(item, dict) else getattr(item, field)
            row[field] = value() if callable(value) else value
        return row

    def write_csv_response(self, queryset):
        """CSV through ``lms.exports`` (its download headers and spreadsheet-safe cells),
        streamed as the rows are read; each value prepared as Wagtail's own CSV export prepares
        it (``get_preprocess_function``), the function looked up once per column and type of
        value rather than once per cell, which cost more than the report's own query."""
        functions = {}

        def prepared(field, value):
            key = (field, type(value))
            if key not in functions:
                functions[key] = self.get_preprocess_function(field, value, self.FORMAT_CSV)
            function = functions[key]
            return value if function is None else function(value)

        return table_csv_response(
            filename=self.get_filename(),
            headers=[self.get_heading(queryset, field) for field in self.list_export],
            rows=(
                [prepared(field, value) for field, value in self.to_row_dict(item).items()]
                for item in queryset
            ),
            stream=True,
        )

    def chart(self, rows):
        """A chart of the same figures as the table (every row, not the page), or None."""
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.is_export:
            context["chart"] = self.chart(self.all_rows)
            # A figure withheld by the small-numbers rule says so in its cell; why is said once,
            # above the figures, as the manager's insight page says it.
            if self.small_numbers and any(SUPPRESSED in row.values() for row in self.all_rows):
                context["suppressed_why"] = SUPPRESSED_WHY
        return context

    def filter_queryset(self, queryset):
        return queryset


class FailedTasksReportView(RowsReportView):
    """Background tasks that failed for good (out of attempts, or not retryable): a certificate
    that never came, a reminder never sent. Superusers only: an error may quote personal details."""

    page_title = "Failed background tasks"
    header_icon = "warning"
    index_url_name = "lms_report_failed-tasks"
    index_results_url_name = "lms_report_failed-tasks_results"
    export_filename = "failed-background-tasks"
    export_headings = {
        "finished_at": "Failed at",
        "task": "Task",
        "arguments": "Arguments",
        "attempts": "Attempts",
        "error": "Last error",
        "id": "Task id",
    }
    list_export = ["finished_at", "task", "arguments", "attempts", "error", "id"]
    columns = report_columns(list_export, export_headings)

    def rows(self):
        return [
            {
                "finished_at": timezone.localtime(db_result.finished_at)
                if db_result.finished_at
                else None,
                "task": db_result.task_name,
                "arguments": ", ".join(
                    f"{key}={value}"
                    for key, value in db_result.args_kwargs.get("kwargs", {}).items()
                ),
                "attempts": len(db_result.worker_ids),
                "error": (
                    db_result.traceback.strip().splitlines() or [db_result.exception_class_path]
                )[-1],
                "id": str(db_result.pk),
            }
            for db_result in tasks_failed_for_good()
        ]


class XapiStatementsReportView(RowsReportView):
    """xAPI statements the learning record store does not hold yet: waiting (the LRS is down or
    refuses the login; they are retried, and `manage.py send_xapi` catches up) or refused (a
    person must look: `send_xapi --requeue ID` once fixed). Superusers only, like failed tasks."""

    page_title = "xAPI statements not yet in the LRS"
    header_icon = "warning"
    index_url_name = "lms_report_xapi-statements"
    index_results_url_name = "lms_report_xapi-statements_results"
    export_filename = "xapi-statements-not-sent"
    export_headings = {
        "created_at": "Recorded at",
        "state": "State",
        "verb": "Verb",
        "tries": "Tries",
        "last_tried_at": "Last tried",
        "error": "Last error",
        "statement_id": "Statement id",
        "id": "Row id",
    }
    list_export = [
        "created_at",
        "state",
        "verb",
        "tries",
        "last_tried_at",
        "error",
        "statement_id",
        "id",
    ]
    columns = report_columns(list_export, export_headings)

    def rows(self):
        return [
            {
                "created_at": timezone.localtime(row.created_at),
                "state": row.get_state_display(),
                "verb": row.verb,
                "tries": row.tries,
                "last_tried_at": timezone.localtime(row.last_tried_at)
                if row.last_tried_at
                else None,
                "error": row.last_error,
                "statement_id": str(row.statement_id),
                "id": row.pk,
            }
            for row in xapi_statements_needing_attention()[:5000]
        ]
