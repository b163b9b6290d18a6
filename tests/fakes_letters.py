"""In-memory fakes for the letter renderer: artifacts, blobs (immutable like BlobStore), the
template source and merge builder, and a setup with one approved letter instance
(`RendererWorld`: the instance, its queue item and a LetterRenderer over these fakes)."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from domain.casework.cases import QueueItem
from domain.ladder.model import ActionState, InstanceStatus, StudentInterventionInstance
from domain.ladder.queue import ActionKind, action_id
from domain.letters import LetterTemplate, approve
from domain.letters.artifacts import LetterArtifact
from domain.platform.errors import AlreadyExists, ConcurrencyError, NotFound
from domain.roster.schools import Guardian, Jurisdiction, School, Student, StudentGuardian
from domain.rules.ruleset import StageType
from services.letters.job import LetterJob
from services.letters.render import LetterRenderer
from services.letters.translation import TranslationDrafts
from services.meetings.invitations import MeetingLookup
from services.platform.audit import AuditLog
from services.platform.ports import FixedClock
from services.roster.ports import StudentDetail
from tests.fakes_attendance import FakeAuditRepository
from tests.fakes_interventions import FakeStore

_etags = itertools.count(1)
T, S = "t1", "s1"
BODY = "<html><body><p>Dear {{ guardian_name }}, {{ child_name }} ({{ letter_date }})</p></body></html>"
SCHEMA = {"guardian_name": {"type": "string"}, "child_name": {"type": "string"},
          "letter_date": {"type": "date"}}


def template(language: str = "en", version: int = 1, key: str = "eng-letter-1") -> LetterTemplate:
    draft = LetterTemplate(key=key, version=version, body=BODY, language=language, last_edited_by="ed",
                           effective_from=date(2024, 9, 1), merge_fields=SCHEMA)
    return approve(draft, "boss", datetime(2024, 9, 1, tzinfo=UTC))


class FakeArtifacts:
    def __init__(self) -> None:
        self.rows: dict[str, LetterArtifact] = {}

    def get(self, tenant_id: str, school_id: str, artifact_id: str) -> LetterArtifact:
        if artifact_id not in self.rows:
            raise NotFound("no such artifact")
        return self.rows[artifact_id]

    def for_stage(self, tenant_id: str, school_id: str, instance_id: str,
                  stage_order: int) -> list[LetterArtifact]:
        return [a for a in self.rows.values() if (a.instance_id, a.stage_order) == (instance_id, stage_order)]

    def for_student(self, tenant_id: str, school_id: str, student_id: str) -> list[LetterArtifact]:
        return [a for a in self.rows.values() if a.student_id == student_id]

    def insert(self, artifact: LetterArtifact) -> LetterArtifact:
        if artifact.id in self.rows:
            raise AlreadyExists("exists")
        self.rows[artifact.id] = replace(artifact, etag=f"e{next(_etags)}")
        return self.rows[artifact.id]

    def replace(self, artifact: LetterArtifact) -> LetterArtifact:
        current = self.rows.get(artifact.id)
        if artifact.etag and (current is None or current.etag != artifact.etag):
            raise ConcurrencyError("changed")
        self.rows[artifact.id] = replace(artifact, etag=f"e{next(_etags)}")
        return self.rows[artifact.id]


class FakeBlobs:
    def __init__(self) -> None:
        self.blobs: dict[tuple[str, str], bytes] = {}
        self.puts = 0

    def put(self, container: str, path: str, data: bytes, *, content_type: str,
            metadata: dict[str, str] | None = None) -> object:
        self.puts += 1
        if self.blobs.get((container, path), data) != data:
            raise AlreadyExists("different bytes")
        self.blobs[(container, path)] = data
        return path

    def get(self, container: str, path: str) -> bytes:
        return self.blobs[(container, path)]


@dataclass
class FakePdf:
    content: bytes
    sha256: str


def fake_pdf(html: str, *, title: str = "Letter") -> FakePdf:
    data = f"%PDF {title} {html}".encode()
    return FakePdf(data, hashlib.sha256(data).hexdigest())


class FakeTemplates:
    """The template source and the school's templates in one; `reads` counts `for_school`."""

    def __init__(self, *templates: LetterTemplate) -> None:
        self.templates = list(templates)
        self.reads = 0

    def for_school(self, tenant_id: str, school_id: str) -> FakeTemplates:
        self.reads += 1
        return self

    def approved(self, key: str, language: str, on: date) -> LetterTemplate | None:
        found = [t for t in self.templates if (t.key, t.language) == (key, language)]
        return max(found, key=lambda t: t.version, default=None)

    def version(self, key: str, language: str, version: int) -> LetterTemplate:
        for t in self.templates:
            if (t.key, t.language, t.version) == (key, language, version):
                return t
        raise NotFound("no such template")


