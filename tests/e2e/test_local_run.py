"""End to end through the local host: the real function_app served over HTTP on Azurite, as
`make run` serves it, called with a development token the way a newcomer would."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from adapters.identity import mint_dev_token
from devhost.azurite import free_port
from devhost.host import DevHost, load_app


@pytest.fixture(scope="module")
def base_url(app_container) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with DevHost(app_container.platform.settings, load_app()).serving(free_port()) as url:
        yield url


def test_health_and_openapi(base_url):
    assert httpx.get(f"{base_url}/api/health").json() == {"status": "ok"}
    doc = httpx.get(f"{base_url}/api/openapi.json").json()
    assert "/api/me" in doc["paths"] and "/api/jobs" in doc["paths"]


def test_a_printed_token_works_and_no_token_is_a_problem(base_url, settings):
    token = mint_dev_token(settings, role="DistrictAdmin", tenant_id="demo-district")
    me = httpx.get(f"{base_url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["tenantId"] == "demo-district"
    assert me.headers["x-correlation-id"]
    jobs = httpx.get(f"{base_url}/api/jobs", headers={"Authorization": f"Bearer {token}"})
    assert jobs.status_code == 200
    anonymous = httpx.get(f"{base_url}/api/jobs")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
