"""Starter letter templates shipped with the product, one per jurisdiction and stage, in English.

Each starter is a JSON file in ``domain/letters/starters/`` (key, version, jurisdiction, stage
type, language, effective-from date, lock scope, merge-field schema, and the name of its HTML
body file next to it). Keys match the presets' ``letterTemplateKey`` values; Ireland also has
``ie-meeting-invitation`` for a district that adds a MEETING stage (the preset has none).

The starters load APPROVED so that a new district can send letters on day one. The template
rules require the approver to differ from the last editor, so the starters record their author
as ``starter-author`` (the product team who wrote them) and their approver as ``district`` (the
district accepts the starters as shipped when it adopts a preset) at a fixed time,
``STARTER_APPROVED_AT``, so loading is deterministic. A district that wants its own approver on
record edits a starter (a new version, DRAFT) and approves that.

California's notification 1 follows EC 48260.5 as in force on the letter's date: version 1 from
2024-07-01 (items a-h, before SB 691) and version 2 from 2025-07-01 (items a-g, after SB 691);
``applicable_template`` picks the right one by date. Both are DISTRICT_ONLY (legal wording).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from domain.letters.templates import LetterTemplate, LockScope, TemplateStatus
from domain.roster.schools import Jurisdiction
from domain.rules.ruleset import StageType

STARTERS_DIR = Path(__file__).resolve().parent / "starters"
STARTER_AUTHOR = "starter-author"
STARTER_APPROVER = "district"
STARTER_APPROVED_AT = datetime(2024, 6, 1, tzinfo=UTC)


def _load(path: Path) -> tuple[Jurisdiction, StageType, LetterTemplate]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    body = (path.parent / doc["body"]).read_text(encoding="utf-8")
    template = LetterTemplate(
        key=doc["key"], version=int(doc["version"]), body=body, language=doc["language"],
        last_edited_by=STARTER_AUTHOR, effective_from=date.fromisoformat(doc["effectiveFrom"]),
        merge_fields=doc["mergeFields"], status=TemplateStatus.APPROVED,
        lock_scope=LockScope(doc["lockScope"]), approved_by=STARTER_APPROVER,
        approved_at=STARTER_APPROVED_AT)
    return Jurisdiction(doc["jurisdiction"]), StageType(doc["stageType"]), template


@cache
def _all() -> tuple[tuple[Jurisdiction, StageType, LetterTemplate], ...]:
    return tuple(_load(p) for p in sorted(STARTERS_DIR.glob("*.json")))


def starter_templates(jurisdiction: Jurisdiction | None = None) -> tuple[LetterTemplate, ...]:
    """Every starter (every version), or one jurisdiction's, in file-name order."""
    return tuple(t for j, _, t in _all() if jurisdiction is None or j is jurisdiction)


def starter_index() -> tuple[tuple[Jurisdiction, StageType, LetterTemplate], ...]:
    """(jurisdiction, stage type, template) for every starter."""
    return _all()
