"""In-memory fakes for the intervention scheduler and queue: the store (ETag-checked like the
table), the rule set reader and the summary rows by date; and `nightly`, a school's night over
fakes, with nothing to sweep, no exemptions, meetings or invitations unless a test gives them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import date

from domain.attendance.summaries import DailySummary
from domain.casework.cases import Case, QueueItem
from domain.ladder.events import InterventionEvent
from domain.ladder.model import StudentInterventionInstance
from domain.meetings.model import InterventionMeeting
from domain.meetings.notices import InvitationRecord
from domain.platform.errors import NotFound
from domain.rules import Exemption, InterventionRuleSet
from services.casework.ports import ExemptionReader
from services.interventions.effects import SendJob
from services.interventions.housekeeping import Housekeeping
from services.interventions.nightly import Nightly
from services.interventions.ports import StudentChange, StudentRowsReader
from services.interventions.scheduler import Scheduler
from services.interventions.school_night import NightReader
from services.letters.sweep import SweepResult
from services.meetings.cancellation_resend import LostCancellations, SentNotices
from services.meetings.ports import MeetingReader
from services.meetings.resend import InvitationReader
from services.platform.ports import Clock
from services.roster.ports import RosterReader

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
    """Rows by student; counts the reads (one batch per night, and one range per student whose
    stage lists its sessions)."""

    def __init__(self, rows: dict[str, dict[date, DailySummary]]) -> None:
        self.rows = rows
        self.calls = 0

    def on_dates(self, tenant_id: str, school_id: str,
                 days: Collection[date]) -> dict[date, dict[str, DailySummary]]:
        self.calls += 1
        return {d: {sid: by_day[d] for sid, by_day in self.rows.items() if d in by_day} for d in days}

    def for_student(self, tenant_id: str, school_id: str, student_id: str, first: date,
                    last: date) -> list[DailySummary]:
        self.calls += 1
        return [r for d, r in sorted(self.rows.get(student_id, {}).items()) if first <= d <= last]


class NoExemptions:
    def exemptions(self, tenant_id: str, school_id: str) -> dict[str, Exemption]:
        return {}


class NoMeetings:
    def school(self, tenant_id: str, school_id: str) -> list[InterventionMeeting]:
        return []


class NoInvitations:
    def school(self, tenant_id: str, school_id: str) -> list[InvitationRecord]:
        return []


class NoSentNotices:
    def sent(self, tenant_id: str, school_id: str) -> set[tuple[str, str]]:
        return set()


def nothing_stranded(tenant_id: str, school_id: str) -> SweepResult:
    return SweepResult()


def nightly(rules: FakeRuleSets, roster: RosterReader, summaries: FakeSummaryDays, store: FakeStore,
            clock: Clock, send_letter_job: SendJob, *, exemptions: ExemptionReader | None = None,
            meetings: MeetingReader | None = None, student_rows: StudentRowsReader | None = None,
            sweep_letters: Callable[[str, str], SweepResult] = nothing_stranded,
            invitations: InvitationReader | None = None, sent_notices: SentNotices | None = None,
            send_notice: SendJob = lambda job: None) -> Nightly:
    """The production night (reader, housekeeping, scheduler) over fakes; what a test leaves out
    is an empty fake."""
    reader = NightReader(rules, roster, store, NoMeetings() if meetings is None else meetings)
    cancellations = LostCancellations(NoSentNotices() if sent_notices is None else sent_notices, send_notice)
    housekeeping = Housekeeping(sweep_letters, store, send_letter_job,
                                NoInvitations() if invitations is None else invitations, cancellations, clock)
    scheduler = Scheduler(rules, roster, summaries, store, clock, send_letter_job,
                          NoExemptions() if exemptions is None else exemptions,
                          summaries if student_rows is None else student_rows)
    return Nightly(reader, housekeeping, scheduler)
