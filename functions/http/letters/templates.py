"""Letter-template routes: list, read a version, create, edit (a new DRAFT version, `If-Match`),
approve, retire and preview as PDF.

Addressing: a template series is (key, `language`, and whether it is a school's override).
`schoolId` is the caller's scope, as on every route: it says which school the caller acts for,
and a school admin always sends it. `override=true` addresses that school's override of the
key; without it the route addresses the district template, which every member of staff may read
(starters included) but only a tenant-wide DistrictAdmin may create, edit, approve or retire
(403 naming `override` otherwise). A school's override is managed by the admins of that school.

Single-template answers carry the `ETag` to edit with (a shipped starter's is made from its
identity); `PUT` needs it in `If-Match` (428 without, 412 when stale).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response

import bootstrap
from domain.letters.templates import LetterTemplate, TemplateStatus
from domain.platform.access import Permission
from domain.platform.errors import ValidationFailed
from functions.http.letters.templates_models import (
    KEY_PATTERN,
    LANGUAGE_PATTERN,
    PreviewRequest,
    TemplateCreate,
    TemplateEdit,
    TemplatePage,
    TemplateSummary,
    TemplateView,
)
from functions.http.platform.routes import OUT
from functions.http.shell.preconditions import IfMatchOptional, if_match_required
from functions.http.shell.security import Access, require
from services.letters.templates.admin import LetterTemplateAdmin, Ref, etag_of
from services.letters.templates.previews import LetterPreviews

router = APIRouter(tags=["letters"])
Reader = Annotated[Access, Depends(require(Permission.LETTERS_READ))]
Manager = Annotated[Access, Depends(require(Permission.TEMPLATES_MANAGE))]
Key = Annotated[str, Path(min_length=1, max_length=100, pattern=KEY_PATTERN)]
Version = Annotated[int, Path(ge=1)]
Language = Annotated[str, Query(min_length=2, max_length=20, pattern=LANGUAGE_PATTERN)]
Override = Annotated[bool, Query(description="true: the override of the school named by schoolId")]
IfMatch = IfMatchOptional


def template_admin() -> LetterTemplateAdmin:
    return bootstrap.composition().letters.template_admin


def letter_previews() -> LetterPreviews:
    return bootstrap.composition().letters.previews


Admin = Annotated[LetterTemplateAdmin, Depends(template_admin)]


def _ref(access: Access, key: str, language: str, override: bool, version: int | None = None) -> Ref:
    if override and access.school_id is None:
        raise ValidationFailed("name the school whose override this is", field="schoolId")
    return Ref(key, language, access.school_id if override else None, version)


def _answer(response: Response, template: LetterTemplate) -> TemplateView:
    response.headers["ETag"] = etag_of(template)
    return TemplateView.of(template)


@router.get("/api/letters/templates", response_model=TemplatePage, summary="Letter templates",
            description="Every version of the district's templates (shipped starters flagged "
                        "`starter`) and, with `schoolId`, that school's overrides; a district admin "
                        "without `schoolId` sees every school's overrides too.", **OUT)
def list_templates(access: Reader, admin: Admin, key: Annotated[str | None, Query(max_length=100)] = None,
                   language: Annotated[str | None, Query(max_length=20)] = None,
                   status: Annotated[TemplateStatus | None, Query()] = None) -> TemplatePage:
    found = admin.visible(access.tenant_id, access.school_id)
    wanted = [t for t in found if (key is None or t.key == key)
              and (language is None or t.language == language) and (status is None or t.status is status)]
    return TemplatePage(items=[TemplateSummary.of(t) for t in wanted])


@router.get("/api/letters/templates/{key}/versions/{version}", response_model=TemplateView,
            summary="One version of a letter template", **OUT)
def get_template(access: Reader, admin: Admin, key: Key, version: Version, language: Language,
                 response: Response, override: Override = False) -> TemplateView:
    ref = _ref(access, key, language, override, version)
    return _answer(response, admin.get(access.tenant_id, access.school_id, ref))


@router.post("/api/letters/templates", response_model=TemplateView, status_code=201,
             summary="Create a letter template (DRAFT v1)",
             description="A new district key (body and mergeFields required), or with `override=true` "
                         "the school's override of a district key (a copy of the district's unless "
                         "body/mergeFields are given); refused (422, `lockScope`) where the district "
                         "locks the key. 409 when the template exists: edit it with PUT.", **OUT)
def create_template(access: Manager, admin: Admin, body: Annotated[TemplateCreate, Body()],
                    response: Response, override: Override = False) -> TemplateView:
    ref = _ref(access, body.key, body.language, override)
    created = admin.create(access.principal, access.tenant_id, ref, body.changes())
    response.headers["Location"] = (f"/api/letters/templates/{created.key}/versions/{created.version}"
                                    f"?language={created.language}")
    return _answer(response, created)


@router.put("/api/letters/templates/{key}", response_model=TemplateView,
            summary="Edit a letter template (creates the next DRAFT version)",
            description="Fields not sent keep the latest version's values. `If-Match` must carry "
                        "the latest version's ETag: 428 without it, 412 when another change came "
                        "first.", **OUT)
def edit_template(access: Manager, admin: Admin, key: Key, language: Language,
                  body: Annotated[TemplateEdit, Body()], response: Response,
                  if_match: Annotated[str, Depends(if_match_required("the ETag of the latest version"))],
                  override: Override = False) -> TemplateView:
    edited = admin.edit(
        access.principal, access.tenant_id, _ref(access, key, language, override), body.changes(), if_match)
    return _answer(response, edited)


@router.post("/api/letters/templates/{key}/versions/{version}/approve", response_model=TemplateView,
             summary="Approve a DRAFT version",
             description="Only a DRAFT; the approver must not be its last editor (422, `approvedBy`). "
                         "Approving an approved version again changes nothing.", **OUT)
def approve_template(access: Manager, admin: Admin, key: Key, version: Version, language: Language,
                     response: Response, override: Override = False,
                     if_match: IfMatch = None) -> TemplateView:
    approved = admin.approve(
        access.principal, access.tenant_id, _ref(access, key, language, override, version), if_match)
    return _answer(response, approved)


@router.post("/api/letters/templates/{key}/versions/{version}/retire", response_model=TemplateView,
             summary="Retire a version",
             description="A retired version is never sent again (a shipped starter too).", **OUT)
def retire_template(access: Manager, admin: Admin, key: Key, version: Version, language: Language,
                    response: Response, override: Override = False, if_match: IfMatch = None) -> TemplateView:
    retired = admin.retire(
        access.principal, access.tenant_id, _ref(access, key, language, override, version), if_match)
    return _answer(response, retired)


@router.post("/api/letters/templates/{key}/versions/{version}/preview", summary="Preview as PDF",
             response_class=Response, responses={200: {"content": {"application/pdf": {}}}},
             description="Merged with `mergeData`, the letter `studentId`'s guardian would get (the "
                         "student needs an active intervention), or sample values; anything not "
                         "APPROVED is watermarked DRAFT. A missing merge field is 422 naming it.")
def preview_template(access: Manager, previews: Annotated[LetterPreviews, Depends(letter_previews)],
                     key: Key, version: Version, language: Language,
                     request: Annotated[PreviewRequest | None, Body()] = None,
                     override: Override = False) -> Response:
    ask = request or PreviewRequest()
    template, pdf = previews.preview(
        access.tenant_id, access.school_id, _ref(access, key, language, override, version),
        student_id=ask.student_id, merge_data=ask.merge_data)
    return Response(pdf.content, media_type="application/pdf",
                    headers={"ETag": etag_of(template), "Content-Disposition":
                             f'inline; filename="{template.key}-v{template.version}-preview.pdf"'})
