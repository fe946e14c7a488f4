"""Writes for the API: creating and revoking clients, and recording every use."""

from django.db import transaction
from django.utils import timezone

from lms.audit import API_CLIENT_CREATED, API_CLIENT_REVOKED, API_USED, audit_record
from lms.names import user_display_name

from .models import ApiClient
from .tokens import token_digest, token_new


class ApiClientError(Exception):
    pass


def api_client_create(*, name, scopes, by):
    """A new client and its token. The token is returned here once and never stored."""
    name = name.strip()
    unknown = set(scopes) - set(ApiClient.Scope.values)
    if not name:
        raise ApiClientError("Give the client a name.")
    if not scopes:
        raise ApiClientError("Choose at least one scope.")
    if unknown:
        raise ApiClientError(f"Unknown scopes: {', '.join(sorted(unknown))}.")
    if ApiClient.objects.filter(name__iexact=name).exists():
        raise ApiClientError(f"There is already a client called “{name}”.")
    token = token_new()
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name,
            scopes=[scope for scope in ApiClient.Scope.values if scope in scopes],
            token_prefix=token[:12],
            token_hash=token_digest(token),
            created_by_name=user_display_name(by) if by else "",
        )
        audit_record(
            action=API_CLIENT_CREATED,
            actor=by,
            target=client,
            summary=f"API client {client.name} created with scopes: {', '.join(client.scopes)}",
            data={"client": client.pk, "scopes": client.scopes},
        )
    return client, token


def api_client_revoke(*, client, by):
    """Switch the client's token off for good. Revoking twice changes nothing."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            return client
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        audit_record(
            action=API_CLIENT_REVOKED,
            actor=by,
            target=client,
            summary=f"API client {client.name} revoked",
            data={"client": client.pk},
        )
    return client


def api_client_for_token(*, token):
    """The active client holding ``token``, marked as used now; None for an unknown or revoked
    token."""
    client = ApiClient.objects.filter(
        token_hash=token_digest(token), revoked_at__isnull=True
    ).first()
    if client is not None:
        client.last_used_at = timezone.now()
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=client.last_used_at)
    return client


def api_use_record(*, client, request, scope, allowed, address):
    """One audit event per authenticated request, allowed or refused for lack of scope. The
    client acts, not a person: the request is not passed on, so that a browser session sent
    along with a token is never recorded as the actor."""
    outcome = "allowed" if allowed else "refused (scope not granted)"
    # A path may carry any character a client percent-encodes; PostgreSQL refuses NUL in text.
    path = request.path.replace("\x00", "\ufffd")
    return audit_record(
        action=API_USED,
        target=client,
        summary=f"API client {client.name}: {request.method} {path} {outcome}",
        data={
            "client": client.pk,
            "method": request.method,
            "path": path,
            "query": request.META.get("QUERY_STRING", "")[:500],
            "scope": scope,
            "allowed": allowed,
            "address": address,
        },
    )
