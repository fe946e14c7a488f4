"""The Content admin's door: everyone signs in through the one login (with its throttling, single
sign-on and two-factor authentication), never through a second, weaker form."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render


def admin_login(request):
    if request.user.is_authenticated:
        # Signed in but without admin access: the admin does not exist for them.
        raise Http404
    return redirect_to_login(request.GET.get("next") or "/admin/")


@login_required
def email_managed(request):
    """Stands in for allauth's e-mail management page. An address a person sets for themselves
    could otherwise claim someone else's HR record or single sign-on; addresses come only from
    the organisation, so nothing here changes them."""
    refused = request.method == "POST"
    return render(
        request, "people/email_managed.html", {"refused": refused}, status=403 if refused else 200
    )


@login_required
def mfa_required(request):
    """Why a password sign-in is held here, and the way on: set up an authenticator app."""
    from allauth.mfa.utils import is_mfa_enabled

    from .mfa import mfa_required_for

    return render(
        request,
        "people/mfa_required.html",
        {
            "required": mfa_required_for(user=request.user),
            "enrolled": is_mfa_enabled(request.user, types=["totp"]),
        },
    )
