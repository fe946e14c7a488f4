from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("<int:quiz_id>/start/", views.quiz_start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_detail, name="attempt"),
]
