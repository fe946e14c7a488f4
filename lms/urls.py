import re

from allauth.account import views as account_views

from django.conf import settings
from django.urls import include, path
from django.views.generic import TemplateView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from people import account_views as people_account_views

from . import audit_views, views

# The project's root URLconf sits above every app (docs/architecture.md): it may point at any.
urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    # The key Open Badges are signed with, where JOSE verifiers look first.
    path(".well-known/", include("certificates.well_known_urls")),
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    # Before allauth's own: e-mail addresses come from the organisation, never from the user.
    path("accounts/email/", people_account_views.email_managed, name="account_email"),
    path(
        "accounts/two-factor/required/",
        people_account_views.mfa_required,
        name="mfa_required",
    ),
    path("accounts/", include("allauth.urls")),
    path("audit/", audit_views.audit_trail, name="audit_trail"),
    path("api/v1/", include("api.urls")),
    path("quizzes/", include("quizzes.urls")),
    path("certificates/", include("certificates.urls")),
    path("admin/login/", people_account_views.admin_login, name="admin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="lms/accessibility_statement.html"),
        name="accessibility_statement",
    ),
    path("documents/", include(wagtaildocs_urls)),
    # My learning (the home page), the manager's team pages and my data.
    path("", include("tracking.urls")),
]

if getattr(settings, "SERVE_MEDIA", settings.DEBUG):
    # Development and the demo only: production keeps media in object storage.
    from django.urls import re_path
    from django.views.static import serve

    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns += [
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]

# Wagtail serves the module pages; its site root is the module catalogue at /learn/. Page URLs
# go through modules.views.page_serve first (Wagtail's serve, with the routes of module pages
# cached); Wagtail's own patterns stay for its other views and for reversing page URLs.
urlpatterns += [path("learn/", include("modules.urls")), path("learn/", include(wagtail_urls))]
