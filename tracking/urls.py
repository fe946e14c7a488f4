from django.urls import path

from . import privacy_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team_dashboard, name="team_dashboard"),
    path("team/insight/", views.team_insight, name="team_insight"),
    path("team/<int:person_id>/", views.team_member, name="team_member"),
    path("my-data/", privacy_views.my_data, name="my_data"),
    path("my-data/download/", privacy_views.my_data_download, name="my_data_download"),
]
