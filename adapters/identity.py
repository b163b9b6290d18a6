"""Bearer JWTs: validate RS256 tokens (issuer JWKS in Azure, a local key in development)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.platform.access import Principal, Role
from domain.platform.errors import Unauthenticated
from settings import Settings

log = logging.getLogger(__name__)

DEV_KID = "dev-1"
_PRIVATE = "dev-signing-key.pem"


def dev_private_key(key_dir: str | Path) -> rsa.RSAPrivateKey:
    """The development signing key, generated on first use and kept under `key_dir`."""
    path = Path(key_dir) / _PRIVATE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)
    return key


def mint_dev_token(settings: Settings, *, role: Role | str, tenant_id: str,
                   school_ids: list[str] | None = None, subject: str | None = None,
                   ttl: timedelta = timedelta(hours=8), now: datetime | None = None,
                   extra: dict[str, Any] | None = None) -> str:
    """A token signed by the development key, shaped like the ones Entra ID issues."""
    if settings.environment == "production":
        raise RuntimeError("development tokens are not minted in production")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": settings.auth_issuer, "aud": settings.auth_audience,
        "sub": subject or f"dev-{Role(role).value.lower()}", "iat": issued, "nbf": issued,
        "exp": issued + ttl, "jti": uuid.uuid4().hex,
        "roles": [Role(role).value], settings.auth_tenant_claim: tenant_id,
        settings.auth_schools_claim: list(school_ids or []),
    }
    claims.update(extra or {})
    return jwt.encode(claims, dev_private_key(settings.auth_dev_key_dir), algorithm="RS256",
                      headers={"kid": DEV_KID})


class TokenValidator:
    """Turns a bearer token into a Principal, or raises Unauthenticated (never says why in
    detail to the caller: the reason goes to the log)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _jwks(self) -> jwt.PyJWKClient | None:
        uri = self._settings.auth_jwks_uri
        return jwt.PyJWKClient(uri, cache_keys=True, lifespan=3600) if uri else None

    @cached_property
    def _dev_public_key(self) -> rsa.RSAPublicKey:
        return dev_private_key(self._settings.auth_dev_key_dir).public_key()

    def _key(self, token: str) -> Any:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        return self._dev_public_key

    def validate(self, token: str) -> Principal:
        s = self._settings
        try:
            claims = jwt.decode(
                token, self._key(token), algorithms=["RS256"], audience=s.auth_audience,
                issuer=s.auth_issuer, leeway=60,
                options={"require": ["exp", "iss", "aud", "sub"]})
        except (jwt.PyJWTError, ValueError) as exc:
            log.info("token rejected: %s", type(exc).__name__)
            raise Unauthenticated("the bearer token is not valid") from exc
        return _principal(claims, s)


def _principal(claims: dict[str, Any], s: Settings) -> Principal:
    tenant = claims.get(s.auth_tenant_claim)
    if not isinstance(tenant, str) or not tenant:
        raise Unauthenticated("the token names no tenant")
    roles = frozenset(Role(r) for r in claims.get("roles", []) if r in Role._value2member_map_)
    if not roles:
        raise Unauthenticated("the token carries no known role")
    schools = claims.get(s.auth_schools_claim) or []
    if isinstance(schools, str):
        schools = [schools]
    return Principal(subject=str(claims["sub"]), tenant_id=tenant, roles=roles,
                     school_ids=frozenset(str(x) for x in schools))
