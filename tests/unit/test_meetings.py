"""The meeting's own rules: the transition table, dates and fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.ladder.model import InvalidTransition
from domain.meetings.model import MEETING_TRANSITIONS, FollowUp, MeetingCommand, MeetingOutcome, MeetingStatus
from domain.meetings.records import meeting_from_record, meeting_to_record
from domain.meetings.transitions import cancel, hold, no_show, propose, proposes_another, schedule, update
from domain.platform.errors import ValidationFailed

NOW = datetime(2024, 10, 14, 15, tzinfo=UTC)
START = datetime(2024, 10, 15, 9, tzinfo=UTC)
AFTER = START + timedelta(hours=2)
TODAY = date(2024, 10, 15)


def booked():  # type: ignore[no-untyped-def]
    return schedule("m", "t", "s", "p", starts_at=START, ends_at=START + timedelta(hours=1), actor="u",
                    now=NOW, instance_id="i", stage_order=3)


def test_closed_meetings_accept_nothing() -> None:
    for status in (MeetingStatus.HELD, MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW):
        assert not any(key[0] is status for key in MEETING_TRANSITIONS)
    assert (MeetingStatus.PROPOSED, MeetingCommand.HOLD) not in MEETING_TRANSITIONS


def test_schedule_needs_aware_times_in_order() -> None:
    with pytest.raises(ValidationFailed) as naive:
        schedule("m", "t", "s", "p", starts_at=datetime(2024, 10, 15, 9), ends_at=START, actor="u", now=NOW)
    assert naive.value.field == "startsAt"
    with pytest.raises(ValidationFailed) as backwards:
        schedule("m", "t", "s", "p", starts_at=START, ends_at=START, actor="u", now=NOW)
    assert backwards.value.field == "endsAt"


def test_held_not_before_the_start_and_not_twice() -> None:
    with pytest.raises(InvalidTransition):
        hold(booked(), outcome=MeetingOutcome.NO_ACTION, actor="u", now=START - timedelta(minutes=1),
             today=TODAY)
    done = hold(booked(), outcome=MeetingOutcome.NO_ACTION, actor="u", now=AFTER, today=TODAY)
    assert done.status is MeetingStatus.HELD and done.held_on == TODAY
    for again in (lambda: hold(done, outcome=MeetingOutcome.RESOLVED, actor="u", now=AFTER, today=TODAY),
                  lambda: no_show(done, actor="u", now=AFTER, today=TODAY),
                  lambda: cancel(done, actor="u", now=AFTER)):
        with pytest.raises(InvalidTransition):
            again()


def test_no_show_not_before_the_start_and_proposes_another() -> None:
    with pytest.raises(InvalidTransition):
        no_show(booked(), actor="u", now=NOW, today=TODAY)
    missed = no_show(booked(), actor="u", now=AFTER, today=TODAY)
    assert proposes_another(missed)
    proposed = propose(missed, actor="u", now=AFTER)
    assert (proposed.status, proposed.starts_at, proposed.stage_order) == (MeetingStatus.PROPOSED, None, 3)


def test_plans_keep_only_their_own_details() -> None:
    medical = hold(booked(), outcome=MeetingOutcome.MEDICAL_PLAN, actor="u", now=AFTER, today=TODAY,
                   review_on=date(2024, 11, 1), follow_up=FollowUp("x", date(2024, 11, 1)))
    assert medical.review_on == date(2024, 11, 1) and medical.follow_up is None
    with pytest.raises(ValidationFailed) as past:
        hold(booked(), outcome=MeetingOutcome.SUPPORT_PLAN, actor="u", now=AFTER, today=TODAY,
             follow_up=FollowUp("x", date(2024, 10, 1)))
    assert past.value.field == "followUp.dueOn"


def test_a_proposed_meeting_is_booked_by_giving_it_times() -> None:
    proposed = propose(no_show(booked(), actor="u", now=AFTER, today=TODAY), actor="u", now=AFTER)
    edited = update(proposed, actor="u", now=AFTER, location="Library")
    assert edited.status is MeetingStatus.PROPOSED
    with pytest.raises(ValidationFailed) as half:
        update(proposed, actor="u", now=AFTER, starts_at=START + timedelta(days=7))
    assert half.value.field == "endsAt"


def test_the_record_round_trips() -> None:
    meeting = hold(booked(), outcome=MeetingOutcome.SUPPORT_PLAN, actor="u", now=AFTER, today=TODAY,
                   follow_up=FollowUp("x", date(2024, 11, 1)))
    assert meeting_from_record(meeting_to_record(meeting)) == meeting
