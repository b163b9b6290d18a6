"""Shared fixtures: one in-memory Azurite per test session, random names per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from devhost import azurite as azurite_mod


@pytest.fixture(scope="session")
def azurite() -> Iterator[azurite_mod.Azurite]:
    server = azurite_mod.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def connection_string(azurite: azurite_mod.Azurite) -> str:
    return azurite.connection_string


@pytest.fixture
def unique() -> str:
    """A short random suffix valid in table, queue and container names."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def settings(connection_string: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from settings import Settings

    keys = tmp_path_factory.mktemp("devkeys")
    # one token makes thousands of calls in some tests (the fuzz run): the rate limit is raised
    # here, and tests of the limit build a container with a small one
    return Settings(storage=connection_string, environment="test", auth_dev_key_dir=str(keys),
                    rate_limit_per_minute=1_000_000, rate_limit_burst=1_000_000)


@pytest.fixture(scope="session")
def app_container(settings):  # type: ignore[no-untyped-def]
    """The real container on Azurite, installed as the app's container for the session."""
    import bootstrap

    container = bootstrap.Composition(settings)
    container.ensure_storage()
    bootstrap.use_composition(container)
    yield container
    bootstrap.use_composition(None)


@pytest.fixture
def client(app_container):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    import function_app

    with TestClient(function_app.api, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def mint(settings):  # type: ignore[no-untyped-def]
    """mint(role, tenant, schools) -> an Authorization header for a development token."""
    from adapters.identity import mint_dev_token

    def _mint(role: str, tenant: str, schools: list[str] | tuple[str, ...] = (), **kw):  # type: ignore[no-untyped-def]
        token = mint_dev_token(settings, role=role, tenant_id=tenant, school_ids=list(schools), **kw)
        return {"Authorization": f"Bearer {token}"}

    return _mint


@pytest.fixture
def tenant(unique: str) -> str:
    """A tenant of its own per test, so tests never see each other's rows."""
    return "t-" + unique


@pytest.fixture
def admin(mint, tenant):  # type: ignore[no-untyped-def]
    """Auth headers for the DistrictAdmin of `tenant`."""
    return mint("DistrictAdmin", tenant)
