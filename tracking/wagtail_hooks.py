"""Wagtail admin wiring for tracking: assignments, and the compliance reports."""

from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.admin_menu import reports_register

from .admin_views import (
    REPORTS_PERMISSION,
    CompletionReportView,
    ExpiringReportView,
    OverdueReportView,
)
from .models import Assignment

REPORTS = [
    ("completion", "Completion by team and module", CompletionReportView, "tasks", 1300),
    ("overdue", "Overdue training", OverdueReportView, "warning", 1301),
    ("expiring", "Certificates expiring soon", ExpiringReportView, "time", 1302),
]


class AssignmentViewSet(SnippetViewSet):
    model = Assignment
    # The admin URLs from when assignments lived in lms, kept so that links and bookmarks work.
    url_prefix = "snippets/lms/assignment"
    url_namespace = "wagtailsnippets_lms_assignment"
    icon = "date"
    menu_label = "Assignments"
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["module", "audience", "team", "person", "due_on", "due_within_days", "reason"]
    list_filter = ["audience", "reason"]
    panels = [
        PageChooserPanel("module", page_type="modules.ModulePage"),
        FieldPanel("audience"),
        FieldPanel("team"),
        FieldPanel("person"),
        FieldPanel("due_on"),
        FieldPanel("due_within_days"),
        FieldPanel("assigned_on"),
    ]


register_snippet(AssignmentViewSet)


reports_register(reports=REPORTS, url_prefix="lms_report", permission=REPORTS_PERMISSION)
