from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("verify/<str:code>/", views.certificate_verify, name="verify"),
    path("audit/", views.auditor_certificate_list, name="auditor_list"),
    path("<str:serial>/download/", views.certificate_download, name="download"),
]
