"""Attendance code tables per jurisdiction (versioned JSON under code_tables/) and the mapping of a
school's SIS-local codes onto them. Unknown codes raise `UnknownCode`, which names the code, so an
ingester can reject one record and carry on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import NotRequired, TypedDict

from domain.platform.errors import ValidationFailed
from domain.roster.schools import Jurisdiction

# Beside this module, not via the environment: the tables ship with the code they match.
TABLES_DIR = Path(__file__).with_name("code_tables")

FLAGS = frozenset({"penalty", "truancy", "tardy-over-30", "explained", "unexplained", "suspension"})


class CodeCategory(StrEnum):
    PRESENT = "present"
    LATE_PRESENT = "late-present"
    APPROVED_ACTIVITY = "approved-activity"
    AUTHORISED_ABSENCE = "authorised-absence"
    UNAUTHORISED_ABSENCE = "unauthorised-absence"
    NOT_POSSIBLE = "not-possible"
    ADMINISTRATIVE = "administrative"  # Z and #: not possible either

    @property
    def possible(self) -> bool:
        return self not in (CodeCategory.NOT_POSSIBLE, CodeCategory.ADMINISTRATIVE)

    @property
    def absence(self) -> bool:
        return self in (CodeCategory.AUTHORISED_ABSENCE, CodeCategory.UNAUTHORISED_ABSENCE)


class UnknownCode(ValidationFailed):
    """A code that is neither in the jurisdiction's table nor in the school's mapping."""

    def __init__(self, code: str, table_version: str) -> None:
        super().__init__(f"attendance code {code!r} is not in {table_version} or the school's mapping",
                         field="code")
        self.code = code
        self.table_version = table_version


class NoCodeTable(ValidationFailed):
    """No table version of the jurisdiction is in effect on the date asked for."""


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    description: str
    category: CodeCategory
    flags: frozenset[str]


@dataclass(frozen=True)
class CodeTable:
    jurisdiction: Jurisdiction
    version: str
    effective_from: date
    codes: Mapping[str, CodeInfo]

    def info(self, code: str) -> CodeInfo:
        found = self.codes.get(code) or self.codes.get(code.strip().upper())
        if found is None:
            raise UnknownCode(code, self.version)
        return found

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and (code in self.codes or code.strip().upper() in self.codes)

    def category(self, code: str) -> CodeCategory:
        return self.info(code).category

    def is_possible(self, code: str) -> bool:
        return self.info(code).category.possible

    def counts_for_penalty(self, code: str) -> bool:
        """England: G, N, O, U count toward the 10-sessions-in-10-school-weeks threshold."""
        return "penalty" in self.info(code).flags

    def counts_for_truancy(self, code: str) -> bool:
        """California: an unexcused absence or a tardy over 30 minutes (EC 48260)."""
        return not self.info(code).flags.isdisjoint({"truancy", "tardy-over-30"})

    def is_tardy_over_30(self, code: str) -> bool:
        return "tardy-over-30" in self.info(code).flags

    def is_explained(self, code: str) -> bool | None:
        """Ireland: True for the Tusla explained reasons, False for unexplained, None otherwise."""
        flags = self.info(code).flags
        return True if "explained" in flags else False if "unexplained" in flags else None


class CodeEntryDocument(TypedDict):
    code: str
    description: str
    category: str
    flags: NotRequired[list[str]]


class CodeTableDocument(TypedDict):
    """One file under code_tables/, the keys read (its description and sources are for people)."""
    jurisdiction: str
    version: str
    effectiveFrom: str
    codes: list[CodeEntryDocument]


def parse_code_table(document: CodeTableDocument) -> CodeTable:
    """Builds a table from one JSON document; rejects unknown categories, flags and duplicates."""
    version = str(document["version"])
    codes: dict[str, CodeInfo] = {}
    for entry in document["codes"]:
        flags = frozenset(entry.get("flags", ()))
        if not flags <= FLAGS:
            raise ValueError(f"{version}: code {entry['code']!r} has unknown flags {sorted(flags - FLAGS)}")
        if entry["code"] in codes:
            raise ValueError(f"{version}: code {entry['code']!r} is listed twice")
        codes[entry["code"]] = CodeInfo(entry["code"], entry["description"],
                                        CodeCategory(entry["category"]), flags)
    return CodeTable(Jurisdiction(document["jurisdiction"]), version,
                     date.fromisoformat(str(document["effectiveFrom"])), codes)


@lru_cache(maxsize=1)
def all_code_tables() -> tuple[CodeTable, ...]:
    """Every shipped table, oldest first within a jurisdiction. Read once per process."""
    tables = [parse_code_table(json.loads(p.read_text(encoding="utf-8")))
              for p in sorted(TABLES_DIR.glob("*.json"))]
    return tuple(sorted(tables, key=lambda t: (t.jurisdiction.value, t.effective_from)))


def load_code_table(jurisdiction: Jurisdiction, on: date | None = None) -> CodeTable:
    """The version in effect on `on` (typically the school year's first day); the newest if None."""
    candidates = [t for t in all_code_tables() if t.jurisdiction is jurisdiction
                  and (on is None or t.effective_from <= on)]
    if not candidates:
        raise NoCodeTable(f"no {jurisdiction.value} code table is in effect on {on}", field="date")
    return candidates[-1]


class CodeMapping:
    """A school's SIS-local codes (a SIS code id or letter) mapped onto its jurisdiction's codes.

    A mapped entry wins; otherwise a code the table already knows passes through unchanged,
    because English SISs mostly send the national letters and only local sub-codes need mapping.
    """

    def __init__(self, table: CodeTable, entries: Mapping[str, str] | None = None) -> None:
        self.table = table
        self.entries: dict[str, str] = {}
        for sis_code, code in (entries or {}).items():
            if code not in table:  # a bad mapping is reported when it is saved, not per mark
                raise ValidationFailed(f"mapping {sis_code!r} -> {code!r}: {code!r} is not in "
                                       f"{table.version}", field="mapping")
            self.entries[sis_code] = table.info(code).code

    def resolve(self, sis_code: str) -> str:
        """The jurisdiction code for a SIS code, or `UnknownCode`."""
        mapped = self.entries.get(sis_code)
        if mapped is not None:
            return mapped
        return self.table.info(sis_code).code

    def to_dict(self) -> dict[str, str]:
        return dict(self.entries)
