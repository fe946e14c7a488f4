"""Wagtail admin wiring of the shell: the failed background tasks and unsent xAPI statements
reports, documents, the admin's accessibility fixes, its avatars, and no deletion of live content by
someone who may not publish it."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme

from wagtail import hooks

from .access import live_content_delete_refusal
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


AVATAR_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" fill="#1d70b8"/>'
    '<text x="32" y="32" dy=".35em" text-anchor="middle" fill="#ffffff" '
    'font-family="Arial, sans-serif" font-size="26" font-weight="700">{initials}</text></svg>'
)


def avatar_initials(user):
    """Up to two letters: the first and last names' first letters, else the username's first.
    No user (an action of the system, or of an account since deleted) is a question mark."""
    if user is None:
        return "?"
    names = [name for name in (user.first_name, user.last_name) if name.strip()]
    letters = "".join(name.strip()[0] for name in names) or (user.get_username() or "?")[0]
    return letters.upper()[:2]


@hooks.register("get_avatar_url")
def avatar_of_initials(user, size):
    """Every avatar in the admin is the person's initials, drawn in the page itself: no picture
    is fetched from gravatar.com (WAGTAIL_GRAVATAR_PROVIDER_URL is off) nor from media storage,
    which production keeps private and does not serve, so none can fail to load."""
    svg = AVATAR_SVG.format(initials=escape(avatar_initials(user)))
    return "data:image/svg+xml," + quote(svg)


@hooks.register("before_create_page")
def page_not_created_by_autosave(request, parent_page, page_class):
    return _refused_if_autosave(request)


@hooks.register("before_create_snippet")
def snippet_not_created_by_autosave(request, model):
    return _refused_if_autosave(request)


def _refused_if_autosave(request):
    """The create forms do not autosave (templates/wagtailadmin/pages/create.html says why); an
    autosave from a form opened before that, or sent by hand, creates nothing either. Wagtail
    answers it with a JSON error; a form submitted by its author is an HTML request."""
    if request.method == "POST" and not request.accepts("text/html"):
        return HttpResponseBadRequest("Save the form to create it.")
    return None


@hooks.register("before_delete_snippet")
def live_content_not_deleted_without_review(request, instances):
    """The snippet delete view and the bulk delete action, asked or confirmed, refuse when any of
    ``instances`` is live content the user may not take away (``live_content_delete_refusal``):
    nothing is deleted, and the user is sent back to where they came from with the reason."""
    refusals = [
        refusal
        for instance in instances
        if (refusal := live_content_delete_refusal(instance=instance, user=request.user))
    ]
    if not refusals:
        return None
    for refusal in refusals:
        messages.error(request, refusal)
    back = (
        request.GET.get("next") or request.META.get("HTTP_REFERER") or reverse("wagtailadmin_home")
    )
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("wagtailadmin_home")
    return HttpResponseRedirect(back)