class FakeMerge:
    def __init__(self) -> None:
        self.fail: Exception | None = None

    def build(self, template: LetterTemplate, instance: Any, school: School, student: StudentDetail,
              guardian: Guardian, on: date) -> dict[str, Any]:
        if self.fail:
            raise self.fail
        return {"guardian_name": guardian.forename, "child_name": student.student.forename,
                "letter_date": on}


class FakeRoster:
    def __init__(self, links: list[tuple[StudentGuardian, Guardian]]) -> None:
        self.links = links
        self.school_row = School(tenant_id=T, school_id=S, name="School", jurisdiction=Jurisdiction.ENGLAND)

    def school(self, tenant_id: str, school_id: str) -> School:
        return self.school_row

    def student_detail(self, tenant_id: str, school_id: str, student_id: str) -> StudentDetail:
        student = Student(tenant_id=T, school_id=S, student_id=student_id, sis_id=student_id,
                          forename="Aoife",
                          surname="B", enrolment_start=date(2020, 9, 1))
        return StudentDetail(student, self.links)


def link(guardian_id: str, priority: int, *, pr: bool = True, lives: bool = True,
         language: str = "en") -> tuple[StudentGuardian, Guardian]:
    return (StudentGuardian(tenant_id=T, school_id=S, student_id="st1", guardian_id=guardian_id,
                            parental_responsibility=pr, priority=priority, lives_with_pupil=lives),
            Guardian(tenant_id=T, school_id=S, guardian_id=guardian_id, forename=f"G-{guardian_id}",
                     surname="B", preferred_language=language))


def letter_instance(**kw: Any) -> StudentInterventionInstance:
    values: dict[str, Any] = dict(id="i1", tenant_id=T, school_id=S, student_id="st1", rule_set_id="r1",
                                  rule_set_version=1, status=InstanceStatus.ACTIVE, stage_order=1,
                                  stage_type=StageType.LETTER_1, action=ActionState.APPROVED,
                                  started_on=date(2024, 9, 20), stage_entered_on=date(2024, 9, 20))
    return StudentInterventionInstance(**{**values, **kw})


def letter_item(instance: StudentInterventionInstance, key: str | None = "eng-letter-1") -> QueueItem:
    return QueueItem(action_id(instance.id, instance.stage_order), instance.id, instance.student_id, "r1", 1,
                     instance.stage_order, instance.stage_type, ActionKind.SEND_LETTER, key, (),
                     instance.stage_entered_on, "APPROVED")


class RendererWorld:
    """One approved letter instance (stage 1 unless `instance_kw` says otherwise) with its queue
    item naming `key`, the guardians `links` (one by default), and a LetterRenderer over fakes."""

    def __init__(self, *, links: list[tuple[StudentGuardian, Guardian]] | None = None,
                 templates: FakeTemplates | None = None, key: str = "eng-letter-1",
                 at: datetime = datetime(2024, 9, 23, 8, tzinfo=UTC),
                 audit: FakeAuditRepository | None = None, drafts: TranslationDrafts | None = None,
                 meetings: MeetingLookup | None = None, **instance_kw: Any) -> None:
        self.store = FakeStore()
        self.instance = letter_instance(**instance_kw)
        self.store.instance_rows[self.instance.id] = self.instance
        self.item = letter_item(self.instance, key=key)
        self.store.items[self.item.id] = self.item
        self.roster = FakeRoster(links if links is not None else [link("g1", 1)])
        self.artifacts, self.blobs, self.merge = FakeArtifacts(), FakeBlobs(), FakeMerge()
        self.audit = audit or FakeAuditRepository()
        self.clock = FixedClock(at)
        self.renderer = LetterRenderer(self.store, self.roster, templates or FakeTemplates(template()),
                                       self.merge, fake_pdf, self.blobs, self.artifacts,
                                       AuditLog(self.audit, self.clock), self.clock, drafts=drafts,
                                       meetings=meetings)
        self.job = LetterJob(T, S, self.instance.id, 1, self.item.id)  # stale when the instance moved on

    def actions(self) -> list[str]:
        return [r.action for r in self.audit.records]
