"""Who may call the API: a client's bearer token, checked for one scope per operation, limited
in rate and written to the audit trail on every use."""

from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from django.conf import settings

from certificates.ratelimit import client_address, window_count_exceeded

from .models import ApiClient
from .services import api_client_for_token, api_use_record


class RateLimited(Exception):
    """Too many requests in the current window (answered 429 with Retry-After)."""


def _over_limit(key):
    return window_count_exceeded(
        key=f"api:{key}",
        limit=settings.API_RATE_LIMIT,
        window=settings.API_RATE_WINDOW_SECONDS,
    )


class ScopedToken(HttpBearer):
    """``Authorization: Bearer <token>`` of an active client granted ``scope``.

    No token or an unknown or revoked one: 401 (and the caller's address is counted, so that
    guessing is slow). A known client without the scope: 403, recorded like any other use."""

    def __init__(self, scope):
        super().__init__()
        self.scope = scope

    def __call__(self, request):
        client = super().__call__(request)
        if client is None and _over_limit(f"address:{client_address(request)}"):
            raise RateLimited
        return client

    def authenticate(self, request, token):
        client = api_client_for_token(token=token)
        if client is None:
            return None
        if _over_limit(f"client:{client.pk}"):
            raise RateLimited
        allowed = self.scope in client.scopes
        api_use_record(
            client=client,
            request=request,
            scope=self.scope,
            allowed=allowed,
            address=client_address(request),
        )
        if not allowed:
            raise AuthorizationError(
                message=f"This client has not been granted the {self.scope} scope."
            )
        return client


read_status = ScopedToken(ApiClient.Scope.READ_STATUS)
read_certificates = ScopedToken(ApiClient.Scope.READ_CERTIFICATES)
write_people = ScopedToken(ApiClient.Scope.WRITE_PEOPLE)
