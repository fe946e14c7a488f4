from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("team/", views.team_dashboard, name="team_dashboard"),
    path("team/<int:person_id>/", views.team_member, name="team_member"),
    path("quizzes/", include("quizzes.urls")),
    path("certificates/", include("certificates.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="lms/accessibility_statement.html"),
        name="accessibility_statement",
    ),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves the module pages; its site root is the module catalogue at /learn/.
urlpatterns += [path("learn/", include(wagtail_urls))]
