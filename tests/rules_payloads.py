"""Rule-set bodies for the rule-set API tests: a small two-letter ladder on session counts."""

from __future__ import annotations

from typing import Any


def stage(order: int, kind: str, threshold: int, **extra: Any) -> dict[str, Any]:
    return {"order": order, "type": kind, "name": f"Stage {order}",
            "letterTemplateKey": f"letter-{order}",
            "entry": {"type": "absenceCountThreshold", "threshold": threshold, "unit": "sessions"},
            "waitSchoolDays": 2, "requiresApproval": True, **extra}


def rule_set(name: str = "Two letters", first: int = 4, second: int = 8, **extra: Any) -> dict[str, Any]:
    """Letter 1 at `first` absent sessions this year, letter 2 at `second`."""
    return {"jurisdiction": "ENG", "name": name, "coolOffSchoolDays": 5,
            "stages": [stage(1, "LETTER_1", first), stage(2, "LETTER_2", second)], **extra}


DRAFT = rule_set()
