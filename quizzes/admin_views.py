"""The policy coverage report in Wagtail's Reports menu: which module steps and quiz questions
cite each clause, so authors see the rules nothing teaches or tests."""

from lms.admin_views import RowsReportView, report_columns

from .selectors import clause_coverage

# The permission the other compliance reports use (held by L&D authors and auditors); named here
# because the reports in tracking sit in a layer above this app.
REPORTS_PERMISSION = "people.view_compliance_reports"


class ClauseCoverageReportView(RowsReportView):
    page_title = "Policy clause coverage"
    header_icon = "doc-full"
    permission = REPORTS_PERMISSION
    index_url_name = "quizzes_report_clause-coverage"
    index_results_url_name = "quizzes_report_clause-coverage_results"
    export_filename = "policy-clause-coverage"
    export_headings = {
        "document": "Policy document",
        "reference": "Clause",
        "where": "Where learners are told to find it",
        "heading": "Heading",
        "clause_version": "Clause version",
        "coverage": "Coverage",
        "step_count": "Module steps",
        "question_count": "Questions",
        "steps": "Module steps citing it",
        "questions": "Questions citing it",
    }
    list_export = list(export_headings)
    columns = report_columns(
        ["document", "reference", "where", "coverage", "step_count", "question_count"],
        export_headings,
    )

    def rows(self):
        return clause_coverage()
