"""Mapping a school's Wonde attendance codes onto its jurisdiction's code table.

Wonde identifies each code by an id (what a session mark's `attendance_code` holds) and carries
the MIS letter and description. A code whose letter is in the table maps automatically, by that
letter. Every other code goes on the review list with a suggested meaning, status UNREVIEWED,
until staff confirm one: an unmapped code's marks are rejected by name (UnknownCode) rather than
counted wrongly. Reasons a code needs review:

- its letter is not in the table: a custom MIS code, or one withdrawn (H, F in England since 2024);
- its letter is there only in another case (`l` for `L`): MIS letters are case-sensitive;
- Wonde's own `type` for it contradicts the table (a code typed present whose letter means absent).

Staff decisions are kept by Wonde id and win over the letter on the next sync.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.attendance.codes import CodeCategory, CodeTable
from domain.platform.errors import ValidationFailed
from domain.sis.records import parse_each
from domain.sis.values import text
from domain.sis.wonde import Issue


class ReviewStatus(StrEnum):
    UNREVIEWED = "UNREVIEWED"
    MAPPED = "MAPPED"


@dataclass(frozen=True, slots=True)
class WondeCode:
    """One entry of `attendance-codes`. `type` is Wonde's own category word, when it sends one."""

    id: str
    code: str
    description: str
    type: str | None = None


def parse_wonde_code(record: dict[str, Any]) -> WondeCode:
    found = {name: text(record.get(name), name, max_length=200) for name in ("id", "code", "description")}
    for name in ("id", "code"):
        if found[name] is None:
            raise ValidationFailed("is required", field=name)
    kind = record.get("type", record.get("category"))
    return WondeCode(id=str(found["id"]), code=str(found["code"]), description=found["description"] or "",
                     type=text(kind, "type", max_length=64) if isinstance(kind, str) else None)


def parse_wonde_codes(records: Iterable[Any]) -> tuple[list[WondeCode], list[Issue]]:
    return parse_each(records, parse_wonde_code)


@dataclass(frozen=True, slots=True)
class CodeReview:
    """A Wonde code and what it means here: `mapped_to` once MAPPED, `suggested` while UNREVIEWED."""

    wonde_id: str
    code: str
    description: str
    status: ReviewStatus
    mapped_to: str | None = None
    suggested: str | None = None
    suggested_meaning: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class CodeMappingPlan:
    table_version: str
    codes: tuple[CodeReview, ...]

    @property
    def mapped(self) -> tuple[CodeReview, ...]:
        return tuple(c for c in self.codes if c.status is ReviewStatus.MAPPED)

    @property
    def review(self) -> tuple[CodeReview, ...]:
        """The codes staff must decide, in Wonde's order."""
        return tuple(c for c in self.codes if c.status is ReviewStatus.UNREVIEWED)

    def entries(self) -> dict[str, str]:
        """Wonde code id -> jurisdiction code: the school's mapping (`RosterStore.code_mapping`)."""
        return {c.wonde_id: c.mapped_to for c in self.mapped if c.mapped_to}


# Wonde's `type` words are not documented field by field: only words that say plainly which side
# of the register a code is on are read, and anything else is ignored.
_FAMILIES: tuple[tuple[str, frozenset[CodeCategory]], ...] = (
    (r"\b(unauthori[sz]ed|unexcused|unexplained)\b", frozenset({CodeCategory.UNAUTHORISED_ABSENCE})),
    (r"\b(authori[sz]ed|excused|explained)\b", frozenset({CodeCategory.AUTHORISED_ABSENCE})),
    (r"\bnot (required|possible|counted)\b|\bnon ?statutory\b",
     frozenset({CodeCategory.NOT_POSSIBLE, CodeCategory.ADMINISTRATIVE})),
    (r"\baea\b|\bapproved\b", frozenset({CodeCategory.APPROVED_ACTIVITY})),
    (r"\bpresent\b|\battend(ed|ing|ance)?\b", frozenset({CodeCategory.PRESENT, CodeCategory.LATE_PRESENT,
                                                       CodeCategory.APPROVED_ACTIVITY})),
    (r"\babsen(t|ce)\b", frozenset({CodeCategory.AUTHORISED_ABSENCE, CodeCategory.UNAUTHORISED_ABSENCE})),
)
_WORD = re.compile(r"[a-z]{3,}")
_STOP = frozenset({"the", "and", "not", "for", "any", "other", "absence", "absent", "leave", "attending",
                   "unable", "attend", "pupil", "school"})


