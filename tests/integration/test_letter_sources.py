"""A letter job on Azurite through the REAL template source and merge builder (no fakes): the
English starter LETTER_1, merge data from the stored daily summaries, and the chart added after
the snapshot. The PDF names the student, gives the absence figure and the typical classmate's."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from azure.functions import QueueMessage
from pypdf import PdfReader

import bootstrap
from domain.attendance.summaries import DailySummary, Status, Totals
from domain.platform.paths import LETTERS
from services.interventions.ports import StudentChange
from services.platform.ports import FixedClock
from tests.fakes_letters import letter_instance, letter_item
from tests.integration.test_attendance_api import function
from tests.roster_payloads import CALENDAR_BODY, SCHOOL_BODY, payload, student

pytestmark = pytest.mark.integration
NOW = datetime(2024, 10, 10, 12, tzinfo=UTC)
LATEST = date(2024, 10, 9)


@pytest.fixture
def container(settings) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A container with the real letter sources and a clock in the 2024-25 school year."""
    previous = bootstrap.composition()
    fixed = bootstrap.Composition(settings, clock=FixedClock(NOW))
    bootstrap.use_composition(fixed)
    yield fixed
    bootstrap.use_composition(previous)


def st1_history() -> list[DailySummary]:
    """Every Monday absent without a reason (O), present otherwise, 2024-09-02 to LATEST."""
    rows, possible, present, unauth, index = [], 0, 0, 0, 0
    day = date(2024, 9, 2)
    while day <= LATEST:
        if day.weekday() < 5:
            index += 1
            absent = day.weekday() == 0
            status = Status.UNAUTHORISED_ABSENT if absent else Status.PRESENT
            code = "O" if absent else None
            possible += 2
            present += 0 if absent else 2
            unauth += 2 if absent else 0
            totals = Totals(possible_sessions=possible, present_sessions=present,
                            unauthorised_sessions=unauth, penalty_sessions=unauth)
            rows.append(DailySummary("st1", day, index, status, status, code, code, totals, 0))
        day += timedelta(days=1)
    return rows


def classmate(sid: str, absence_sessions: int, index: int, possible: int) -> DailySummary:
    totals = Totals(possible_sessions=possible, present_sessions=possible - absence_sessions,
                    authorised_sessions=absence_sessions)
    return DailySummary(sid, LATEST, index, Status.PRESENT, Status.PRESENT, None, None, totals, 0)


def test_a_real_letter_1_names_the_child_the_absence_and_the_typical_classmate(  # type: ignore[no-untyped-def]
        client, admin, tenant, container):
    assert client.put("/api/schools/s1", json=SCHOOL_BODY, headers=admin).status_code == 201
    params = {"schoolId": "s1"}
    assert client.put("/api/calendars/2024-25", params=params, json=CALENDAR_BODY,
                      headers=admin).status_code == 200
    imported = client.post("/api/roster/import", params=params, headers=admin,
                           json=payload(student("st1"), student("st2"), student("st3")))
    assert imported.status_code == 200, imported.text
    history = st1_history()
    latest = history[-1]
    possible = latest.totals.possible_sessions
    container.attendance.summary_store.write(tenant, "s1", [
        *history, classmate("st2", 2, latest.school_day_index, possible),
        classmate("st3", 4, latest.school_day_index, possible)])
    instance = letter_instance(tenant_id=tenant, stage_evidence=("6 days missed",))
    item = letter_item(instance, key="eng-attendance-letter-1")
    assert container.interventions.store.save(tenant, "s1", [StudentChange("st1", ((instance, ()),),
                                                                           (item,))]) == []

    function("render_letter")(QueueMessage(body=json.dumps({
        "tenantId": tenant, "schoolId": "s1", "instanceId": instance.id, "stageOrder": 1,
        "actionId": item.id}).encode()))

    [artifact] = container.letters.artifact_store.for_student(tenant, "s1", "st1")
    assert (artifact.status.value, artifact.template_key, artifact.language,
            artifact.missing_translation) == ("RENDERED", "eng-attendance-letter-1", "en", "pl")
    snapshot = json.loads(artifact.merge_data)
    assert "chart" not in snapshot  # the chart is added after the snapshot, at render time
    absence_days = latest.totals.unauthorised_sessions // 2
    assert (snapshot["absenceDays"], snapshot["typicalClassmateAbsenceDays"]) == (absence_days, 1.5)
    stored = container.platform.blobs.get(LETTERS, artifact.storage_path)
    text = " ".join(" ".join((page.extract_text() or "").split())
                    for page in PdfReader(io.BytesIO(stored)).pages)
    assert "Sean" in text  # the English LETTER_1 names the child by first name
    assert f"{absence_days} days" in text
    assert "Typical classmate" in text and "1.5 days" in text
