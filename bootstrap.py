"""Composition root: the platform, then each capability's wiring (composition/), built once.

Building a Composition is cheap: SDK clients and services are built on first use, not at import
(the Flex Consumption host gives an app 30 s to start). Triggers and the HTTP dependencies read
the installed one through `composition()`; tests and devhost install their own.
"""

from __future__ import annotations

import threading

from composition import attendance, interventions, letters, meetings, platform, roster, rules, sis
from composition.attendance import AttendanceWiring
from composition.casework import CaseworkWiring
from composition.interventions import InterventionsWiring
from composition.letters import LettersWiring
from composition.meetings import MeetingsWiring
from composition.nightly import NightlyWiring
from composition.platform import Platform
from composition.roster import RosterWiring
from composition.rules import RulesWiring
from composition.sis import SisWiring
from services.platform.ports import Clock, SystemClock
from settings import Settings

# Every table the app uses; `ensure_storage` creates them (Bicep does in Azure).
TABLES = [*platform.TABLES, *roster.TABLES, *attendance.TABLES, *rules.TABLES, *interventions.TABLES,
          *letters.TABLES, *meetings.TABLES, *sis.TABLES]
QUEUES = [*platform.QUEUES, *attendance.QUEUES, *interventions.QUEUES, *letters.QUEUES, *meetings.QUEUES,
          *sis.QUEUES]
# Tables whose services stage outbox events (services.platform.outbox.stage): the outbox-sweep timer
# scans these for rows whose nudge was lost. A capability lists its own in its composition module.
OUTBOX_TABLES = [*attendance.OUTBOX_TABLES, *interventions.OUTBOX_TABLES]


class Composition:
    """Every capability's wiring, in the order they need each other."""

    def __init__(self, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self.platform = Platform(settings or Settings(), clock or SystemClock(), OUTBOX_TABLES)
        self.roster = RosterWiring(self.platform)
        self.attendance = AttendanceWiring(self.platform, self.roster)
        self.interventions = InterventionsWiring(self.platform, self.roster)
        self.rules = RulesWiring(self.platform, self.roster, self.attendance, self.interventions)
        self.casework = CaseworkWiring(self.platform, self.roster, self.interventions)
        self.meetings = MeetingsWiring(self.platform, self.roster, self.rules, self.interventions,
                                       self.casework)
        self.letters = LettersWiring(self.platform, self.roster, self.attendance, self.interventions,
                                     self.meetings)
        self.sis = SisWiring(self.platform, self.roster, self.attendance)
        self.nightly = NightlyWiring(self.platform, self.roster, self.attendance, self.rules,
                                     self.interventions, self.casework, self.meetings, self.letters)

    def ensure_storage(self) -> None:
        """Create every table, queue and blob container if missing (local run and tests)."""
        self.platform.ensure_storage(TABLES, QUEUES)


_lock = threading.Lock()
_installed: Composition | None = None


def composition() -> Composition:
    """The app's composition, built on first use."""
    global _installed
    with _lock:
        if _installed is None:
            _installed = Composition()
        return _installed


def use_composition(value: Composition | None) -> None:
    """Install another composition (tests, devhost); None builds the default on next use."""
    global _installed
    with _lock:
        _installed = value
