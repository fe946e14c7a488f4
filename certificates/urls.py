from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/", views.certificate_check_file, name="check_file"),
    path("verify/<str:code>/", views.certificate_verify, name="verify"),
    path("audit/", views.auditor_certificate_list, name="auditor_list"),
    path(
        "audit/export.<str:export_format>", views.auditor_certificate_export, name="auditor_export"
    ),
    path("audit/certificates.zip", views.auditor_certificate_zip, name="auditor_zip"),
    path("audit/<str:serial>/revoke/", views.auditor_certificate_revoke, name="auditor_revoke"),
    path("<str:serial>/download/", views.certificate_download, name="download"),
]
