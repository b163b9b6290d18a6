"""GET /api/health: liveness, with no dependency on storage (the platform health check)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["platform"])


@router.get("/api/health", summary="Liveness check")
def health() -> dict[str, str]:
    return {"status": "ok"}
