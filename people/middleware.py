"""Holds a password sign-in that needs two-factor authentication on the enrolment page."""

from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from .mfa import mfa_enrolment_needed

# What someone who must enrol may still reach: the explanation, allauth's set-up of an
# authenticator app and of recovery codes (with the password check it may ask for first), and
# signing out. Static files are served before this middleware runs.
ENROLMENT_URL_NAMES = {
    "mfa_required",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_generate_recovery_codes",
    "account_reauthenticate",
    "logout",
    "account_logout",
}


class MfaEnrolmentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not _is_enrolment_page(request)
            and mfa_enrolment_needed(request=request, user=user)
        ):
            return redirect("mfa_required")
        return self.get_response(request)


def _is_enrolment_page(request):
    try:
        return resolve(request.path_info).url_name in ENROLMENT_URL_NAMES
    except Resolver404:
        return False
