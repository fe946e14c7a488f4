"""Two-factor authentication is required of the people who can change or read the record at large
(superusers and the roles in LMS_MFA_REQUIRED_ROLES) when they sign in with a password. People who
sign in through the organisation's identity provider follow its policy instead.

The test is on how *this session* was signed in, as allauth records it: a session without a
password step (single sign-on, or a test's ``force_login``, which goes through no sign-in at all)
is never held back, because nothing about it says a password was the only proof."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter

from django.conf import settings


def mfa_required_for(*, user):
    """Whether ``user`` must have an authenticator app to use the platform after a password sign-in."""
    if user.is_superuser and settings.LMS_MFA_REQUIRED_FOR_SUPERUSERS:
        return True
    required = settings.LMS_MFA_REQUIRED_ROLES
    return bool(required) and user.groups.filter(name__in=required).exists()


def signed_in_with_password(*, request, user):
    methods = {record.get("method") for record in get_authentication_records(request, user)}
    return "password" in methods and "socialaccount" not in methods


def mfa_enrolment_needed(*, request, user):
    """A password sign-in by someone who must use two factors and has no authenticator app yet."""
    from allauth.mfa.utils import is_mfa_enabled

    return (
        signed_in_with_password(request=request, user=user)
        and mfa_required_for(user=user)
        and not is_mfa_enabled(user, types=["totp"])
    )


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        """Someone who must use two factors cannot switch their only app off (they may still set
        up a new one by generating new recovery codes or through an administrator)."""
        if authenticator.type == authenticator.Type.TOTP and mfa_required_for(
            user=authenticator.user
        ):
            return False
        return super().can_delete_authenticator(authenticator)
