"""Single sign-on with Microsoft Entra ID: accounts, people and roles from the identity provider.

No self-registration: an account comes from the HR import or from the organisation's own
identity provider. Roles follow the Entra groups named in ENTRA_GROUP_ROLES at every sign-in."""

import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal import ratelimit
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.shortcuts import render

from lms import roles
from lms.audit import ROLES_CHANGED, SIGN_IN_FAILED, SIGNED_IN, audit_record

from .models import Person
from .selectors import user_with_organisation_email
from .services import email_claims_release, email_from_organisation_set


class AccountAdapter(DefaultAccountAdapter):
    """Failed sign-ins are throttled in three ways, all with allauth's own rate limits
    (ACCOUNT_RATE_LIMITS, counted in the shared cache):

    - ``login_failed`` per account *and* address ("key"): a small limit, so guessing from one
      place stops quickly without locking the person out anywhere else; and per address, for
      guessing across many accounts from one place;
    - ``login_failed_account`` per account, from addresses the person has not signed in from
      lately. The person's usual addresses (the last LOGIN_USUAL_ADDRESSES they signed in from)
      are held back by the account-and-address limit only, so someone guessing from elsewhere
      cannot lock them out at their desk. The account limit is LOGIN_FAILURE_LIMIT less what the
      usual addresses may use, so an account never takes more than LOGIN_FAILURE_LIMIT failed
      attempts an hour (OWASP ASVS 2.2.1)."""

    def is_open_for_signup(self, request):
        return False

    def _account_key(self, request, **credentials):
        return super()._get_login_attempts_cache_key(request, **credentials)

    def _get_login_attempts_cache_key(self, request, **credentials):
        return f"{self._account_key(request, **credentials)} from {ratelimit.get_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        account = self._account_key(request, **credentials)
        if _address_hash(request) in cache.get(_usual_addresses_key(account), []):
            return
        usage = ratelimit.consume(
            request=request, app="allauth.account", action="login_failed_account", key=account
        )
        if not usage:
            raise self.validation_error("too_many_login_attempts")
        # A successful sign-in gives back what it used, of this limit too.
        self._login_failed_rl_usage.usage.extend(usage.usage)

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """After a password reset (proof of the mailbox), lift the limits on this account from
        this address and from elsewhere. allauth names the account by the e-mail address here;
        people sign in by username, so the account is found from the address."""
        user = user_with_organisation_email(email=credentials.get("email"))
        if user is None:
            return
        credentials = {"username": user.get_username()}
        super()._delete_login_attempts_cached_email(request, **credentials)
        ratelimit.clear(
            request=request,
            app="allauth.account",
            action="login_failed_account",
            key=self._account_key(request, **credentials),
        )

    def authentication_failed(self, request, **credentials):
        super().authentication_failed(request, **credentials)
        # The name tried is kept (it may be a mistyped name of no account); never the password.
        tried = str(credentials.get("username") or credentials.get("email") or "")[:150]
        audit_record(
            action=SIGN_IN_FAILED,
            summary=f"Sign-in failed for “{tried}”: wrong name or password",
            data={"username": tried, "step": "password"},
            request=request,
        )

    def login(self, request, user):
        super().login(request, user)
        methods = sorted({record["method"] for record in get_authentication_records(request, user)})
        audit_record(
            action=SIGNED_IN,
            summary=f"{user.get_username()} signed in ({', '.join(methods) or 'unknown method'})",
            actor=user,
            target=user,
            data={"methods": methods},
            request=request,
        )
        # Only a completed sign-in (after any two-factor step) makes an address usual.
        account = f"{get_current_site(request).domain}:{user.get_username().lower()}"
        key = _usual_addresses_key(account)
        address = _address_hash(request)
        usual = [address] + [known for known in cache.get(key, []) if known != address]
        cache.set(
            key,
            usual[: settings.LOGIN_USUAL_ADDRESSES],
            settings.LOGIN_USUAL_ADDRESS_DAYS * 24 * 3600,
        )


def _usual_addresses_key(account):
    return "lms:login:usual:" + hashlib.sha256(account.encode()).hexdigest()


def _address_hash(request):
    # Kept as a hash: the cache holds no one's addresses in the clear.
    return hashlib.sha256(
        f"{settings.SECRET_KEY}:{ratelimit.get_ip(request)}".encode()
    ).hexdigest()[:32]


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return True

    def pre_social_login(self, request, sociallogin):
        """Sign a person in to the account the organisation already gave their e-mail address to
        (the tenant is the organisation's own, so its email claim is its word), and keep roles in
        step. Never link to an address a user set for themselves, nor to an administrator's
        account: those sign in with their password and two-factor code."""
        if not sociallogin.is_existing:
            email = (sociallogin.user.email or "").strip().lower()
            existing = user_with_organisation_email(email=email)
            superuser_has_it = (
                email
                and get_user_model().objects.filter(email__iexact=email, is_superuser=True).exists()
            )
            if (existing is not None and existing.is_superuser) or superuser_has_it:
                raise ImmediateHttpResponse(render(request, "people/sso_refused.html", status=403))
            if existing is not None:
                sociallogin.connect(request, existing)
            elif email:
                # A new account: whoever set this address for themselves gives it up, so the
                # newcomer's account is made with the address the organisation gave.
                email_claims_release(email=email)
        if sociallogin.is_existing:
            sso_roles_sync(user=sociallogin.user, claims=_claims(sociallogin), request=request)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        if user.email:
            email_from_organisation_set(user=user, email=user.email)
        Person.objects.get_or_create(user=user)
        sso_roles_sync(user=user, claims=_claims(sociallogin), request=request)
        return user


def _claims(sociallogin):
    data = sociallogin.account.extra_data or {}
    return data.get("id_token") or data.get("userinfo") or data


def sso_roles_sync(*, user, claims, request=None):
    """Set the user's roles to those their Entra groups map to. Everyone signing in is Staff;
    roles not mapped from any group are left to the administrators (never removed here
    unless a mapped group says otherwise)."""
    mapping = settings.ENTRA_GROUP_ROLES
    group_ids = set(claims.get("groups") or [])
    wanted = {roles.STAFF} | {role for group_id, role in mapping.items() if group_id in group_ids}
    managed = set(mapping.values()) | {roles.STAFF}
    current = set(user.groups.values_list("name", flat=True))
    target = (current - managed) | wanted
    if target != current:
        user.groups.set(Group.objects.filter(name__in=target))
        audit_record(
            action=ROLES_CHANGED,
            summary=f"Roles of {user.get_username()} set from Entra groups: "
            f"{', '.join(sorted(target))}",
            target=user,
            data={"roles": sorted(target)},
            request=request,
        )


def audit_second_factor_failed(sender, request, user, authenticator, reauthentication, **kwargs):
    """A wrong two-factor code (allauth.mfa's ``authentication_failed`` signal): the password
    was right, so someone may hold it who should not."""
    audit_record(
        action=SIGN_IN_FAILED,
        summary=f"Sign-in failed for “{user.get_username()}”: wrong two-factor code",
        actor=user,
        target=user,
        data={"username": user.get_username(), "step": "mfa", "reauthentication": reauthentication},
        request=request,
    )
