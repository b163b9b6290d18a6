"""The school year before this one, for windows that reach back across the summer (England's
penalty period "can span different terms or school years"; docs/rules.md, Windows)."""

from __future__ import annotations

from datetime import timedelta

from domain.attendance.calendar import SchoolCalendar
from services.roster.ports import RosterReader

# A summer break is at most about three months; a calendar ending longer ago than this belongs to
# an earlier year, and the year in between is not stored.
_GAP = timedelta(days=183)


def previous_year(roster: RosterReader, tenant_id: str, school_id: str,
                  calendar: SchoolCalendar) -> SchoolCalendar | None:
    """The stored calendar of the school year just before `calendar`'s, or None (one read)."""
    found = roster.calendar_before(tenant_id, school_id, calendar.start)
    return found if found is not None and calendar.start - found.end <= _GAP else None
