"""The rules and shapes behind the letter-template use cases (services/letters/templates/admin.py):
how a series and a version are addressed, what an edit may change, the ETag of a shipped
starter, who may manage what, what the audit keeps, and how versions are numbered."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.letters.templates import LetterTemplate, LockScope, TemplateStatus
from domain.platform.access import Principal
from domain.platform.errors import Forbidden, NotFound, ValidationFailed

ENTITY = "letterTemplate"
_CAMEL = {"approved_by": "approvedBy", "lock_scope": "lockScope", "merge_fields": "mergeFields",
          "school_id": "schoolId", "effective_from": "effectiveFrom", "last_edited_by": "lastEditedBy"}


@dataclass(frozen=True)
class Ref:
    """One series (key, language, school or None for the district) and optionally a version."""

    key: str
    language: str
    school_id: str | None
    version: int | None = None


@dataclass(frozen=True)
class Changes:
    """What a create or an edit sets; None keeps the current (or the district's) value."""

    body: str | None = None
    merge_fields: Mapping[str, Any] | None = None
    effective_from: date | None = None
    lock_scope: LockScope | None = None


@contextmanager
def api_fields() -> Iterator[None]:
    """Domain rules name fields in snake case; the API names them as its JSON does."""
    try:
        yield
    except ValidationFailed as exc:
        if exc.field in _CAMEL:
            raise ValidationFailed(exc.detail, field=_CAMEL[exc.field]) from exc
        raise


def etag_of(template: LetterTemplate) -> str:
    return template.etag or f'"starter-{template.key}-{template.language}-v{template.version}"'


def summary(t: LetterTemplate) -> dict[str, Any]:
    """What the audit keeps: identity and state (not the body)."""
    return {"key": t.key, "language": t.language, "schoolId": t.school_id, "version": t.version,
            "status": t.status.value, "lockScope": t.lock_scope.value,
            "effectiveFrom": t.effective_from.isoformat(), "lastEditedBy": t.last_edited_by,
            "approvedBy": t.approved_by, "machineTranslated": t.machine_translated}


def ensure_manageable(principal: Principal, school_id: str | None) -> None:
    if school_id is None and not principal.tenant_wide:
        raise Forbidden("district templates are managed by district admins; a school admin manages "
                        "its school's overrides (override=true)", field="override")
    if school_id is not None and not principal.covers(school_id):
        raise NotFound("no such template")


def find(templates: list[LetterTemplate], ref: Ref) -> LetterTemplate:
    """`ref.version` of the series, or without one its latest. Raises NotFound."""
    series = series_of(templates, ref)
    if ref.version is None:
        return series[-1]
    for template in series:
        if template.version == ref.version:
            return template
    raise NotFound(f"no version {ref.version} of template {ref.key!r} in {ref.language!r}")


def series_of(templates: list[LetterTemplate], ref: Ref) -> list[LetterTemplate]:
    found = [t for t in templates
             if (t.key, t.language, t.school_id) == (ref.key, ref.language, ref.school_id)]
    if not found:
        where = f" for school {ref.school_id}" if ref.school_id else ""
        raise NotFound(f"no template {ref.key!r} in {ref.language!r}{where}")
    return sorted(found, key=lambda t: t.version)


def district_of(templates: list[LetterTemplate], ref: Ref) -> LetterTemplate | None:
    """The district version an override answers to: the newest APPROVED, else the newest."""
    series = [t for t in templates if (t.key, t.language, t.school_id) == (ref.key, ref.language, None)]
    approved = [t for t in series if t.status is TemplateStatus.APPROVED]
    return max(approved or series, key=lambda t: t.version, default=None)


def next_version(templates: list[LetterTemplate], ref: Ref) -> int:
    """Above every version of the key and language, the district's and every school's."""
    return 1 + max((t.version for t in templates if (t.key, t.language) == (ref.key, ref.language)),
                   default=0)
