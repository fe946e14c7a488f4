"""Wagtail admin wiring of the shell: the failed background tasks and unsent xAPI statements
reports, documents, and the admin's accessibility fixes."""

from django.contrib.auth.views import redirect_to_login
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html

from wagtail import hooks

from .admin_menu import SuperuserMenuItem
from .admin_views import FailedTasksReportView, XapiStatementsReportView


@hooks.register("register_admin_urls")
def register_failed_tasks_urls():
    return [
        path(
            "reports/failed-tasks/",
            FailedTasksReportView.as_view(),
            name="lms_report_failed-tasks",
        ),
        path(
            "reports/failed-tasks/results/",
            FailedTasksReportView.as_view(results_only=True),
            name="lms_report_failed-tasks_results",
        ),
        path(
            "reports/xapi-statements/",
            XapiStatementsReportView.as_view(),
            name="lms_report_xapi-statements",
        ),
        path(
            "reports/xapi-statements/results/",
            XapiStatementsReportView.as_view(results_only=True),
            name="lms_report_xapi-statements_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_failed_tasks_menu_item():
    return SuperuserMenuItem(
        "Failed background tasks",
        reverse("lms_report_failed-tasks"),
        name="lms-failed-tasks",
        icon_name="warning",
        order=1390,
    )


@hooks.register("register_reports_menu_item")
def register_xapi_statements_menu_item():
    return SuperuserMenuItem(
        "xAPI statements not yet sent",
        reverse("lms_report_xapi-statements"),
        name="lms-xapi-statements",
        icon_name="warning",
        order=1391,
    )


@hooks.register("before_serve_document")
def documents_for_signed_in_people_only(document, request):
    """Documents are internal guidance: Wagtail serves them to anyone with the link unless told."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


@hooks.register("insert_global_admin_css")
def admin_accessibility_css():
    """Status messages shown at once, at full contrast (see lms/static/lms/admin.css)."""
    return format_html('<link rel="stylesheet" href="{}">', static("lms/admin.css"))


@hooks.register("insert_global_admin_js")
def admin_accessibility_js():
    """Rich-text editors named by their field's label (see lms/static/lms/admin.js). A file, not
    inline script, so it needs nothing from a Content-Security-Policy but script-src 'self'."""
    return format_html('<script src="{}" defer></script>', static("lms/admin.js"))
