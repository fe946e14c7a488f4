"""Who may see what. Views ask these; a page someone may not see is a 404, exactly like a
page that does not exist, so that nobody learns what exists by probing."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from wagtail.permission_policies import ModelPermissionPolicy

from . import roles


def current_person(request):
    """The logged-in user's person record; accounts without one (e.g. a bare admin) get a 404."""
    try:
        return request.user.person
    except (AttributeError, ObjectDoesNotExist) as error:
        raise Http404("No learner record for this account.") from error


def has_role(user, role):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Groups are cached per request on the user object so templates and views can ask freely.
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return role in user._role_names


def is_auditor(user):
    return has_role(user, roles.AUDITORS)


def is_line_manager(user):
    return has_role(user, roles.LINE_MANAGERS)


def require_role(user, role):
    if not has_role(user, role):
        raise Http404


def live_content_delete_refusal(*, instance, user):
    """Why ``user`` may not delete ``instance``, or None. Deleting content that learners are
    taught or asked now (live) takes it away from them without a review, so, as Wagtail rules
    for live pages, it needs the right to publish that content, which no author or reviewer
    holds (``lms.roles``): only an administrator may. Drafts never published, or taken offline
    (unpublished), may be deleted by whoever may delete them. (A quiz's question editor never
    deletes a published question: it withdraws it in a draft, through review.)"""
    if not getattr(instance, "live", False):
        return None
    if ModelPermissionPolicy(type(instance)).user_has_permission(user, "publish"):
        return None
    return (
        f"“{instance}” is published: deleting it would take it away from learners without a "
        "review, so only an administrator may. Edit it instead, and submit the change for review."
    )
