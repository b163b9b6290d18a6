"""The result of evaluating a condition: whether it holds, and why, in plain words."""

from __future__ import annotations

from typing import NamedTuple


class Outcome(NamedTuple):
    met: bool
    evidence: tuple[str, ...]


NOTHING_RECORDED = Outcome(False, ("no attendance has been recorded for this school year yet",))
NOT_UNDER_WAY = Outcome(False, ("no intervention step is under way",))
