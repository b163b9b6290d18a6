"""The calendar invitation: RFC 5545 shape, CRLF, 75-octet folding (never inside a UTF-8
character), TEXT escaping, UTC times, deterministic bytes, and a SEQUENCE that goes up when the
meeting is moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from domain.meetings.ics import escape_text, fold, meeting_ics
from domain.meetings.transitions import schedule, update

LONDON_SUMMER = timezone(timedelta(hours=1))
CREATED = datetime(2024, 10, 1, 8, 30, tzinfo=UTC)


def meeting():  # type: ignore[no-untyped-def]
    return schedule("mtg-1", "t", "s", "p", starts_at=datetime(2024, 10, 15, 9, tzinfo=LONDON_SUMMER),
                    ends_at=datetime(2024, 10, 15, 10, tzinfo=LONDON_SUMMER), actor="u", now=CREATED,
                    location="Room 4, Main building; ground floor")


def test_the_invitation_is_a_request_with_utc_times_and_a_stable_uid() -> None:
    text = meeting_ics(meeting(), summary="Attendance meeting").decode()
    lines = text.split("\r\n")
    assert lines[:5] == ["BEGIN:VCALENDAR", "VERSION:2.0", lines[2], "CALSCALE:GREGORIAN", "METHOD:REQUEST"]
    assert "UID:mtg-1@meetings.attendance-orchestrator" in lines
    assert "DTSTART:20241015T080000Z" in lines and "DTEND:20241015T090000Z" in lines
    assert "DTSTAMP:20241001T083000Z" in lines and "SEQUENCE:0" in lines
    assert "LOCATION:Room 4\\, Main building\\; ground floor" in lines
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")
    assert meeting_ics(meeting(), summary="Attendance meeting") == text.encode()


def test_text_is_escaped() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    line = "DESCRIPTION:" + "Spotkanie w sprawie frekwencji ucznia – proszę przyjść ż " * 4
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1 and all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join([parts[0], *(p[1:] for p in parts[1:])]) == line  # unfolding gives it back
    text = meeting_ics(meeting(), summary="Meeting", description=line).decode()
    assert all(len(raw.encode()) <= 75 for raw in text.split("\r\n"))


def test_moving_the_meeting_raises_the_sequence_and_the_stamp() -> None:
    moved = update(meeting(), actor="u", now=CREATED + timedelta(days=1),
                   starts_at=datetime(2024, 10, 16, 9, tzinfo=UTC),
                   ends_at=datetime(2024, 10, 16, 10, tzinfo=UTC))
    text = meeting_ics(moved, summary="Attendance meeting").decode()
    assert "SEQUENCE:1" in text and "DTSTAMP:20241002T083000Z" in text
    notes_only = update(moved, actor="u", now=CREATED + timedelta(days=2), notes="bring the report")
    assert notes_only.sequence == 1
