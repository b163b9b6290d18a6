"""The Azure path of token validation: signing keys fetched from the issuer's JWKS endpoint
(served here on loopback, as Entra ID serves its discovery keys)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.identity import TokenValidator
from domain.platform.access import Role
from domain.platform.errors import Unauthenticated
from settings import Settings

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ISSUER = "https://login.example/tenant-1/v2.0"
AUDIENCE = "api://attendance-orchestrator"


@pytest.fixture(scope="module")
def jwks_uri() -> Iterator[str]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "entra-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/discovery/v2.0/keys"
    server.shutdown()


def token(key: rsa.RSAPrivateKey, kid: str, **claims: object) -> str:
    now = datetime.now(UTC)
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": uuid.uuid4().hex, "iat": now,
            "exp": now + timedelta(hours=1), "roles": [Role.SCHOOL_ADMIN.value],
            "tenant": "district-1", "schools": ["s1"], **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="module")
def validator(jwks_uri: str) -> TokenValidator:
    return TokenValidator(Settings(environment="production", auth_jwks_uri=jwks_uri,
                                   auth_issuer=ISSUER, auth_audience=AUDIENCE))


def test_a_token_signed_with_the_issuers_key_is_accepted(validator):
    principal = validator.validate(token(KEY, "entra-1"))
    assert principal.tenant_id == "district-1"
    assert principal.roles == {Role.SCHOOL_ADMIN}
    assert principal.school_ids == {"s1"}


def test_a_token_signed_with_another_key_or_unknown_kid_is_refused(validator):
    with pytest.raises(Unauthenticated):
        validator.validate(token(OTHER, "entra-1"))
    with pytest.raises(Unauthenticated):
        validator.validate(token(KEY, "not-published"))


def test_a_token_for_another_tenant_issuer_is_refused(validator):
    with pytest.raises(Unauthenticated):
        validator.validate(token(KEY, "entra-1", iss="https://login.example/other/v2.0"))


def test_a_token_without_a_known_role_or_tenant_is_refused(validator):
    with pytest.raises(Unauthenticated):
        validator.validate(token(KEY, "entra-1", roles=["Superuser"]))
    with pytest.raises(Unauthenticated):
        validator.validate(token(KEY, "entra-1", tenant=""))
