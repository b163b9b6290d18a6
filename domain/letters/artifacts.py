"""A rendered letter: which template version went to which guardian in which language, where its
PDF lives, the PDF's SHA-256 and the merge data it was rendered from.

The id is fixed by (instance, stage, guardian, language, template key and version), so a
redelivered letter job finds the artifact it already wrote instead of creating another. A meeting
invitation's id also names the meeting and its `sequence` (a moved meeting is invited again with a
new artifact); a plain letter's id leaves them out, so existing ids do not change. A translated
letter's school-language companion differs from it by language (and template version), so its id
is fixed too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain.platform.events import event_id


class ArtifactStatus(StrEnum):
    PENDING = "PENDING"      # merge data snapshotted, PDF not stored yet (a retry re-renders it)
    RENDERED = "RENDERED"    # PDF stored with its hash
    FAILED = "FAILED"        # gave up after the last attempt; `failure_reason` says why
    # claimed by one delivery (ETag-conditional) that is sending it now; a claim older than
    # services/letters/delivery.py's lease may be taken over by a retry (the sender crashed)
    SENDING = "SENDING"
    DELIVERED = "DELIVERED"  # sent by the delivery function (`channel` says how)

    @property
    def done(self) -> bool:
        """Nothing left for the render job to do: the PDF is stored (SENDING is past that too)."""
        return self in (ArtifactStatus.RENDERED, ArtifactStatus.SENDING, ArtifactStatus.DELIVERED)


@dataclass(frozen=True)
class Attachment:
    """A further file on a letter's e-mail (e.g. a meeting invitation's .ics calendar file)."""

    filename: str
    content: bytes
    content_type: str  # e.g. "text/calendar"


NO_GUARDIAN = "-"  # guardian/language of a job that failed before its recipients were known


def artifact_id(instance_id: str, stage_order: int, guardian_id: str, language: str,
                template_key: str, template_version: int, meeting_id: str | None = None,
                meeting_sequence: int = 0) -> str:
    meeting = ("meeting", meeting_id, str(meeting_sequence)) if meeting_id is not None else ()
    return event_id("letter.artifact", instance_id, str(stage_order), guardian_id, language,
                    template_key, str(template_version), *meeting)


def snapshot_json(data: dict[str, Any]) -> str:
    """The merge data as canonical JSON (dates as ISO strings), so equal data gives equal text."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=_iso)


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"merge data value of type {type(value).__name__} is not JSON")


def snapshot_data(snapshot: str, date_fields: set[str]) -> dict[str, Any]:
    """The merge data back from its snapshot; top-level `date` fields become dates again."""
    data: dict[str, Any] = json.loads(snapshot)
    return {k: date.fromisoformat(v) if k in date_fields and isinstance(v, str) else v
            for k, v in data.items()}


@dataclass(frozen=True)
class LetterArtifact:
    id: str
    tenant_id: str
    school_id: str
    student_id: str
    instance_id: str
    stage_order: int
    action_id: str
    template_key: str
    template_version: int
    guardian_id: str
    language: str
    status: ArtifactStatus
    generated_at: datetime
    storage_path: str | None = None
    content_hash: str | None = None
    merge_data: str = "{}"  # snapshot_json of the merge data
    missing_translation: str | None = None  # the guardian's language no approved template had
    failure_reason: str | None = None
    attempts: int = 0
    delivered_at: datetime | None = None
    # no usable contact for the guardian's preference: nothing was sent, staff must follow up
    guardian_unreachable: bool = False
    sending_since: datetime | None = None  # when the current SENDING claim was taken
    channel: str | None = None  # EMAIL, POST or EMAIL_AND_POST once DELIVERED
    # a meeting invitation: the meeting and the `sequence` (time and place) it invites to
    meeting_id: str | None = None
    meeting_sequence: int | None = None
    # the school-language original of a translated letter, kept where the school asks for it
    # (`School.keep_source_letter`): the id of the translated letter it is sent with. It is not a
    # letter of its own: its blob event sends nothing, it is DELIVERED together with its letter.
    companion_of: str | None = None
    etag: str | None = None

    def rendered(self, path: str, sha256: str, at: datetime) -> LetterArtifact:
        return replace(self, status=ArtifactStatus.RENDERED, storage_path=path, content_hash=sha256,
                       generated_at=at, failure_reason=None)

    def failed(self, reason: str, attempts: int) -> LetterArtifact:
        return replace(self, status=ArtifactStatus.FAILED, failure_reason=reason, attempts=attempts)

    def sending(self, at: datetime) -> LetterArtifact:
        """The delivery's claim: saved with the read ETag, so only one of two racers gets it."""
        return replace(self, status=ArtifactStatus.SENDING, sending_since=at)

    def released(self) -> LetterArtifact:
        """The claim given back (sending failed): RENDERED again, so a retry can claim it."""
        return replace(self, status=ArtifactStatus.RENDERED, sending_since=None)

    def delivered(self, at: datetime, channel: str) -> LetterArtifact:
        return replace(self, status=ArtifactStatus.DELIVERED, delivered_at=at, failure_reason=None,
                       guardian_unreachable=False, sending_since=None, channel=channel)

    def unreachable(self) -> LetterArtifact:
        """Stays RENDERED (nothing was sent) with the guardian flagged for staff."""
        return replace(self, guardian_unreachable=True)
