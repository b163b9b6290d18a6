"""Comparing an imported roster with the stored one: what to write, and per-student counts.

Students are keyed by their SIS id, so a re-import updates in place; rows that did not change are
not written at all. A student counts as updated when its row, any of its guardian links, or any
of its guardians changed. Students missing from an import are kept (Wonde reports deletions
separately; a leaver arrives with `leaving_date`). A student's contact list in the import is
complete for that student, so links to contacts no longer listed are removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from domain.sis.wonde import Issue, RosterRecord
from services.roster.ports import LinkKey, RosterChange, RosterSnapshot


@dataclass
class ImportResult:
    accepted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"accepted": self.accepted, "rejected": len(self.rejected), "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "warnings": len(self.warnings)}


def plan(records: list[RosterRecord], stored: RosterSnapshot) -> tuple[RosterChange, ImportResult]:
    change, result = RosterChange(), ImportResult(accepted=len(records))
    # a guardian shared by siblings appears once per sibling; the last listing wins
    guardians = {g.guardian_id: g for r in records for g in r.guardians}
    changed_guardians = {gid for gid, g in guardians.items() if stored.guardians.get(gid) != g}
    change.guardians = [guardians[gid] for gid in sorted(changed_guardians)]
    stored_links: dict[str, dict[LinkKey, object]] = defaultdict(dict)
    for link_key, link in stored.links.items():
        stored_links[link_key[0]][link_key] = link
    for record in records:
        student = record.student
        before = stored.students.get(student.student_id)
        old_links = stored_links.get(student.student_id, {})
        new_links = [link for link in record.links
                     if old_links.get((link.student_id, link.guardian_id)) != link]
        kept = {(link.student_id, link.guardian_id) for link in record.links}
        removed = sorted(k for k in old_links if k not in kept)
        if before != student:
            change.students.append(student)
        change.links.extend(new_links)
        change.removed_links.extend(removed)
        if before is None:
            result.created += 1
        elif (before != student or new_links or removed
              or any(g.guardian_id in changed_guardians for g in record.guardians)):
            result.updated += 1
        else:
            result.unchanged += 1
    return change, result
