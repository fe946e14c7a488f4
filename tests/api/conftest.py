import pytest

from api.models import ApiClient
from api.services import api_client_create

ALL_SCOPES = ApiClient.Scope.values


@pytest.fixture
def api_token(db):
    """``api_token(scopes)``: the headers of a new client's token."""

    def make(scopes=ALL_SCOPES, name=None):
        client, token = api_client_create(
            name=name or f"Client {ApiClient.objects.count() + 1}", scopes=scopes, by=None
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return make
