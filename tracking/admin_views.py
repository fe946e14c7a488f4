"""The compliance reports in Wagtail's Reports menu."""

from lms.admin_views import RowsReportView, report_columns

from .reports import completion_by_team_and_module, expiring_list, overdue_list

REPORTS_PERMISSION = "people.view_compliance_reports"


class ComplianceReportView(RowsReportView):
    """Organisation-wide lists, for L&D authors and auditors."""

    permission = REPORTS_PERMISSION


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
    columns = report_columns(list_export, export_headings)

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
    columns = report_columns(list_export, export_headings)

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
    columns = report_columns(list_export, export_headings)

    def rows(self):
        return expiring_list()
