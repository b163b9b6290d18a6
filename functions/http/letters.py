"""Letter artifact routes: a student's letters (metadata, incl. FAILED ones with their reason) and
one letter's PDF, streamed only after its SHA-256 checks out (409 problem + audit record if not).
School-scoped through `schoolId`; LETTERS_READ (every member of staff, not the integration)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

import bootstrap
from domain.access import Permission
from domain.letters.artifacts import LetterArtifact
from functions.http.interventions import OUT, _school
from functions.http.platform import ApiModel
from functions.http.security import Access, require

router = APIRouter(tags=["letters"])
Reader = Annotated[Access, Depends(require(Permission.LETTERS_READ))]


class ArtifactView(ApiModel):
    id: str
    student_id: str
    instance_id: str
    stage_order: int
    template_key: str
    template_version: int
    guardian_id: str
    language: str
    status: str
    generated_at: dt.datetime
    content_hash: str | None
    missing_translation: str | None
    failure_reason: str | None
    attempts: int
    channel: str | None = None  # EMAIL, POST or EMAIL_AND_POST once DELIVERED

    @classmethod
    def of(cls, a: LetterArtifact) -> ArtifactView:
        return cls(id=a.id, student_id=a.student_id, instance_id=a.instance_id, stage_order=a.stage_order,
                   template_key=a.template_key, template_version=a.template_version,
                   guardian_id=a.guardian_id, language=a.language, status=a.status.value,
                   generated_at=a.generated_at, content_hash=a.content_hash,
                   missing_translation=a.missing_translation, failure_reason=a.failure_reason,
                   attempts=a.attempts, channel=a.channel)


class ArtifactPage(ApiModel):
    items: list[ArtifactView]
    continuation_token: str | None = None


@router.get("/api/letters/artifacts", response_model=ArtifactPage, summary="A student's letters",
            description="Every letter artifact of the student, oldest first; FAILED ones carry "
                        "`failureReason`, a letter sent in the school language instead of the guardian's "
                        "carries `missingTranslation`.", **OUT)
def artifacts(access: Reader,
              studentId: Annotated[str, Query(min_length=1, max_length=128)]) -> ArtifactPage:  # noqa: N803
    found = bootstrap.container().letter_artifacts.for_student(access.tenant_id, _school(access), studentId)
    return ArtifactPage(items=[ArtifactView.of(a) for a in found])


@router.get("/api/letters/artifacts/{artifactId}", summary="A letter's PDF",
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}},
            description="The PDF, after checking it against the SHA-256 recorded when it was rendered: "
                        "409 (and an audit record) when the stored bytes were altered; 404 when the "
                        "letter has no PDF.")
def artifact_pdf(access: Reader,
                 artifactId: Annotated[str, Path(min_length=1, max_length=64)]) -> Response:  # noqa: N803
    artifact, data = bootstrap.container().letter_artifacts.pdf(
        access.principal, access.tenant_id, _school(access), artifactId, access.ensure_school)
    return Response(data, media_type="application/pdf",
                    headers={"ETag": f'"{artifact.content_hash}"',
                             "Content-Disposition": f'inline; filename="{artifact.id}.pdf"'})
