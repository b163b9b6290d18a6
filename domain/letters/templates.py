"""Letter templates: versioned, approved by someone other than their last editor, in force from a
date, and overridable by a school only where the district allows it.

A template is immutable: editing means a new version, approving returns an approved copy. The
merge-field schema is a small JSON-schema-like dict, ``{"field": {"type": "string",
"required": True}}``; rendering checks the merge data against it (``domain.letters.render``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from domain.platform.errors import NotFound, ValidationFailed

FIELD_TYPES = frozenset({"string", "integer", "number", "boolean", "date", "list", "object"})


class TemplateStatus(StrEnum):
    DRAFT = "DRAFT"
    APPROVED = "APPROVED"
    RETIRED = "RETIRED"


class LockScope(StrEnum):
    DISTRICT_ONLY = "DISTRICT_ONLY"
    SCHOOL_OVERRIDE_ALLOWED = "SCHOOL_OVERRIDE_ALLOWED"


def _check_schema(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    if not isinstance(schema, Mapping):
        raise ValidationFailed("the merge-field schema must be a mapping", field="merge_fields")
    checked: dict[str, dict[str, Any]] = {}
    for name, spec in schema.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValidationFailed(f"merge field {name!r} is not a valid name", field="merge_fields")
        if not isinstance(spec, Mapping) or spec.get("type") not in FIELD_TYPES:
            raise ValidationFailed(
                f"merge field {name!r} needs a type, one of {', '.join(sorted(FIELD_TYPES))}",
                field="merge_fields")
        unknown = set(spec) - {"type", "required"}
        if unknown:
            raise ValidationFailed(f"merge field {name!r} has unknown keys {sorted(unknown)}",
                                   field="merge_fields")
        checked[name] = {"type": spec["type"], "required": bool(spec.get("required", True))}
    return checked


@dataclass(frozen=True)
class LetterTemplate:
    """One version of one template, in one language; `school_id` set means a school override."""

    key: str
    version: int
    body: str
    language: str
    last_edited_by: str
    effective_from: date
    merge_fields: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    status: TemplateStatus = TemplateStatus.DRAFT
    lock_scope: LockScope = LockScope.DISTRICT_ONLY
    school_id: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    # a machine translation of `translated_from` (that version of the same key in another
    # language): a DRAFT until a person approves it, so nothing machine-translated is sent unread
    machine_translated: bool = False
    translated_from: str | None = None  # "<language> v<version>" of the source
    etag: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.key or not self.key.strip():
            raise ValidationFailed("a template needs a key", field="key")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise ValidationFailed("the version is a whole number from 1", field="version")
        if not self.last_edited_by:
            raise ValidationFailed("a template records who last edited it", field="last_edited_by")
        if not self.language:
            raise ValidationFailed("a template has a language", field="language")
        object.__setattr__(self, "status", TemplateStatus(self.status))
        object.__setattr__(self, "lock_scope", LockScope(self.lock_scope))
        object.__setattr__(self, "merge_fields", MappingProxyType(_check_schema(self.merge_fields)))
        if self.status is TemplateStatus.APPROVED and not (self.approved_by and self.approved_at):
            raise ValidationFailed("an approved template records who approved it and when",
                                   field="approved_by")
        if self.approved_by is not None and self.approved_by == self.last_edited_by:
            raise ValidationFailed("the approver must differ from the last editor",
                                   field="approved_by")

    @property
    def is_override(self) -> bool:
        return self.school_id is not None


def approve(template: LetterTemplate, approver: str, at: datetime) -> LetterTemplate:
    """An approved copy; only a draft can be approved, and not by the person who last edited it."""
    if template.status is not TemplateStatus.DRAFT:
        raise ValidationFailed(f"only a DRAFT template can be approved (this one is "
                               f"{template.status})", field="status")
    if not approver:
        raise ValidationFailed("the approver must be named", field="approved_by")
    if approver == template.last_edited_by:
        raise ValidationFailed("the approver must differ from the last editor "
                               f"({template.last_edited_by})", field="approved_by")
    if at.tzinfo is None:
        raise ValidationFailed("the approval time must carry a time zone", field="approved_at")
    return replace(template, status=TemplateStatus.APPROVED, approved_by=approver, approved_at=at)


def retire(template: LetterTemplate) -> LetterTemplate:
    if template.status is TemplateStatus.RETIRED:
        raise ValidationFailed("the template is already retired", field="status")
    return replace(template, status=TemplateStatus.RETIRED)


def require_sendable(template: LetterTemplate) -> None:
    """Only approved templates are sent (drafts may only be previewed)."""
    if template.status is not TemplateStatus.APPROVED:
        raise ValidationFailed(f"template {template.key} v{template.version} is {template.status}; "
                               "only an APPROVED template can be sent", field="status")


def check_override_allowed(override: LetterTemplate, district: LetterTemplate) -> None:
    """A school override is refused where the district template it overrides locks it."""
    if not override.is_override:
        raise ValidationFailed("an override names its school", field="school_id")
    if district.is_override:
        raise ValidationFailed("an override overrides a district template", field="school_id")
    if (override.key, override.language) != (district.key, district.language):
        raise ValidationFailed("an override has the key and language of the district template",
                               field="key")
    if district.lock_scope is LockScope.DISTRICT_ONLY:
        raise ValidationFailed(f"the district locks template {district.key}: no school override",
                               field="lock_scope")


def _latest(candidates: Iterable[LetterTemplate]) -> LetterTemplate | None:
    return max(candidates, key=lambda t: (t.effective_from, t.version), default=None)


def applicable_template(templates: Iterable[LetterTemplate], key: str, language: str, on: date,
                        school_id: str | None = None) -> LetterTemplate:
    """The APPROVED template in force on `on`: the district version with the latest effective date
    not after `on`; a school's approved override replaces it only where that district version
    allows overrides and the override is not older than it (new legal wording in a new district
    version supersedes older overrides until the school overrides again)."""
    in_force = [t for t in templates if t.key == key and t.language == language
                and t.status is TemplateStatus.APPROVED and t.effective_from <= on]
    district = _latest(t for t in in_force if not t.is_override)
    if district is None:
        raise NotFound(f"no approved template {key!r} in {language!r} in force on {on.isoformat()}")
    if school_id is None or district.lock_scope is LockScope.DISTRICT_ONLY:
        return district
    override = _latest(t for t in in_force if t.school_id == school_id
                       and t.effective_from >= district.effective_from)
    return override or district
