"""Pausing a ladder: a meeting's MEDICAL_PLAN holds the student's intervention still until the
plan's review date.

While `paused_until` is on or after the night's date the nightly neither advances, queues nor
escalates the instance; only its stop condition is still asked (taking less action is never
wrong). The first school night after the review date resumes it (a RESUMED event) and the night
then goes on as usual. Stage waits are not extended: a wait that ran out during the pause lets
the ladder move on the night it resumes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from domain.ladder.model import InvalidTransition, StudentInterventionInstance
from domain.ladder.table import Applied, Command, apply
from domain.platform.errors import ValidationFailed


def is_paused(instance: StudentInterventionInstance | None, on: date) -> bool:
    return instance is not None and instance.paused_until is not None and on <= instance.paused_until


def pause(instance: StudentInterventionInstance, *, on: date, until: date, reason: str,
          actor: str | None = None, at: datetime | None = None,
          data: dict[str, str] | None = None) -> Applied:
    """Hold the ladder still through `until` (a later pause replaces an earlier one)."""
    if until <= on:
        raise ValidationFailed("a pause must end after today", field="reviewOn")
    if not reason.strip():
        raise ValidationFailed("a pause needs a reason", field="reason")
    return apply(instance, Command.PAUSE, on=on, actor=actor, reason=reason, at=at,
                 data={**(data or {}), "until": until.isoformat()}, paused_until=until, pause_reason=reason)


def resume(instance: StudentInterventionInstance, *, on: date, actor: str | None = None,
           at: datetime | None = None) -> Applied:
    """End the pause (the nightly after the review date, actor None)."""
    if instance.paused_until is None:
        raise InvalidTransition(f"instance {instance.id} is not paused", field="pausedUntil")
    until = instance.paused_until.isoformat()
    reason = f"review date {until} passed" if actor is None else "resumed by staff"
    moved = apply(instance, Command.RESUME, on=on, actor=actor, reason=reason, at=at,
                  data={"until": instance.paused_until.isoformat()})
    return Applied(replace(moved.instance, paused_until=None, pause_reason=None), moved.events)
