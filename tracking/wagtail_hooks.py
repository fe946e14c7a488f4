"""Wagtail admin wiring for tracking: assignments, and the compliance reports."""

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.admin_menu import reports_register
from lms.audit import ASSIGNMENT_CREATED, ASSIGNMENT_DELETED, ASSIGNMENT_EDITED, audit_record
from people.choosers import PERSON_CHOOSER_HOOK, TEAM_CHOOSER_HOOK

from .admin_views import (
    REPORTS_PERMISSION,
    CompletionReportView,
    ComplianceOverTimeReportView,
    ExpiringReportView,
    MostMissedClausesReportView,
    OverdueReportView,
)
from .models import Assignment
from .reports import module_publish_effect

REPORTS = [
    ("completion", "Completion by team and module", CompletionReportView, "tasks", 1300),
    ("overdue", "Overdue training", OverdueReportView, "warning", 1301),
    ("expiring", "Certificates expiring soon", ExpiringReportView, "time", 1302),
    ("compliance-over-time", "Compliance over time", ComplianceOverTimeReportView, "date", 1303),
    (
        "most-missed-clauses",
        "Most-missed policy clauses",
        MostMissedClausesReportView,
        "warning",
        1304,
    ),
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


@hooks.register(TEAM_CHOOSER_HOOK)
@hooks.register(PERSON_CHOOSER_HOOK)
def assignment_editors_choose(user):
    """The assignment form picks its team or person with the people app's choosers."""
    return user.has_perm("tracking.add_assignment") or user.has_perm("tracking.change_assignment")


reports_register(reports=REPORTS, url_prefix="lms_report", permission=REPORTS_PERMISSION)


def _assignment_data(assignment):
    return {
        "module_id": assignment.module_id,
        "audience": assignment.audience,
        "team_id": assignment.team_id,
        "person_id": assignment.person_id,
        "due_on": assignment.due_on.isoformat() if assignment.due_on else None,
        "due_within_days": assignment.due_within_days,
    }


def _assignment_saved(action, wording):
    def audit(request, instance):
        if isinstance(instance, Assignment):
            audit_record(
                action=action,
                summary=f"Assignment {wording}: {instance}",
                target=instance,
                subject=instance.person,
                data=_assignment_data(instance),
                request=request,
            )

    return audit


hooks.register("after_create_snippet", _assignment_saved(ASSIGNMENT_CREATED, "created"))
hooks.register("after_edit_snippet", _assignment_saved(ASSIGNMENT_EDITED, "changed"))


@hooks.register("after_delete_snippet")
def audit_assignments_deleted(request, instances):
    """One event per assignment, deleted one at a time or in bulk. The object is gone, so the
    event keeps its id and what it said."""
    for instance in instances:
        if isinstance(instance, Assignment):
            audit_record(
                action=ASSIGNMENT_DELETED,
                summary=f"Assignment deleted: {instance}",
                subject=instance.person,
                data={"assignment_id": instance.pk, **_assignment_data(instance)},
                request=request,
            )


@hooks.register("module_publish_effect")
def module_publish_effect_sentences(module):
    """modules.publishing asks what publishing a module does: the review screen shows it."""
    return [module_publish_effect(module=module).sentence()]
