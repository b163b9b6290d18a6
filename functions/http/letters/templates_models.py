"""Request and response shapes of the letter-template routes (camelCase JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from domain.letters.authoring import MAX_BODY_CHARS
from domain.letters.templates import LetterTemplate, LockScope
from functions.http.platform.routes import ApiModel
from functions.http.shell.params import IsoDate
from services.letters.templates.admin import Changes
from services.letters.templates.source import is_starter

KEY_PATTERN = r"^[A-Za-z0-9._-]+$"
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
MergeFields = dict[str, dict[str, Any]]


class TemplateSummary(ApiModel):
    key: str
    version: int
    language: str
    school_id: str | None = Field(description="Set on a school's override; null: the district's")
    status: str = Field(description="DRAFT, APPROVED or RETIRED")
    lock_scope: str = Field(description="DISTRICT_ONLY or SCHOOL_OVERRIDE_ALLOWED")
    effective_from: dt.date
    last_edited_by: str
    approved_by: str | None
    approved_at: dt.datetime | None
    machine_translated: bool = Field(description="A machine translation, to be read and approved")
    translated_from: str | None = Field(description='"<language> v<version>" of the source')
    starter: bool = Field(description="A shipped starter template (no stored row of its own)")

    @classmethod
    def fields_of(cls, t: LetterTemplate) -> dict[str, Any]:
        return dict(key=t.key, version=t.version, language=t.language, school_id=t.school_id,
                    status=t.status.value, lock_scope=t.lock_scope.value, effective_from=t.effective_from,
                    last_edited_by=t.last_edited_by, approved_by=t.approved_by, approved_at=t.approved_at,
                    machine_translated=t.machine_translated, translated_from=t.translated_from,
                    starter=is_starter(t))

    @classmethod
    def of(cls, t: LetterTemplate) -> TemplateSummary:
        return cls(**cls.fields_of(t))


class TemplateView(TemplateSummary):
    body: str
    merge_fields: MergeFields

    @classmethod
    def of(cls, t: LetterTemplate) -> TemplateView:
        return cls(**cls.fields_of(t), body=t.body,
                   merge_fields={name: dict(spec) for name, spec in t.merge_fields.items()})


class TemplatePage(ApiModel):
    items: list[TemplateSummary]
    continuation_token: str | None = None


class TemplateEdit(ApiModel):
    body: str | None = Field(default=None, min_length=1, max_length=MAX_BODY_CHARS,
                             description="Jinja2 (sandboxed, autoescaped); only declared merge fields")
    merge_fields: MergeFields | None = Field(
        default=None, description='{"name": {"type": "string", "required": true}}; names from the '
                                  "letters' merge fields (docs/api.md)")
    effective_from: IsoDate | None = Field(default=None, description="In force from this date")
    lock_scope: LockScope | None = Field(default=None, description="District templates only")

    def changes(self) -> Changes:
        return Changes(body=self.body, merge_fields=self.merge_fields, effective_from=self.effective_from,
                       lock_scope=self.lock_scope)


class TemplateCreate(TemplateEdit):
    key: str = Field(min_length=1, max_length=100, pattern=KEY_PATTERN)
    language: str = Field(min_length=2, max_length=20, pattern=LANGUAGE_PATTERN)


class PreviewRequest(ApiModel):
    student_id: str | None = Field(default=None, min_length=1, max_length=128,
                                   description="Merge the letter this student's guardian would get")
    merge_data: dict[str, Any] | None = Field(default=None, description="Exactly these values")
