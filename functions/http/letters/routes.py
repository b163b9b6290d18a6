"""Letter artifact routes: the school's letters paged (a student's, or those in one status, incl.
FAILED ones with their reason) and
one letter's PDF, streamed only after its SHA-256 checks out (409 problem + audit record if not).
School-scoped through `schoolId`; LETTERS_READ (every member of staff, not the integration)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

import bootstrap
from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from domain.platform.access import Permission
from functions.http.platform.routes import OUT, ApiModel, Token
from functions.http.shell.security import Access, require
from services.letters.artifacts import LetterArtifacts

router = APIRouter(tags=["letters"])
Reader = Annotated[Access, Depends(require(Permission.LETTERS_READ))]


def letter_artifacts() -> LetterArtifacts:
    return bootstrap.composition().letters.artifacts


Artifacts = Annotated[LetterArtifacts, Depends(letter_artifacts)]


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
    meeting_id: str | None = None  # a meeting invitation: the meeting and its invitation's sequence
    meeting_sequence: int | None = None
    # the school-language original kept beside a translated letter: that letter's id
    companion_of: str | None = None

    @classmethod
    def of(cls, a: LetterArtifact) -> ArtifactView:
        return cls(id=a.id, student_id=a.student_id, instance_id=a.instance_id, stage_order=a.stage_order,
                   template_key=a.template_key, template_version=a.template_version,
                   guardian_id=a.guardian_id, language=a.language, status=a.status.value,
                   generated_at=a.generated_at, content_hash=a.content_hash,
                   missing_translation=a.missing_translation, failure_reason=a.failure_reason,
                   attempts=a.attempts, channel=a.channel, meeting_id=a.meeting_id,
                   meeting_sequence=a.meeting_sequence, companion_of=a.companion_of)


class ArtifactPage(ApiModel):
    items: list[ArtifactView]
    continuation_token: str | None = None


@router.get("/api/letters/artifacts", response_model=ArtifactPage,
            summary="The school's letters: a student's, or those in one status",
            description="Letter artifacts of the school, paged and ordered by artifact `id` (a stable "
                        "order that survives new letters; not by date: sort a page by `generatedAt` "
                        "to show it chronologically). `studentId` narrows to one student, `status` "
                        "to one status (e.g. FAILED or SENDING, for an operator's view); both "
                        "together, or neither, work too. A page may hold fewer than `limit` letters "
                        "(even none) and still carry a `continuationToken`: pass it back, unchanged "
                        "and with the same filters, for the next page. FAILED letters carry "
                        "`failureReason`; a letter sent in the school language instead of the "
                        "guardian's carries `missingTranslation`.", **OUT)
def artifacts(access: Reader, letters: Artifacts,
              studentId: Annotated[str | None, Query(min_length=1, max_length=128)] = None,  # noqa: N803
              status: Annotated[ArtifactStatus | None, Query()] = None,
              limit: Annotated[int, Query(ge=1, le=1000, description="Page size")] = 100,
              continuation: Token = None,
              ) -> ArtifactPage:
    found, token = letters.page(
        access.tenant_id, access.one_school(), student_id=studentId, status=status, limit=limit,
        continuation=continuation)
    return ArtifactPage(items=[ArtifactView.of(a) for a in found], continuation_token=token)


@router.get("/api/letters/artifacts/{artifactId}", summary="A letter's PDF",
            response_class=Response,
            responses={200: {"content": {"application/pdf": {}}},
                       409: {"description": "The stored PDF does not match its recorded hash"}},
            description="The PDF, after checking it against the SHA-256 recorded when it was rendered: "
                        "409 (and an audit record) when the stored bytes were altered; 404 when the "
                        "letter has no PDF.")
def artifact_pdf(access: Reader, letters: Artifacts,
                 artifactId: Annotated[str, Path(min_length=1, max_length=64)]) -> Response:  # noqa: N803
    artifact, data = letters.pdf(
        access.principal, access.tenant_id, access.one_school(), artifactId, access.ensure_school)
    return Response(data, media_type="application/pdf",
                    headers={"ETag": f'"{artifact.content_hash}"',
                             "Content-Disposition": f'inline; filename="{artifact.id}.pdf"'})
