from django.conf import settings

from .access import is_auditor, is_line_manager


def organisation(request):
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "organisation_name": settings.ORGANISATION_NAME,
        "local_passwords_enabled": settings.LOCAL_PASSWORD_LOGIN,
        "nav_is_manager": signed_in and is_line_manager(user),
        "nav_is_auditor": signed_in and is_auditor(user),
    }
