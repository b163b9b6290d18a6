"""Role x route x school: every route checks role, tenant and school scope.

The expectations below are written by hand, independent of domain/platform/access.py, so a change
to the permission table that opens or closes a route makes this test fail."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.routing import APIRoute

import bootstrap
import function_app
from domain.platform.access import Principal, Role
from domain.platform.jobs import JobRun, JobStatus
from tests.api.route_table import ALL, Route, collect_routes

ROUTES = collect_routes()
PUBLIC = {("GET", "/api/health"), ("GET", "/api/openapi.json"), ("GET", "/api/docs"),
          ("GET", "/api/docs/oauth2-redirect")}


def _routes(routes: list[object]) -> list[object]:
    """Flatten included routers (FastAPI keeps them as wrappers around the original)."""
    flat: list[object] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        flat.extend(_routes(inner.routes) if inner is not None else [route])
    return flat


def _app_routes() -> set[tuple[str, str]]:
    found = set()
    for route in _routes(function_app.api.routes):
        methods = getattr(route, "methods", None) or {"GET"}
        for m in methods - {"HEAD", "OPTIONS"}:
            found.add((m, route.path))  # type: ignore[attr-defined]
    return found


def _access_dependencies(route: APIRoute) -> list[object]:
    stack, found = list(route.dependant.dependencies), []
    while stack:
        dep = stack.pop()
        if hasattr(dep.call, "permission"):
            found.append(dep.call)
        stack.extend(dep.dependencies)
    return found


def test_every_route_is_in_the_table_or_public():
    assert _app_routes() - PUBLIC == set(ROUTES)


def test_every_non_public_route_declares_exactly_one_access_check():
    for route in _routes(function_app.api.routes):
        if isinstance(route, APIRoute) and (next(iter(route.methods)), route.path) not in PUBLIC:
            assert len(_access_dependencies(route)) == 1, route.path


CASES = [(key, role) for key in ROUTES for role in sorted(ALL)]


@pytest.mark.parametrize(("key", "role"), CASES, ids=[f"{m} {p} {r}" for (m, p), r in CASES])
def test_role_and_school_scope(client, mint, key, role):
    route: Route = ROUTES[key]
    tenant = "t-" + uuid.uuid4().hex[:8]
    headers = mint(role, tenant, ["s1"])
    if route.seed:
        route.seed(tenant, "s1")
        route.seed(tenant, "s2")

    def call(school: str | None, auth: dict[str, str] | None = headers):  # type: ignore[no-untyped-def]
        params = {**route.params, **({"schoolId": school} if school else {})}
        return client.request(route.method, route.url, params=params, json=route.json,
                              headers=auth)

    assert call("s1", None).status_code == 401
    own, other, unscoped = call("s1"), call("s2"), call(None)
    if role not in route.roles:
        assert (own.status_code, other.status_code, unscoped.status_code) == (403, 403, 403)
        return
    assert own.status_code in route.ok, own.text
    if not route.school_scoped:
        assert unscoped.status_code in route.ok
        return
    if role == "DistrictAdmin":
        assert other.status_code in route.ok
        assert unscoped.status_code in route.ok or unscoped.status_code == 422
    else:
        assert other.status_code == 403
        assert unscoped.status_code == 422
        assert unscoped.json()["errors"][0]["field"] == "schoolId"


def _seed(tenant: str, school: str, marker: str) -> None:
    c = bootstrap.composition()
    actor = Principal(subject="seed", tenant_id=tenant, roles=frozenset({Role.SCHOOL_ADMIN}),
                      school_ids=frozenset({school}))
    c.platform.audit.record(actor=actor, tenant_id=tenant, school_id=school, action="test.seed",
                            entity_type="marker", entity_id=marker, after={"marker": marker})
    run = JobRun(tenant_id=tenant, kind="test-kind", scope=f"{school}/{marker}",
                 status=JobStatus.SUCCEEDED, started_at=datetime.now(UTC))
    c.platform.jobs._repo.create(run)  # noqa: SLF001 - seeding


def test_no_access_to_another_tenants_or_schools_data(client, mint):
    a, b = "ta-" + uuid.uuid4().hex[:6], "tb-" + uuid.uuid4().hex[:6]
    _seed(a, "s1", "a-s1")
    _seed(a, "s2", "a-s2")
    _seed(b, "s1", "b-s1")  # same school id, other tenant

    def markers(path: str, headers: dict[str, str], **params: str) -> set[str]:
        r = client.get(path, params=params, headers=headers)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        return {i.get("entityId") or i["scope"].split("/")[1] for i in items}

    district_a = mint("DistrictAdmin", a)
    assert markers("/api/audit", district_a) == {"a-s1", "a-s2"}
    assert markers("/api/jobs", district_a) == {"a-s1", "a-s2"}
    school_admin_a1 = mint("SchoolAdmin", a, ["s1"])
    assert markers("/api/audit", school_admin_a1, schoolId="s1") == {"a-s1"}
    assert markers("/api/jobs", school_admin_a1, schoolId="s1") == {"a-s1"}
    assert markers("/api/audit", mint("DistrictAdmin", b)) == {"b-s1"}
