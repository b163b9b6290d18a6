"""The FastAPI application: routers, problem+json errors, correlation ids, OpenAPI."""

from __future__ import annotations

from fastapi import FastAPI

from functions.http.attendance import routes as attendance
from functions.http.cases import routes as cases
from functions.http.interventions import routes as interventions
from functions.http.letters import actions as letter_actions
from functions.http.letters import routes as letters
from functions.http.letters import templates as letter_templates
from functions.http.meetings import routes as meetings
from functions.http.platform import routes as platform
from functions.http.roster import routes as roster
from functions.http.rules import routes as rules
from functions.http.shell import contract, health, problems, transport
from functions.http.shell.correlation import CorrelationMiddleware
from functions.http.shell.json_depth import JsonDepthLimit
from functions.http.shell.unhandled import UnhandledErrors
from functions.http.sis import routes as sis


def create_api() -> FastAPI:
    api = FastAPI(
        title="Attendance Intervention Orchestrator API",
        version="0.1.0",
        description="Attendance data, intervention ladders, letters and meetings for schools. "
                    "Errors are RFC 9457 problem+json; lists page with `continuationToken`.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect",
        redoc_url=None,
    )
    problems.install(api)
    # Starlette runs the last added middleware first. From the outside in: the correlation id
    # (every answer carries it), unhandled errors as problem+json, the transport's headers and
    # body cap, and the JSON depth limit, which reads a body only once the cap has passed it.
    api.add_middleware(JsonDepthLimit)
    transport.install(api)
    api.add_middleware(UnhandledErrors)
    api.add_middleware(CorrelationMiddleware)
    api.include_router(health.router)
    api.include_router(platform.router)
    api.include_router(attendance.router)
    api.include_router(roster.router)
    api.include_router(rules.router)
    api.include_router(interventions.router)
    api.include_router(cases.router)
    api.include_router(letters.router)
    api.include_router(letter_actions.router)
    api.include_router(letter_templates.router)
    api.include_router(meetings.router)
    api.include_router(sis.router)
    contract.install(api)
    return api