def _family(kind: str | None) -> frozenset[CodeCategory] | None:
    word = re.sub(r"[^a-z]+", " ", (kind or "").lower())  # "late_present" reads as "late present"
    return next((cats for pattern, cats in _FAMILIES if re.search(pattern, word)), None)


def _meaning(table: CodeTable, code: str) -> str:
    info = table.info(code)
    return f"{info.code}: {info.description} ({info.category.value})"


def suggest(table: CodeTable, wonde: WondeCode) -> str | None:
    """The table code that best fits a code with no letter match: the same letter in another case,
    else the description sharing most words with this one (None when none shares any)."""
    if wonde.code.strip().upper() in table.codes:
        return wonde.code.strip().upper()
    words = set(_WORD.findall(wonde.description.lower())) - _STOP
    scored = [(len(words & set(_WORD.findall(info.description.lower()))), code)
              for code, info in table.codes.items()]
    best = max(scored, key=lambda pair: pair[0], default=(0, ""))
    return best[1] if best[0] else None


def _by_letter(table: CodeTable, wonde: WondeCode) -> CodeReview:
    letter = wonde.code.strip()
    if letter in table.codes:
        category, family = table.codes[letter].category, _family(wonde.type)
        if family is not None and category not in family:
            return CodeReview(wonde.id, wonde.code, wonde.description, ReviewStatus.UNREVIEWED,
                              suggested=letter, suggested_meaning=_meaning(table, letter),
                              reason=f"Wonde types it {wonde.type!r}; {letter} is {category.value} "
                                     f"in {table.version}")
        return CodeReview(wonde.id, wonde.code, wonde.description, ReviewStatus.MAPPED, mapped_to=letter,
                          reason=f"the letter {letter} is in {table.version}")
    suggested = suggest(table, wonde)
    meaning = _meaning(table, suggested) if suggested else None
    return CodeReview(wonde.id, wonde.code, wonde.description, ReviewStatus.UNREVIEWED,
                      suggested=suggested, suggested_meaning=meaning,
                      reason=f"{letter!r} is not a code of {table.version}")


def map_codes(codes: Iterable[WondeCode], table: CodeTable,
              decided: Mapping[str, str] | None = None) -> CodeMappingPlan:
    """Each code mapped by a staff decision (`decided`: Wonde id -> table code) or by its letter;
    the rest UNREVIEWED. A decision naming a code the table lacks is ignored, so the code is
    reviewed again (the table changed under it, as England's did in August 2024)."""
    reviewed = []
    for wonde in codes:
        chosen = (decided or {}).get(wonde.id)
        if chosen is not None and chosen in table.codes:
            reviewed.append(CodeReview(wonde.id, wonde.code, wonde.description, ReviewStatus.MAPPED,
                                       mapped_to=chosen, reason="confirmed by staff"))
        else:
            reviewed.append(_by_letter(table, wonde))
    return CodeMappingPlan(table.version, tuple(reviewed))


def confirm(review: CodeReview, code: str, table: CodeTable) -> CodeReview:
    """Staff's decision for a code under review. Raises ValidationFailed for a code not in the table."""
    if code not in table.codes:
        raise ValidationFailed(f"{code!r} is not a code of {table.version}", field="code")
    return CodeReview(review.wonde_id, review.code, review.description, ReviewStatus.MAPPED,
                      mapped_to=code, reason="confirmed by staff")
