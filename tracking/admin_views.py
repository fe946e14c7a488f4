"""The compliance reports in Wagtail's Reports menu."""

from lms.admin_views import RowsReportView, report_columns
from people.admin_views import REPORTS_PERMISSION
from people.filters import TeamFilters, chosen_team_people
from quizzes.selectors import clause_misses

from .insight import (
    CLAUSE_HEADERS,
    COMPLIANCE_HEADERS,
    clause_chart,
    clause_table,
    compliance_by_month,
    compliance_chart,
    compliance_table,
    organisation_people,
)
from .reports import completion_by_team_and_module, expiring_list, overdue_lines, overdue_list


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

    def export_rows(self):
        return overdue_lines()


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


def _rows_of(fields, table):
    return [dict(zip(fields, cells, strict=True)) for cells in table]


COMPLIANCE_FIELDS = ["month", "measured_on", "people", "assigned", "compliant", "percent"]


class ComplianceOverTimeReportView(ComplianceReportView):
    """The organisation's compliance at the end of each of the last twelve months
    (``tracking.insight``), for auditors and L&D: a chart and the table it draws."""

    page_title = "Compliance over time"
    header_icon = "date"
    index_url_name = "lms_report_compliance-over-time"
    index_results_url_name = "lms_report_compliance-over-time_results"
    export_filename = "compliance-over-time"
    export_headings = dict(zip(COMPLIANCE_FIELDS, COMPLIANCE_HEADERS, strict=True))
    list_export = COMPLIANCE_FIELDS
    columns = report_columns(list_export, export_headings)

    filterset_class = TeamFilters
    small_numbers = True

    def rows(self):
        team_people = chosen_team_people(filters=self.filters, people=organisation_people())
        # Narrowed to a team, the small-numbers rule holds (lms.small_numbers).
        self.protect = team_people is not None
        self.months = compliance_by_month(
            people=organisation_people() if team_people is None else team_people
        )
        return _rows_of(
            COMPLIANCE_FIELDS,
            compliance_table(months=self.months, protect=self.protect),
        )

    def chart(self, rows):
        return compliance_chart(
            months=self.months,
            protect=self.protect,
            whose="the team" if self.protect else "the organisation",
        )


CLAUSE_FIELDS = [
    "document",
    "clause",
    "heading",
    "asked",
    "missed",
    "share_missed",
    "trend",
    "questions",
]


class MostMissedClausesReportView(ComplianceReportView):
    """The policy clauses whose questions the organisation gets wrong most often over the last
    twelve months, with the questions behind each and the trend by month: figures only, never
    who answered what."""

    page_title = "Most-missed policy clauses"
    header_icon = "warning"
    index_url_name = "lms_report_most-missed-clauses"
    index_results_url_name = "lms_report_most-missed-clauses_results"
    export_filename = "most-missed-clauses"
    export_headings = dict(zip(CLAUSE_FIELDS, CLAUSE_HEADERS, strict=True))
    list_export = CLAUSE_FIELDS
    columns = report_columns(list_export, export_headings)

    filterset_class = TeamFilters
    small_numbers = True

    def rows(self):
        team_people = chosen_team_people(filters=self.filters, people=organisation_people())
        # Narrowed to a team, the small-numbers rule holds (lms.small_numbers): count people.
        self.protect = team_people is not None
        self.clauses = clause_misses(people=team_people, count_people=self.protect)
        return _rows_of(CLAUSE_FIELDS, clause_table(clauses=self.clauses, protect=self.protect))

    def chart(self, rows):
        return clause_chart(
            clauses=self.clauses,
            protect=self.protect,
            whose="the team" if self.protect else "the organisation",
        )
