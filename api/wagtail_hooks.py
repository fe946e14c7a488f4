"""Wagtail admin wiring for the API: the clients screen, under Settings, for administrators."""

from django.urls import path, reverse

from wagtail import hooks

from lms.admin_menu import SuperuserMenuItem

from .admin_views import ApiClientRevokeView, ApiClientsView


@hooks.register("register_admin_urls")
def register_api_client_urls():
    return [
        path("api-clients/", ApiClientsView.as_view(), name="api_clients"),
        path(
            "api-clients/<int:pk>/revoke/",
            ApiClientRevokeView.as_view(),
            name="api_client_revoke",
        ),
    ]


@hooks.register("register_settings_menu_item")
def register_api_clients_menu_item():
    return SuperuserMenuItem(
        "API clients", reverse("api_clients"), name="api-clients", icon_name="key", order=900
    )
