"""Which letters the nightly sweep re-delivers (services/letters/sweep.py): SENDING past the
delivery's lease, RENDERED past `rendered_after` unless the guardian is unreachable; and a
delivery that raises is counted, not propagated."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from services.letters.delivery import LEASE
from services.letters.sweep import RENDERED_AFTER, LetterSweep, stranded

NOW = datetime(2024, 10, 7, 2, 0, tzinfo=UTC)
BASE = LetterArtifact(id="a", tenant_id="t", school_id="s1", student_id="st1", instance_id="i",
                      stage_order=1, action_id="act", template_key="LETTER_1", template_version=1,
                      guardian_id="g1", language="en", status=ArtifactStatus.RENDERED,
                      generated_at=NOW, storage_path="t/s1/a.pdf", content_hash="h")


def sending(id_: str, since: datetime | None) -> LetterArtifact:
    return replace(BASE, id=id_, status=ArtifactStatus.SENDING, sending_since=since,
                   storage_path=f"t/s1/{id_}.pdf")


def rendered(id_: str, at: datetime, **changes: object) -> LetterArtifact:
    changes.setdefault("storage_path", f"t/s1/{id_}.pdf")
    return replace(BASE, id=id_, generated_at=at, **changes)  # type: ignore[arg-type]


class Clock:
    def now(self) -> datetime:
        return NOW


class Source:
    def __init__(self, *artifacts: LetterArtifact) -> None:
        self.artifacts, self.reads = list(artifacts), 0

    def with_status(self, tenant_id: str, school_id: str, statuses: object) -> list[LetterArtifact]:
        self.reads += 1
        return [a for a in self.artifacts if a.status in set(statuses)]  # type: ignore[call-overload]


def test_only_letters_no_event_will_deliver_are_picked_in_id_order() -> None:
    artifacts = [
        sending("s-expired", NOW - LEASE),
        sending("s-held", NOW - LEASE + timedelta(seconds=1)),
        sending("s-no-time", None),
        rendered("r-lost", NOW - RENDERED_AFTER),
        rendered("r-fresh", NOW - RENDERED_AFTER + timedelta(seconds=1)),
        rendered("r-unreachable", NOW - timedelta(days=1), guardian_unreachable=True),
        rendered("r-no-pdf", NOW - timedelta(days=1), storage_path=None),
        replace(rendered("d-done", NOW - timedelta(days=1)), status=ArtifactStatus.DELIVERED),
    ]

    assert [a.id for a in stranded(artifacts, NOW)] == ["r-lost", "s-expired", "s-no-time"]


def test_one_read_every_stranded_letter_tried_and_a_failure_counted_not_raised() -> None:
    source = Source(rendered("b", NOW - timedelta(hours=2)), sending("a", NOW - timedelta(hours=1)),
                    rendered("c", NOW))
    tried: list[str] = []

    def deliver(path: str) -> LetterArtifact:
        tried.append(path)
        if len(tried) == 1:
            raise OSError("smtp down")
        return replace(BASE, status=ArtifactStatus.DELIVERED)

    result = LetterSweep(source, deliver, Clock()).run("t", "s1")

    assert (result.redelivered, result.failed) == (1, 1)
    assert tried == ["t/s1/a.pdf", "t/s1/b.pdf"]  # by id; c was rendered just now
    assert source.reads == 1
