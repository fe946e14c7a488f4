"""A fake Microsoft Entra ID: an OpenID Connect provider that lives inside the tests.

It answers the HTTP calls allauth makes (discovery, token, JWKS) through the requests session
that allauth's adapter hands out, and issues RS256-signed ID tokens with the claims a test sets."""

import json
import time
import uuid
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://login.entra.test/tenant-1234/v2.0"
CLIENT_ID = "lms-client-id"
CLIENT_SECRET = "lms-client-secret"


class FakeResponse:
    def __init__(self, payload, status_code=200):
        self.status_code = status_code
        self._payload = payload
        self.text = json.dumps(payload)
        self.content = self.text.encode()
        self.headers = {"content-type": "application/json"}

    def json(self):
        return self._payload

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}")


class FakeEntra:
    def __init__(self):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-key-1"
        self.claims = {}
        self.codes_issued = []
        self.token_requests = []

    def provider_settings(self):
        return {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": "entra",
                        "name": "Microsoft",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {
                            "server_url": ISSUER,
                            "fetch_userinfo": False,
                            "token_auth_method": "client_secret_post",
                        },
                    }
                ]
            }
        }

    # The requests.Session stand-in -------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)

    def request(self, method, url, params=None, data=None, **kwargs):
        path = urlparse(url).path
        if path.endswith("/.well-known/openid-configuration"):
            return FakeResponse(self.discovery())
        if path.endswith("/keys"):
            return FakeResponse({"keys": [self.public_jwk()]})
        if path.endswith("/token") and method == "POST":
            self.token_requests.append(dict(data or {}))
            if (data or {}).get("client_secret") != CLIENT_SECRET or (data or {}).get(
                "code"
            ) not in self.codes_issued:
                return FakeResponse({"error": "invalid_grant"}, status_code=400)
            return FakeResponse(
                {
                    "access_token": "fake-access-token",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "id_token": self.id_token(),
                }
            )
        return FakeResponse({"error": "not_found"}, status_code=404)

    # The provider ------------------------------------------------------------------------
    def discovery(self):
        return {
            "issuer": ISSUER,
            "authorization_endpoint": f"{ISSUER}/authorize",
            "token_endpoint": f"{ISSUER}/token",
            "userinfo_endpoint": f"{ISSUER}/userinfo",
            "jwks_uri": f"{ISSUER}/keys",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def public_jwk(self):
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def id_token(self):
        now = int(time.time())
        payload = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "jti": str(uuid.uuid4()),
            **self.claims,
        }
        return jwt.encode(payload, self._key, algorithm="RS256", headers={"kid": self.kid})

    def authorize(self, authorize_url):
        """What the browser would do at Entra: come back to the redirect_uri with a code and the state."""
        query = parse_qs(urlparse(authorize_url).query)
        assert query["client_id"] == [CLIENT_ID]
        code = f"code-{uuid.uuid4()}"
        self.codes_issued.append(code)
        callback = urlparse(query["redirect_uri"][0]).path
        return callback, {"code": code, "state": query["state"][0]}
