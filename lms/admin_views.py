"""Wagtail admin screens of the lms app: the HR import, the compliance reports and failed background tasks."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from .background import tasks_failed_for_good
from .forms import PeopleImportForm
from .reports import completion_by_team_and_module, expiring_list, overdue_list
from .services import PeopleImportError, people_import

IMPORT_PERMISSION = "lms.import_people"
REPORTS_PERMISSION = "lms.view_compliance_reports"


class PeopleImportView(WagtailAdminTemplateMixin, FormView):
    """Upload an HR file. Every problem is listed with its line; a bad file saves nothing."""

    page_title = "Import people"
    header_icon = "group"
    template_name = "lms/admin/people_import.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return PeopleImportForm(
            **self.get_form_kwargs(), max_bytes=settings.LMS_HR_IMPORT_MAX_BYTES
        )

    def form_valid(self, form):
        try:
            result = people_import(data=form.cleaned_data["file"].read(), by=self.request.user)
        except PeopleImportError as error:
            return self.render_to_response(
                self.get_context_data(form=form, import_errors=error.errors)
            )
        messages.success(
            self.request,
            f"People imported: {result.created} new, {result.updated} updated, {result.left} marked as left.",
        )
        return redirect(reverse("lms_people_import"))


def _columns(fields, headings):
    return [Column(name, label=headings[name]) for name in fields]


class ComplianceReportView(ReportView):
    """Organisation-wide lists from in-memory rows; Wagtail's export buttons give CSV and XLSX."""

    header_icon = "tasks"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REPORTS_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"{self.export_filename}-{timezone.localdate():%Y-%m-%d}"

    def get_queryset(self):
        return self.rows()

    def filter_queryset(self, queryset):
        return queryset


class CompletionReportView(ComplianceReportView):
    page_title = "Completion by team and module"
    index_url_name = "lms_report_completion"
    index_results_url_name = "lms_report_completion_results"
    export_filename = "completion-by-team-and-module"
    list_export = [
        "team",
        "module",
        "assigned",
        "compliant",
        "percent_compliant",
        "overdue",
        "expiring_soon",
    ]
    export_headings = {
        "team": "Team",
        "module": "Module",
        "assigned": "Assigned",
        "compliant": "Compliant",
        "percent_compliant": "Compliant (%)",
        "overdue": "Overdue or expired",
        "expiring_soon": "Expiring soon",
    }
    columns = _columns(list_export, export_headings)

    def rows(self):
        return completion_by_team_and_module()


PERSON_LINE_FIELDS = {
    "name": "Name",
    "employee_number": "Employee number",
    "team": "Team",
    "line_manager": "Line manager",
    "module": "Module",
    "status": "Status",
    "due_on": "Due",
    "valid_until": "Valid until",
}


class OverdueReportView(ComplianceReportView):
    page_title = "Overdue training"
    index_url_name = "lms_report_overdue"
    index_results_url_name = "lms_report_overdue_results"
    export_filename = "overdue-training"
    export_headings = {**PERSON_LINE_FIELDS, "days": "Days overdue"}
    list_export = [
        "name",
        "employee_number",
        "team",
        "line_manager",
        "module",
        "status",
        "due_on",
        "days",
    ]
    columns = _columns(list_export, export_headings)

    def rows(self):
        return overdue_list()


class ExpiringReportView(ComplianceReportView):
    page_title = "Certificates expiring soon"
    index_url_name = "lms_report_expiring"
    index_results_url_name = "lms_report_expiring_results"
    export_filename = "expiring-certificates"
    export_headings = {**PERSON_LINE_FIELDS, "days": "Days left"}
    list_export = [
        "name",
        "employee_number",
        "team",
        "line_manager",
        "module",
        "valid_until",
        "days",
    ]
    columns = _columns(list_export, export_headings)

    def rows(self):
        return expiring_list()


class FailedTasksReportView(ComplianceReportView):
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
    columns = _columns(list_export, export_headings)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super(ComplianceReportView, self).dispatch(request, *args, **kwargs)

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
