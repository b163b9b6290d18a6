"""Rule-set routes: list, read (any version), create, edit (a new version, `If-Match`),
activate, install presets, simulate a student and preview a draft's impact on a school.

Scope: rule sets with no school are the tenant's, managed by district admins only; a school
admin manages the rule sets of their own schools (`schoolId` on create and install). Routes
that load a rule set by id take their scope from it (404 outside the caller's).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response
from fastapi.concurrency import run_in_threadpool

import bootstrap
from domain.platform.access import Permission
from domain.rules import InterventionRuleSet
from functions.http.platform.routes import OUT
from functions.http.rules.models import (
    RULE_SET_BODY,
    ImpactView,
    PreviewView,
    RuleSetPage,
    SimulateRequest,
    SimulationView,
)
from functions.http.shell.params import IsoDate
from functions.http.shell.preconditions import if_match_required
from functions.http.shell.security import Access, require
from services.rules.preview import RulePreviews
from services.rules.service import RuleSets

router = APIRouter(tags=["interventions"])
RuleSetId = Annotated[str, Path(min_length=1, max_length=100)]
RuleSetBody = Annotated[dict[str, Any], Body()]


def rule_sets() -> RuleSets:
    return bootstrap.composition().rules.rule_sets


def rule_previews() -> RulePreviews:
    return bootstrap.composition().rules.previews


RuleSetsService = Annotated[RuleSets, Depends(rule_sets)]
Previews = Annotated[RulePreviews, Depends(rule_previews)]


def _answer(response: Response, rule_set: InterventionRuleSet, etag: str | None) -> dict[str, Any]:
    if etag:
        response.headers["ETag"] = etag
    return rule_set.to_json()


@router.get("/api/interventions/rules", response_model=RuleSetPage, summary="Rule sets",
            description="The newest version of the tenant's rule sets and, with `schoolId`, that "
                        "school's own; a district admin without `schoolId` sees every school's.", **OUT)
def list_rules(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_READ))],
               rules: RuleSetsService) -> RuleSetPage:
    found = rules.list(access.tenant_id, access.school_id)
    return RuleSetPage(items=[rule_set.to_json() for rule_set, _ in found])


@router.post("/api/interventions/rules", status_code=201, summary="Create a rule set",
             description="Version 1, validated (422 names each field, e.g. "
                         "`stages[0].entry.threshold`). With `schoolId` the school's own; without, "
                         "the tenant's (district admins). Answers with the `ETag` to edit it with.",
             openapi_extra={"requestBody": RULE_SET_BODY})
def create_rule_set(access: Annotated[Access, Depends(require(Permission.RULES_MANAGE))],
                    rules: RuleSetsService, body: RuleSetBody, response: Response) -> dict[str, Any]:
    rule_set, etag = rules.create(access.principal, access.tenant_id, access.school_id, body)
    response.headers["Location"] = f"/api/interventions/rules/{rule_set.id}"
    return _answer(response, rule_set, etag)


@router.post("/api/interventions/rules/presets/{jurisdiction}", status_code=201,
             summary="Install a jurisdiction preset",
             description="`ENG`, `IE` or `US-CA`, for the tenant or (with `schoolId`) one school. "
                         "Installing it again returns the installed rule set (200), never a copy.")
def install_preset(access: Annotated[Access, Depends(require(Permission.RULES_MANAGE))],
                   rules: RuleSetsService,
                   jurisdiction: Annotated[str, Path(min_length=1, max_length=10)],
                   response: Response) -> dict[str, Any]:
    (rule_set, etag), created = rules.install_preset(
        access.principal, access.tenant_id, access.school_id, jurisdiction)
    response.status_code = 201 if created else 200
    return _answer(response, rule_set, etag)


@router.post("/api/interventions/rules/preview", response_model=PreviewView,
             summary="Preview a draft rule set's impact on a school",
             description="Every student of the school simulated from the start of the school year "
                         "to `date` (default today) under the draft and under each active rule set. "
                         "Reads the year's summaries one month partition at a time.",
             openapi_extra={"requestBody": RULE_SET_BODY}, **OUT)
async def preview(access: Annotated[Access, Depends(require(Permission.RULES_MANAGE))],
                  previews: Previews, body: RuleSetBody,
                  day: Annotated[IsoDate | None, Query(alias="date")] = None) -> PreviewView:
    school_id = access.one_school()
    # a school year of rows: storage reads and simulation off the event loop
    result = await run_in_threadpool(previews.impact, access.tenant_id, school_id, body, day)
    draft, impact = result.draft
    return PreviewView(date=result.today, students=impact.students, draft=ImpactView.of(draft, impact),
                       active=[ImpactView.of(r, i) for r, i in result.active])


@router.get("/api/interventions/rules/{id}", summary="A rule set (newest or one version)",
            description="With `version`, that version (older versions stay readable: interventions "
                        "keep the version they started under). The `ETag` comes with the newest.")
def get_rule_set(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_READ, school=False))],
                 rules: RuleSetsService, id: RuleSetId, response: Response,  # noqa: A002 - the API's name
                 version: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
    rule_set, etag = rules.get(access.principal, access.tenant_id, id, version)
    return _answer(response, rule_set, etag)


@router.put("/api/interventions/rules/{id}", summary="Edit a rule set (creates a new version)",
            description="`If-Match` must carry the ETag of the newest version: 428 without it, 412 "
                        "when another change came first. Answers with the new version and its ETag.",
            openapi_extra={"requestBody": RULE_SET_BODY})
def edit_rule_set(access: Annotated[Access, Depends(require(Permission.RULES_MANAGE, school=False))],
                  rules: RuleSetsService, id: RuleSetId, body: RuleSetBody, response: Response,  # noqa: A002
                  if_match: Annotated[str, Depends(if_match_required("the ETag of the version you edited"))],
                  ) -> dict[str, Any]:
    rule_set, etag = rules.edit(access.principal, access.tenant_id, id, body, if_match)
    return _answer(response, rule_set, etag)


def _set_active(access: Access, rules: RuleSets, rule_set_id: str, active: bool,
                response: Response) -> dict[str, Any]:
    rule_set, etag = rules.set_active(access.principal, access.tenant_id, rule_set_id, active)
    return _answer(response, rule_set, etag)


@router.post("/api/interventions/rules/{id}/activate", summary="Activate a rule set",
             description="The nightly run starts new interventions only under active rule sets.")
def activate(access: Annotated[Access, Depends(require(Permission.RULES_MANAGE, school=False))],
             rules: RuleSetsService, id: RuleSetId, response: Response) -> dict[str, Any]:  # noqa: A002
    return _set_active(access, rules, id, True, response)


@router.post("/api/interventions/rules/{id}/deactivate", summary="Deactivate a rule set",
             description="No new interventions start under it; running ones keep their version.")
def deactivate(access: Annotated[Access, Depends(require(Permission.RULES_MANAGE, school=False))],
               rules: RuleSetsService, id: RuleSetId, response: Response) -> dict[str, Any]:  # noqa: A002
    return _set_active(access, rules, id, False, response)


@router.post("/api/interventions/simulate", response_model=SimulationView,
             summary="Simulate a student under a rule set, or under every track",
             description="Replays the student's school year (to `until`, default today) night by "
                         "night under a saved rule set (`ruleSetId`, `version`) or a `draft`, "
                         "assuming staff approve each action the day it is queued. With neither, "
                         "under every active rule set of the school: the support ladder and each "
                         "statutory track, every entry naming its track.", **OUT)
async def simulate(access: Annotated[Access, Depends(require(Permission.INTERVENTIONS_READ))],
                   previews: Previews, request: SimulateRequest) -> SimulationView:
    school_id = access.one_school()
    if request.rule_set_id is None and request.draft is None:
        found = await run_in_threadpool(lambda: previews.simulate_tracks(
            access.tenant_id, school_id, request.student_id, until=request.until))
        return SimulationView.of_tracks(request.student_id, [(s.rule_set, s.timeline) for s in found])
    result = await run_in_threadpool(
        lambda: previews.simulate(
            access.principal, access.tenant_id, school_id, request.student_id,
            rule_set_id=request.rule_set_id, version=request.version, draft=request.draft,
            until=request.until))
    return SimulationView.of(result.rule_set, result.timeline)
