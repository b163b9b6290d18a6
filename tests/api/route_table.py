"""The hand-written role table every route is checked against (tests/api/test_access.py).

Each area adds its routes in a module `tests/api/routes_<area>.py` exposing `ROUTES: list[Route]`.
Write the roles by hand from the product's intent, never from domain/platform/access.py."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ALL = frozenset({"DistrictAdmin", "SchoolAdmin", "AttendanceOfficer", "Teacher", "Integration"})
ADMINS = frozenset({"DistrictAdmin", "SchoolAdmin"})
STAFF = ADMINS | {"AttendanceOfficer"}
READERS = STAFF | {"Teacher"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str                      # the template as FastAPI declares it
    roles: frozenset[str]          # roles that may call it
    school_scoped: bool = True     # reads `schoolId` from the query
    url: str = ""                  # a concrete URL for the template (defaults to `path`)
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None               # a valid body for writes
    ok: frozenset[int] = frozenset({200})
    # seed(tenant, school): create what the route needs (called for s1 and s2)
    seed: Callable[[str, str], None] | None = None

    def __post_init__(self) -> None:
        if not self.url:
            object.__setattr__(self, "url", self.path)


def collect_routes() -> dict[tuple[str, str], Route]:
    table: dict[tuple[str, str], Route] = {}
    for module_path in sorted(Path(__file__).parent.glob("routes_*.py")):
        module = importlib.import_module(f"tests.api.{module_path.stem}")
        for route in module.ROUTES:
            key = (route.method, route.path)
            assert key not in table, f"{key} listed twice"
            table[key] = route
    return table
