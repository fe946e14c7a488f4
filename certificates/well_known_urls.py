"""Under ``/.well-known/``: the key set Open Badges are signed with (the same as
``certificates/badges/issuer/jwks.json``), where JOSE verifiers look first."""

from django.urls import path

from . import views

urlpatterns = [path("jwks.json", views.badge_jwks_view, name="well_known_jwks")]
