"""Who may see what. Views ask these; a page someone may not see is a 404, exactly like a
page that does not exist, so that nobody learns what exists by probing."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

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
