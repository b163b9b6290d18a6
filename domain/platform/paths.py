"""Blob containers and deterministic blob paths; every part is checked so no path leaves its prefix."""

from __future__ import annotations

import re
from datetime import date

from domain.platform.errors import ValidationFailed

SIS_RAW = "sis-raw"
LETTERS = "letters"
REPORTS = "reports"
PRINT_BATCHES = "print-batches"
CONTAINERS = (SIS_RAW, LETTERS, REPORTS, PRINT_BATCHES)

# Azure caps a blob name at 1024 characters; four ids of this size and a date still fit.
MAX_PART = 200
_EXT = re.compile(r"[a-z0-9]{1,10}")


def _part(value: str, field: str) -> str:
    """The id unchanged, or ValidationFailed naming `field`.

    Ids are never rewritten (two spellings of one id would be two blobs); anything that could
    add, remove or hide a path segment is refused instead.
    """
    if not value:
        raise ValidationFailed(f"{field} must not be empty", field=field)
    if len(value) > MAX_PART:
        raise ValidationFailed(f"{field} is longer than {MAX_PART} characters", field=field)
    if "/" in value or "\\" in value:
        raise ValidationFailed(f"{field} must not contain '/' or '\\'", field=field)
    # ".", ".." and a trailing dot: URL normalisation and Azure's own rules treat them specially
    if value.endswith("."):
        raise ValidationFailed(f"{field} must not end with '.'", field=field)
    if value != value.strip():
        raise ValidationFailed(f"{field} must not start or end with whitespace", field=field)
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        raise ValidationFailed(f"{field} must not contain control characters", field=field)
    return value


def _ext(value: str) -> str:
    if not _EXT.fullmatch(value):
        raise ValidationFailed("ext must be 1-10 lower-case letters or digits, without a dot",
                               field="ext")
    return value


def tenant_prefix(tenant_id: str) -> str:
    """Every path of a tenant starts with this (in any container)."""
    return f"{_part(tenant_id, 'tenant_id')}/"


def school_prefix(tenant_id: str, school_id: str) -> str:
    """Every school-scoped path of a school starts with this."""
    return f"{tenant_prefix(tenant_id)}{_part(school_id, 'school_id')}/"


def sis_raw_path(tenant_id: str, school_id: str, received_on: date, batch_id: str) -> str:
    """In SIS_RAW: `{tenant}/{school}/{yyyy}/{mm}/{dd}/{batch_id}.json`."""
    return (f"{school_prefix(tenant_id, school_id)}{received_on:%Y/%m/%d}/"
            f"{_part(batch_id, 'batch_id')}.json")


def letter_path(tenant_id: str, school_id: str, artifact_id: str) -> str:
    """In LETTERS: `{tenant}/{school}/letters/{artifact_id}.pdf`."""
    return f"{school_prefix(tenant_id, school_id)}letters/{_part(artifact_id, 'artifact_id')}.pdf"


def parse_letter_path(path: str) -> tuple[str, str, str]:
    """(tenant_id, school_id, artifact_id) of a path letter_path built; ValidationFailed otherwise."""
    parts = path.split("/")
    if len(parts) == 4:
        tenant_id, school_id, artifact_id = parts[0], parts[1], parts[3].removesuffix(".pdf")
        # rebuilding it checks every part and the fixed segments at once
        if letter_path(tenant_id, school_id, artifact_id) == path:
            return tenant_id, school_id, artifact_id
    raise ValidationFailed(f"not a letter path: {path!r}", field="path")


def print_batch_path(tenant_id: str, school_id: str, day: date, ext: str) -> str:
    """In PRINT_BATCHES: `{tenant}/{school}/{yyyy}/{mm}/{yyyy-mm-dd}.{ext}` (one per school day)."""
    return f"{school_prefix(tenant_id, school_id)}{day:%Y/%m/%Y-%m-%d}.{_ext(ext)}"


def report_path(tenant_id: str, run_id: str, ext: str) -> str:
    """In REPORTS: `{tenant}/{run_id}.{ext}`."""
    return f"{tenant_prefix(tenant_id)}{_part(run_id, 'run_id')}.{_ext(ext)}"
