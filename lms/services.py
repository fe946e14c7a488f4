"""Writes about people and roles."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from wagtail.models import GroupPagePermission

from modules.services import module_workflow_ensure, wagtail_root_ensure

from . import roles
from .models import Person, Team


def roles_sync():
    """Create the four role groups and give each exactly the permissions it needs. Idempotent.

    L&D authors are Wagtail editors of modules, quizzes and policies and nothing else; the other
    roles work in the front end and get no admin access."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ALL_ROLES}
    authors = groups[roles.AUTHORS]
    wanted = [Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")]
    for app_label, model_names in roles.AUTHOR_MODEL_PERMISSIONS.items():
        wanted += list(
            Permission.objects.filter(
                content_type__app_label=app_label,
                content_type__model__in=model_names,
                codename__regex=r"^(add|change|delete|view|choose|publish|lock|unlock)_",
            )
        )
    authors.permissions.set(wanted)
    root = wagtail_root_ensure()
    for codename in roles.AUTHOR_PAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{codename}_page")
        GroupPagePermission.objects.get_or_create(group=authors, page=root, permission=permission)
    # Authors review each other's modules before they go live.
    module_workflow_ensure()
    return groups


@transaction.atomic
def person_create(
    *, username, first_name, last_name, email, password=None, roles_held=(), line_manager=None, team=None,
    job_title="", employee_number=None, start_date=None,
):
    """Create an account and its person record together (never one without the other)."""
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, first_name=first_name, last_name=last_name
    )
    if roles_held:
        user.groups.set(Group.objects.filter(name__in=roles_held))
    return Person.objects.create(
        user=user,
        line_manager=line_manager,
        team=team,
        job_title=job_title,
        employee_number=employee_number,
        start_date=start_date,
    )


def team_get_or_create(*, name, parent=None):
    return Team.objects.get_or_create(name=name, defaults={"parent": parent})[0]
