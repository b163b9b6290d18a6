"""Request and response shapes of the meeting routes (camelCase JSON)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from domain.meetings.model import Attendees, FollowUp, InterventionMeeting, MeetingOutcome, MeetingStatus
from functions.http.platform.routes import ApiModel
from functions.http.shell.params import IsoDate, IsoDateTime
from services.meetings.service import MeetingChange

_ID = Field(min_length=1, max_length=128)


class AttendeesBody(ApiModel):
    staff_ids: list[str] = Field(default_factory=list, max_length=50, description="Staff subject ids")
    guardian_ids: list[str] = Field(default_factory=list, max_length=20)

    def attendees(self) -> Attendees:
        return Attendees(tuple(self.staff_ids), tuple(self.guardian_ids))


class FollowUpBody(ApiModel):
    assignee: str = Field(min_length=1, max_length=200, description="The member of staff's subject id")
    due_on: IsoDate


class MeetingBody(ApiModel):
    student_id: str = _ID
    instance_id: str | None = Field(default=None, min_length=1, max_length=128,
                                    description="The intervention the meeting belongs to")
    starts_at: IsoDateTime = Field(description="With a time zone offset")
    ends_at: IsoDateTime
    location: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=4000)
    attendees: AttendeesBody | None = Field(default=None, description="Who is invited")


class MeetingUpdate(ApiModel):
    status: MeetingStatus | None = Field(default=None, description="CANCELLED, HELD or NO_SHOW to move it; "
                                         "SCHEDULED (with times) to book a PROPOSED meeting; omit to edit")
    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None
    location: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=4000)
    attendees: AttendeesBody | None = Field(default=None, description="HELD: who was there")
    outcome: MeetingOutcome | None = None
    outcome_notes: str = Field(default="", max_length=4000)
    review_on: IsoDate | None = Field(default=None, description="MEDICAL_PLAN: the review date")
    follow_up: FollowUpBody | None = Field(default=None, description="SUPPORT_PLAN: the follow-up task")

    def change(self) -> MeetingChange:
        follow = FollowUp(self.follow_up.assignee, self.follow_up.due_on) if self.follow_up else None
        return MeetingChange(self.status, self.starts_at, self.ends_at, self.location, self.notes,
                             self.attendees.attendees() if self.attendees else None, self.outcome,
                             self.outcome_notes, self.review_on, follow)


class MeetingView(ApiModel):
    id: str
    student_id: str
    instance_id: str | None
    stage_order: int | None
    status: MeetingStatus
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    location: str
    attendees: AttendeesBody
    notes: str
    outcome: MeetingOutcome | None
    outcome_notes: str
    review_on: dt.date | None
    follow_up: FollowUpBody | None
    held_on: dt.date | None
    proposed_from: str | None
    sequence: int
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime

    @classmethod
    def of(cls, m: InterventionMeeting) -> MeetingView:
        return cls(id=m.id, student_id=m.student_id, instance_id=m.instance_id, stage_order=m.stage_order,
                   status=m.status, starts_at=m.starts_at, ends_at=m.ends_at, location=m.location,
                   attendees=AttendeesBody(staff_ids=list(m.attendees.staff_ids),
                                           guardian_ids=list(m.attendees.guardian_ids)),
                   notes=m.notes, outcome=m.outcome, outcome_notes=m.outcome_notes, review_on=m.review_on,
                   follow_up=(FollowUpBody(assignee=m.follow_up.assignee, due_on=m.follow_up.due_on)
                              if m.follow_up else None),
                   held_on=m.held_on, proposed_from=m.proposed_from, sequence=m.sequence,
                   created_by=m.created_by, created_at=m.created_at, updated_by=m.updated_by,
                   updated_at=m.updated_at)


class MeetingPage(ApiModel):
    items: list[MeetingView]
    continuation_token: str | None = None
