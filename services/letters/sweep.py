"""No stranded letters. Delivery runs on the blob event of a rendered PDF and claims the artifact
(SENDING, services/letters/delivery.py) before sending; a process that dies after the claim leaves
it SENDING, and a lost blob event leaves it RENDERED, with nothing left to fire for it. The
nightly (services/interventions/housekeeping.py) sweeps each school: one filtered read of its
artifact partition, then the delivery again for every artifact

- SENDING whose claim is older than the delivery's LEASE (its sender died), or
- RENDERED for longer than `rendered_after` (its blob event was evidently lost),

through the same `deliver(path)` the blob trigger calls, so every guarantee holds: the hash is
checked, a fresh claim is taken (only one of two racers sends), a DELIVERED letter sends nothing.
RENDERED letters flagged guardian-unreachable are left to staff (nothing can be sent to them).

A sender that died after the e-mail left but before DELIVERED was saved is sent again: the lease
makes delivery at-least-once, as the blob trigger's own retries already are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from services.letters.delivery import LEASE
from services.platform.ports import Clock

log = logging.getLogger(__name__)
# a blob event reaches the delivery within seconds to minutes; an hour means it was lost
RENDERED_AFTER = timedelta(hours=1)


class StrandedSource(Protocol):
    def with_status(self, tenant_id: str, school_id: str,
                    statuses: Iterable[ArtifactStatus]) -> list[LetterArtifact]:
        """The school's artifacts in any of `statuses`, in one read."""
        ...


@dataclass(frozen=True)
class SweepResult:
    redelivered: int = 0  # delivered (or found delivered) by the sweep
    failed: int = 0       # the delivery raised: left as it was, the next night tries again
    # action ids whose undelivered letters are all rendered: their render job evidently arrived,
    # so the lost-letter-job resend (services/letters/resend.py) leaves them alone
    rendered: frozenset[str] = frozenset()


def stranded(artifacts: Iterable[LetterArtifact], now: datetime, *,
             rendered_after: timedelta = RENDERED_AFTER) -> list[LetterArtifact]:
    """The artifacts no blob event will deliver any more, by id (a stable order for the logs)."""
    def lost(a: LetterArtifact) -> bool:
        if a.storage_path is None or a.companion_of is not None:
            return False  # not rendered, or a kept original (it goes out with its letter)
        if a.status is ArtifactStatus.SENDING:
            return a.sending_since is None or now - a.sending_since >= LEASE
        return (a.status is ArtifactStatus.RENDERED and not a.guardian_unreachable
                and now - a.generated_at >= rendered_after)
    return sorted((a for a in artifacts if lost(a)), key=lambda a: a.id)


_UNDELIVERED = (ArtifactStatus.PENDING, ArtifactStatus.FAILED, ArtifactStatus.SENDING,
                ArtifactStatus.RENDERED)


def rendered_actions(undelivered: Iterable[LetterArtifact]) -> frozenset[str]:
    """The actions among `undelivered` none of whose letters is left to render."""
    actions: dict[str, bool] = {}
    for artifact in undelivered:
        actions[artifact.action_id] = actions.get(artifact.action_id, True) and artifact.status.done
    return frozenset(a for a, done in actions.items() if done)


class LetterSweep:
    def __init__(self, artifacts: StrandedSource, deliver: Callable[[str], LetterArtifact], clock: Clock,
                 *, rendered_after: timedelta = RENDERED_AFTER) -> None:
        self._artifacts, self._deliver, self._clock = artifacts, deliver, clock
        self._rendered_after = rendered_after

    def run(self, tenant_id: str, school_id: str) -> SweepResult:
        # every undelivered status: PENDING and FAILED are not swept, but they tell `rendered`
        # which actions still have a letter to render (few rows: a render ends in minutes)
        found = self._artifacts.with_status(tenant_id, school_id, _UNDELIVERED)
        redelivered = failed = 0
        for artifact in stranded(found, self._clock.now(), rendered_after=self._rendered_after):
            assert artifact.storage_path is not None
            try:
                after = self._deliver(artifact.storage_path)
            except Exception as exc:  # noqa: BLE001 - one letter's failure must not stop the school's night
                log.warning("stranded letter %s not delivered (%s)", artifact.id, type(exc).__name__)
                failed += 1
                continue
            if after.status is ArtifactStatus.DELIVERED:
                redelivered += 1
        if redelivered or failed:
            log.info("school %s: %s stranded letters delivered, %s failed", school_id, redelivered, failed)
        return SweepResult(redelivered, failed, rendered_actions(found))
