"""Reports in Wagtail's Reports menu for L&D authors and auditors: policy clause coverage (which
module steps and quiz questions cite each clause, so authors see the rules nothing teaches or
tests) and item analysis (how each question of a quiz performs; figures only, never who
answered what)."""

import django_filters

from django import forms

from lms.admin_views import RowsReportView, report_columns
from lms.charts import scatter_chart
from lms.small_numbers import SUPPRESSED, is_small
from people.admin_views import REPORTS_PERMISSION
from people.filters import TeamFilters, chosen_team_people
from people.models import Person

from .item_analysis import ItemStatistics
from .models import Quiz
from .selectors import (
    ATTEMPT_BASES,
    FIRST_ATTEMPTS,
    clause_coverage,
    quiz_item_analysis,
    quiz_item_people,
)


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
        "not_assessed_reason": "Why it is not assessed",
        "step_count": "Module steps",
        "question_count": "Questions",
        "steps": "Module steps citing it",
        "questions": "Questions citing it",
    }
    list_export = list(export_headings)
    columns = report_columns(
        [
            "document",
            "reference",
            "where",
            "coverage",
            "not_assessed_reason",
            "step_count",
            "question_count",
        ],
        export_headings,
    )

    def rows(self):
        return clause_coverage()


class ItemAnalysisFilters(TeamFilters):
    quiz = django_filters.ModelChoiceFilter(
        queryset=Quiz.objects.order_by("title"), label="Quiz", method="choose"
    )
    basis = django_filters.ChoiceFilter(
        choices=list(ATTEMPT_BASES.items()),
        label="Attempts",
        empty_label=None,
        widget=forms.RadioSelect,
        method="choose",
    )

    class Meta:
        model = Quiz  # django-filter wants a model; the choice picks the quiz, not rows of it
        fields = []


def _figure(value, places=1):
    return "Not defined" if value is None else round(value, places)


def _responses_text(row: ItemStatistics):
    return "; ".join(
        f"{count.item + ' – ' if count.item else ''}{count.response}: {count.count}"
        f"{' (key)' if count.keyed else ''}"
        for count in row.responses
    )


def _suppressed(row: ItemStatistics):
    return {
        "question_id": row.question_id,
        "question": row.text,
        "version": row.version or "All versions",
        "type": row.type.replace("_", " "),
        **dict.fromkeys(
            [
                "attempts",
                "facility",
                "standard_deviation",
                "discrimination",
                "efficiency",
                "flags",
                "responses",
            ],
            SUPPRESSED,
        ),
    }


class ItemAnalysisReportView(RowsReportView):
    """Moodle's question statistics for one quiz (``quizzes.item_analysis``): facility,
    spread, discrimination and efficiency, with how often each response was given."""

    permission = REPORTS_PERMISSION
    page_title = "Item analysis"
    header_icon = "tasks"
    index_url_name = "quizzes_report_item-analysis"
    index_results_url_name = "quizzes_report_item-analysis_results"
    export_filename = "item-analysis"
    filterset_class = ItemAnalysisFilters
    small_numbers = True
    export_headings = {
        "question_id": "Question id",
        "question": "Question",
        "version": "Version",
        "type": "Type",
        "attempts": "Attempts",
        "facility": "Facility index (%)",
        "standard_deviation": "Standard deviation (%)",
        "discrimination": "Discrimination index",
        "efficiency": "Discriminative efficiency (%)",
        "flags": "Flags",
        "responses": "Responses",
    }
    list_export = list(export_headings)
    columns = report_columns(list_export, export_headings)

    def choice(self):
        filters = self.filters
        if filters is None or not filters.is_valid():
            return None, FIRST_ATTEMPTS
        data = filters.form.cleaned_data
        return data.get("quiz"), data.get("basis") or FIRST_ATTEMPTS

    def rows(self):
        quiz, basis = self.choice()
        if quiz is None:
            self.statistics = []
            return []
        people = chosen_team_people(filters=self.filters, people=Person.objects.all())
        statistics = quiz_item_analysis(quiz=quiz, basis=basis, people=people)
        if people is not None:
            # Narrowed to a team, a question answered by fewer than SMALL_NUMBER people could
            # say how one of them did: its figures are not shown, nor drawn.
            counts = quiz_item_people(quiz=quiz, basis=basis, people=people)
            small = [
                is_small(counts.get((int(row.question_id), row.version), 0)) for row in statistics
            ]
        else:
            small = [False] * len(statistics)
        self.statistics = [row for row, hidden in zip(statistics, small, strict=True) if not hidden]
        return [
            _suppressed(row)
            if hidden
            else {
                "question_id": row.question_id,
                "question": row.text,
                "version": row.version or "All versions",
                "type": row.type.replace("_", " "),
                "attempts": row.attempts,
                "facility": _figure(row.facility),
                "standard_deviation": _figure(row.standard_deviation),
                "discrimination": _figure(row.discrimination, 2),
                "efficiency": _figure(row.efficiency),
                "flags": "; ".join(row.flags),
                "responses": _responses_text(row),
            }
            for row, hidden in zip(statistics, small, strict=True)
        ]

    def chart(self, rows):
        """Each question (all its versions together) as a point: facility across, discrimination
        up, labelled with its id as in the table."""
        if not self.statistics:
            return None
        multi = {row.question_id for row in self.statistics if row.version is None}
        questions = [
            row for row in self.statistics if row.version is None or row.question_id not in multi
        ]
        points = [
            (f"Q{row.question_id}", round(row.facility, 1), round(row.discrimination, 2))
            for row in questions
            if row.facility is not None and row.discrimination is not None
        ]
        left_out = len(questions) - len(points)
        description = (
            f"{len(points)} questions, each placed by its facility index (0 to 100 %, easier to "
            "the right) and its discrimination index (-1 to 1, better higher up); a question "
            "below 0.1 does not tell who knows the policy from who does not."
        )
        if left_out:
            description += (
                f" {left_out} question{'s' if left_out != 1 else ''} with no discrimination "
                "index (too few attempts, or everyone scored the same) are not placed."
            )
        return scatter_chart(
            title="Facility against discrimination, by question",
            description=description + " The table that follows gives every figure.",
            points=points,
            x_title="Facility index (%)",
            y_title="Discrimination index",
            x_range=(0, 100),
            y_range=(-1, 1),
        )
