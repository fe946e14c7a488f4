from django.urls import path

from . import audit_views, preview_views, views

app_name = "quizzes"

urlpatterns = [
    path("<int:quiz_id>/start/", views.quiz_start, name="start"),
    path("<int:quiz_id>/preview/", preview_views.quiz_preview, name="preview"),
    path("attempts/<int:attempt_id>/", views.attempt_detail, name="attempt"),
    path("audit/", audit_views.audit_quiz_list, name="audit_quiz_list"),
    path("audit/<int:quiz_id>/", audit_views.audit_quiz_attempts, name="audit_quiz_attempts"),
    path(
        "audit/<int:quiz_id>/attempts.csv",
        audit_views.audit_quiz_attempts_csv,
        name="audit_quiz_attempts_csv",
    ),
    path(
        "audit/attempts/<int:attempt_id>.csv",
        audit_views.audit_attempt_csv,
        name="audit_attempt_csv",
    ),
    path(
        "audit/attempts/<int:attempt_id>.pdf",
        audit_views.audit_attempt_pdf,
        name="audit_attempt_pdf",
    ),
]
