"""Wagtail admin wiring for people: the HR import, and the audit of role changes."""

from django.urls import path, reverse

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.admin_menu import PermissionMenuItem
from lms.audit import ROLES_CHANGED, audit_record

from .admin_views import IMPORT_PERMISSION, PeopleImportView
from .choosers import person_chooser_viewset, team_chooser_viewset
from .models import Organisation


class OrganisationViewSet(SnippetViewSet):
    """The organisations policy documents apply to; people get theirs from the HR import."""

    model = Organisation
    icon = "site"
    menu_label = "Organisations"
    add_to_admin_menu = True
    menu_order = 255
    list_display = ["name", "code"]
    panels = [FieldPanel("name"), FieldPanel("code")]


register_snippet(OrganisationViewSet)


@hooks.register("register_admin_viewset")
def register_choosers():
    return [team_chooser_viewset, person_chooser_viewset]


@hooks.register("register_admin_urls")
def register_people_import_url():
    return [path("people/import/", PeopleImportView.as_view(), name="lms_people_import")]


@hooks.register("register_admin_menu_item")
def register_people_import_menu_item():
    return PermissionMenuItem(
        "Import people",
        reverse("lms_people_import"),
        icon_name="group",
        order=260,
        permission=IMPORT_PERMISSION,
    )


@hooks.register("after_create_user")
@hooks.register("after_edit_user")
def audit_user_roles(request, user):
    roles = sorted(user.groups.values_list("name", flat=True))
    audit_record(
        action=ROLES_CHANGED,
        summary=f"Roles of {user.get_username()} set to: {', '.join(roles) or 'none'}",
        target=user,
        data={"roles": roles, "is_superuser": user.is_superuser},
        request=request,
    )


@hooks.register("after_bulk_action")
def audit_roles_assigned_in_bulk(request, action_type, objects, action_class_instance):
    """The users listing's bulk "Assign role" adds a group without the edit form's hook."""
    if action_type == "assign_role":
        for user in objects:
            audit_user_roles(request, user)
