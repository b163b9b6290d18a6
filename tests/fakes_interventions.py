"""In-memory fakes for the intervention scheduler and queue: the store (ETag-checked like the
table), the rule set reader and the summary rows by date."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date

from domain.attendance.summaries import DailySummary
from domain.casework.cases import Case, QueueItem
from domain.ladder.events import InterventionEvent
from domain.ladder.model import StudentInterventionInstance
from domain.platform.errors import NotFound
from domain.rules import InterventionRuleSet
from services.interventions.ports import StudentChange

_etags = itertools.count(1)


class FakeStore:
    """InterventionStore over dicts. `refuse` lists students whose next save is refused (as if
    staff changed them meanwhile)."""

    def __init__(self) -> None:
        self.instance_rows: dict[str, StudentInterventionInstance] = {}
        self.event_rows: dict[tuple[str, int], InterventionEvent] = {}
        self.items: dict[str, QueueItem] = {}
        self.case_rows: dict[str, Case] = {}
        self.outbox: list = []  # type: ignore[type-arg]
        self.saves = 0  # transactions written

    def instances(self, tenant_id: str, school_id: str) -> list[StudentInterventionInstance]:
        return list(self.instance_rows.values())

    def instance(self, tenant_id: str, school_id: str, instance_id: str) -> StudentInterventionInstance:
        if instance_id not in self.instance_rows:
            raise NotFound("no such instance")
        return self.instance_rows[instance_id]

    def student_instances(self, tenant_id: str, school_id: str,
                          student_id: str) -> list[StudentInterventionInstance]:
        return [i for i in self.instance_rows.values() if i.student_id == student_id]

    def events(self, tenant_id: str, school_id: str, instance_id: str) -> list[InterventionEvent]:
        return [e for (iid, _), e in sorted(self.event_rows.items()) if iid == instance_id]

    def cases(self, tenant_id: str, school_id: str) -> dict[str, Case]:
        return dict(self.case_rows)

    def case(self, tenant_id: str, school_id: str, student_id: str) -> Case | None:
        return self.case_rows.get(student_id)

    def queue(self, tenant_id: str, school_id: str) -> list[QueueItem]:
        return list(self.items.values())

    def queue_item(self, tenant_id: str, school_id: str, action_id: str) -> QueueItem:
        if action_id not in self.items:
            raise NotFound("no such action")
        return self.items[action_id]

    def save(self, tenant_id: str, school_id: str, changes: Sequence[StudentChange]) -> list[str]:
        refused = []
        for change in changes:
            if not self._current(change):
                refused.append(change.student_id)
                continue
            self.saves += 1
            for instance, events in change.instances:
                self.instance_rows[instance.id] = replace(instance, etag=f"e{next(_etags)}")
                self.event_rows.update({(e.instance_id, e.sequence): e for e in events})
            for item in change.items:
                old = self.items.get(item.id)
                keep = item.queued_on is None and old is not None  # a merge keeps the stored day
                self.items[item.id] = replace(item, queued_on=old.queued_on) if keep and old else item
            if change.case is not None:
                self.case_rows[change.student_id] = replace(change.case, etag=f"e{next(_etags)}")
            self.outbox += change.outbound
        return refused

    def _current(self, change: StudentChange) -> bool:
        for instance, _ in change.instances:
            stored = self.instance_rows.get(instance.id)
            if (stored.etag if stored else None) != instance.etag:
                return False
        if change.case is not None:
            stored_case = self.case_rows.get(change.student_id)
            if (stored_case.etag if stored_case else None) != change.case.etag:
                return False
        return True


class FakeRuleSets:
    def __init__(self, *rule_sets: InterventionRuleSet) -> None:
        self.rule_sets = list(rule_sets)

    def active_for_school(self, tenant_id: str, school_id: str) -> list[InterventionRuleSet]:
        return [r for r in self.rule_sets if r.active]

    def version(self, tenant_id: str, rule_set_id: str, version: int) -> InterventionRuleSet:
        for r in self.rule_sets:
            if (r.id, r.version) == (rule_set_id, version):
                return r
        raise NotFound("no such version")


class FakeSummaryDays:
    """Rows by student; counts the dates asked for per call (one batch per night)."""

    def __init__(self, rows: dict[str, dict[date, DailySummary]]) -> None:
        self.rows = rows
        self.calls = 0

    def on_dates(self, tenant_id: str, school_id: str,
                 days: Collection[date]) -> dict[date, dict[str, DailySummary]]:
        self.calls += 1
        return {d: {sid: by_day[d] for sid, by_day in self.rows.items() if d in by_day} for d in days}
