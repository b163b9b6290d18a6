"""What the letter renderer reads and writes. Adapters implement the stores; the template source
and the merge-data builder come from domain/letters (their own modules); tests use fakes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol

from domain.ladder.model import StudentInterventionInstance
from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from domain.letters.templates import LetterTemplate
from domain.roster.schools import Guardian, School
from services.roster.ports import StudentDetail


class SchoolTemplates(Protocol):
    """The templates one school sees, read once: a letter job picks all its letters' from them."""

    def approved(self, key: str, language: str, on: date) -> LetterTemplate | None:
        """The APPROVED template in force on `on` in `language`, or None when there is none."""
        ...

    def version(self, key: str, language: str, version: int) -> LetterTemplate:
        """That exact version (a retry re-renders what it started with). Raises NotFound."""
        ...


class TemplateSource(Protocol):
    def for_school(self, tenant_id: str, school_id: str) -> SchoolTemplates:
        """One read of the templates the school sees."""
        ...


class MergeDataBuilder(Protocol):
    def build(self, template: LetterTemplate, instance: StudentInterventionInstance, school: School,
              student: StudentDetail, guardian: Guardian, on: date) -> Mapping[str, Any]:
        """The template's merge data: JSON values, except `date` values for `date` fields."""
        ...


class RenderedPdfLike(Protocol):
    @property
    def content(self) -> bytes: ...

    @property
    def sha256(self) -> str: ...


class PdfRenderer(Protocol):
    def __call__(self, html: str, *, title: str = ...) -> RenderedPdfLike: ...


class LetterBlobs(Protocol):
    def put(self, container: str, path: str, data: bytes, *, content_type: str,
            metadata: dict[str, str] | None = None) -> object:
        """Immutable: the same bytes again succeed, other bytes raise AlreadyExists."""
        ...

    def get(self, container: str, path: str) -> bytes:
        """The verified bytes: NotFound, IntegrityError when they differ from their hash."""
        ...


class ArtifactStore(Protocol):
    def get(self, tenant_id: str, school_id: str, artifact_id: str) -> LetterArtifact: ...

    def for_stage(self, tenant_id: str, school_id: str, instance_id: str,
                  stage_order: int) -> list[LetterArtifact]: ...

    def for_student(self, tenant_id: str, school_id: str, student_id: str) -> list[LetterArtifact]: ...

    def page(self, tenant_id: str, school_id: str, *, student_id: str | None,
             status: ArtifactStatus | None, limit: int,
             continuation: str | None) -> tuple[list[LetterArtifact], str | None]:
        """A page by artifact id; a bad token raises ValidationFailed (continuationToken)."""
        ...

    def insert(self, artifact: LetterArtifact) -> LetterArtifact:
        """Raises AlreadyExists."""
        ...

    def replace(self, artifact: LetterArtifact) -> LetterArtifact:
        """ETag-conditional when the artifact has an etag (ConcurrencyError)."""
        ...


class StudentDetails(Protocol):
    def student_detail(self, tenant_id: str, school_id: str, student_id: str) -> StudentDetail:
        """The student and guardians by priority. Raises NotFound."""
        ...

    def school(self, tenant_id: str, school_id: str) -> School: ...


class TranslatorError(RuntimeError):
    """The translator refused or failed (throttled, down, misconfigured): nothing was translated."""


class Translator(Protocol):
    def translate_html(self, html: str, source: str, target: str) -> str:
        """`html` translated from language `source` to `target`, tags kept; the content of
        elements with class="notranslate" is left as it is. Raises TranslatorError."""
        ...


class TemplateDraftStore(Protocol):
    def all(self, tenant_id: str) -> list[LetterTemplate]:
        """Every template of the tenant, every version, status and language."""
        ...

    def insert(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        """Raises domain.platform.errors.AlreadyExists when that key/language/school/version exists."""
        ...
