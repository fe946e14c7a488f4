"""Wagtail admin wiring for people and tracking: assignments, the HR import and compliance reports."""

from django.contrib.auth.views import redirect_to_login
from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import (
    IMPORT_PERMISSION,
    REPORTS_PERMISSION,
    CompletionReportView,
    ExpiringReportView,
    FailedTasksReportView,
    OverdueReportView,
    PeopleImportView,
)
from .audit import CONTENT_PUBLISHED, ROLES_CHANGED, audit_record
from .models import Assignment

REPORTS = [
    ("completion", "Completion by team and module", CompletionReportView, "tasks"),
    ("overdue", "Overdue training", OverdueReportView, "warning"),
    ("expiring", "Certificates expiring soon", ExpiringReportView, "time"),
]
SUPERUSER_REPORTS = [("failed-tasks", "Failed background tasks", FailedTasksReportView, "warning")]


class AssignmentViewSet(SnippetViewSet):
    model = Assignment
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


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_urls")
def register_tracking_urls():
    urls = [path("people/import/", PeopleImportView.as_view(), name="lms_people_import")]
    for slug, _title, view, _icon in REPORTS + SUPERUSER_REPORTS:
        urls += [
            path(f"reports/{slug}/", view.as_view(), name=f"lms_report_{slug}"),
            path(
                f"reports/{slug}/results/",
                view.as_view(results_only=True),
                name=f"lms_report_{slug}_results",
            ),
        ]
    return urls


@hooks.register("register_admin_menu_item")
def register_people_import_menu_item():
    return PermissionMenuItem(
        "Import people",
        reverse("lms_people_import"),
        icon_name="group",
        order=260,
        permission=IMPORT_PERMISSION,
    )


def _report_menu_item(slug, title, icon, order):
    return lambda: PermissionMenuItem(
        title,
        reverse(f"lms_report_{slug}"),
        name=f"lms-{slug}",
        icon_name=icon,
        order=order,
        permission=REPORTS_PERMISSION,
    )


for number, (slug, title, _view, icon) in enumerate(REPORTS):
    hooks.register(
        "register_reports_menu_item", _report_menu_item(slug, title, icon, 1300 + number)
    )


class SuperuserMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_reports_menu_item")
def register_failed_tasks_menu_item():
    return SuperuserMenuItem(
        "Failed background tasks",
        reverse("lms_report_failed-tasks"),
        name="lms-failed-tasks",
        icon_name="warning",
        order=1390,
    )


@hooks.register("after_publish_page")
def audit_page_published(request, page):
    audit_record(
        action=CONTENT_PUBLISHED,
        summary=f'Published page "{page.title}"',
        target=page,
        request=request,
    )


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def audit_policy_saved(request, instance):
    if instance._meta.app_label in {"modules", "quizzes"}:
        audit_record(
            action=CONTENT_PUBLISHED,
            summary=f'Saved {instance._meta.verbose_name} "{instance}"'[:500],
            target=instance,
            request=request,
        )


@hooks.register("after_create_user")
@hooks.register("after_edit_user")
def audit_user_roles(request, user):
    roles = sorted(user.groups.values_list("name", flat=True))
    audit_record(
        action=ROLES_CHANGED,
        summary=f"Roles of {user.get_username()} set to: {', '.join(roles) or 'none'}",
        target=user,
        data={"roles": roles, "is_superuser": user.is_superuser},
        request=request,
    )


@hooks.register("before_serve_document")
def documents_for_signed_in_people_only(document, request):
    """Documents are internal guidance: Wagtail serves them to anyone with the link unless told."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None
