"""The school's Wonde codes under review, and a school admin's answer to one.

Mapping a code stores the decision (the next sync keeps it over the letter), adds it to the
school's code mapping, and ingests the marks held back for that code, so nothing waits for the
next sync; the same normalize message a sync sends then follows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from domain.platform.access import Principal
from domain.platform.errors import NotFound
from domain.platform.events import SisSyncCompleted
from domain.sis.code_mapping import CodeReview, confirm
from services.platform.ports import Clock
from services.sis.steps import Deps, code_table, ingest
from services.sis.sync import AfterSync


@dataclass(frozen=True)
class ReviewedCode:
    review: CodeReview
    held: int  # marks waiting for this code


class CodeReviews:
    def __init__(self, deps: Deps, clock: Clock, after: AfterSync) -> None:
        self._deps, self._clock, self._after = deps, clock, after

    def list(self, tenant_id: str, school_id: str) -> list[ReviewedCode]:
        self._deps.roster.school(tenant_id, school_id)  # NotFound
        held = Counter(r["attendance_code"] for r in self._deps.state.pending(tenant_id, school_id))
        reviews = sorted(self._deps.state.reviews(tenant_id, school_id), key=lambda r: (r.status, r.wonde_id))
        return [ReviewedCode(r, held.get(r.wonde_id, 0)) for r in reviews]

    def decide(self, actor: Principal | None, tenant_id: str, school_id: str, code_id: str,
               code: str) -> tuple[ReviewedCode, dict[str, int]]:
        """Map one Wonde code; ValidationFailed for a code not in the school's table."""
        school = self._deps.roster.school(tenant_id, school_id)
        found = {r.wonde_id: r for r in self._deps.state.reviews(tenant_id, school_id)}.get(code_id)
        if found is None:
            raise NotFound(f"no Wonde code {code_id!r} at this school")
        table = code_table(self._deps.roster, school, school.local_date(self._clock.now()))
        decided = confirm(found, code, table)
        if decided != found:
            self._deps.state.save_reviews(tenant_id, school_id, [decided])
            mapping = self._deps.roster.code_mapping(tenant_id, school_id)
            self._deps.roster_service.put_code_mapping(actor, tenant_id, school_id,
                                                       {**mapping, code_id: decided.mapped_to or code})
        counts = self._release(actor, (tenant_id, school_id), code_id)
        if counts.get("created") or counts.get("replaced"):
            self._after(SisSyncCompleted(tenant_id=tenant_id, school_id=school_id,
                                         sync_id=f"codes/{code_id}", completed_at=self._clock.now()))
        return ReviewedCode(decided, 0), counts

    def _release(self, actor: Principal | None, ids: tuple[str, str], code_id: str) -> dict[str, int]:
        waiting = [r for r in self._deps.state.pending(*ids) if r["attendance_code"] == code_id]
        counts = {"released": len(waiting)}
        if waiting:
            ingest(self._deps, actor, ids, waiting, counts)
            self._deps.state.release_pending(*ids, waiting)
        return counts


