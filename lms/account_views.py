"""The Content admin's door: everyone signs in through the one login (with its throttling, single
sign-on and two-factor authentication), never through a second, weaker form."""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def admin_login(request):
    if request.user.is_authenticated:
        # Signed in but without admin access: the admin does not exist for them.
        raise Http404
    return redirect_to_login(request.GET.get("next") or "/admin/")
