from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.certificate_check_file, name="check_file"),
    path("verify/badge/", views.badge_check, name="badge_check"),
    path("verify/<str:code>/", views.certificate_verify, name="verify"),
    path("badges/issuer/", views.badge_issuer, name="badge_issuer"),
    path("badges/issuer/jwks.json", views.badge_jwks_view, name="badge_jwks"),
    path("badges/status/<str:purpose>/", views.badge_status_list, name="badge_status_list"),
    path("audit/", views.auditor_certificate_list, name="auditor_list"),
    path(
        "audit/export.<str:export_format>", views.auditor_certificate_export, name="auditor_export"
    ),
    path("audit/certificates.zip", views.auditor_certificate_zip, name="auditor_zip"),
    path("audit/<str:serial>/revoke/", views.auditor_certificate_revoke, name="auditor_revoke"),
    path("<str:serial>/download/", views.certificate_download, name="download"),
    path("<str:serial>/badge/", views.certificate_badge_download, name="badge_download"),
]
