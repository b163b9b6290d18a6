"""Post without storage: which channels a guardian gets, the manifest's rows and page ranges, the
order that makes a rebuild byte-identical, and which schools the hourly timer builds for."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.letters.print_batch import ADDRESS_COLUMNS, PrintEntry, envelope, manifest_csv, ordered
from domain.roster.schools import ContactPreference, Guardian, Jurisdiction, PostalAddress, School
from services.letters.post import channels
from services.letters.printing.schedule import (
    BUILD_HOUR,
    PRINT_BATCH_QUEUE,
    PrintBatchJobs,
    PrintBatchRequest,
)
from services.platform.ports import FixedClock

ADDRESS = PostalAddress(lines=("12 Main Street",), town="Cork", postcode="T12 X1Y2", country="Ireland")


def guardian(preference: ContactPreference, *, email: str | None = "p@example.org",
             address: PostalAddress | None = ADDRESS) -> Guardian:
    return Guardian(tenant_id="t", school_id="s", guardian_id="g", title="Ms", forename="Áine",
                    surname="Ó Sé", email=email, address=address, contact_preference=preference)


@pytest.mark.parametrize(("preference", "email", "address", "expected"), [
    (ContactPreference.EMAIL, "p@example.org", ADDRESS, (True, False)),
    (ContactPreference.EMAIL, None, ADDRESS, (False, True)),  # no e-mail address: posted instead
    (ContactPreference.POST, "p@example.org", ADDRESS, (False, True)),
    (ContactPreference.POST, "p@example.org", None, (False, False)),
    (ContactPreference.EMAIL_AND_POST, "p@example.org", ADDRESS, (True, True)),
    (ContactPreference.EMAIL_AND_POST, None, ADDRESS, (False, True)),
    (ContactPreference.EMAIL_AND_POST, "p@example.org", None, (True, False)),
])
def test_channels_follow_the_preference_and_the_details_on_file(preference, email, address, expected):  # type: ignore[no-untyped-def]
    assert channels(guardian(preference, email=email, address=address)) == expected


def test_no_guardian_has_no_channel() -> None:
    assert channels(None) == (False, False)


def entry(artifact_id: str, lines: tuple[str, ...] = ("12 Main Street", "Cork")) -> PrintEntry:
    return PrintEntry(tenant_id="t", school_id="s", day=date(2025, 3, 3), artifact_id=artifact_id,
                      student_id=f"st-{artifact_id}", guardian_id="g", name="Ms Áine Ó Sé",
                      address_lines=lines, template_key="eng-letter-1", template_version=2,
                      content_hash="ab" * 32, storage_path=f"t/s/letters/{artifact_id}.pdf",
                      added_at=datetime(2025, 3, 3, 10, tzinfo=UTC))


def test_the_manifest_lists_each_letter_with_its_envelope_and_page_range() -> None:
    many = tuple(f"line {n}" for n in range(ADDRESS_COLUMNS + 2))
    rows = list(csv.reader(io.StringIO(manifest_csv([entry("a"), entry("b", many)], [1, 2]).decode())))

    header, first, second = rows
    assert dict(zip(header, first, strict=True))["name"] == "Ms Áine Ó Sé"
    assert (first[-2], first[-1], second[-2], second[-1]) == ("1", "1", "2", "3")
    b = dict(zip(header, second, strict=True))
    # a long address keeps every line: the last column joins what does not fit
    assert b[f"address_line_{ADDRESS_COLUMNS}"] == f"line {ADDRESS_COLUMNS - 1}, line {ADDRESS_COLUMNS}, " \
        f"line {ADDRESS_COLUMNS + 1}"
    assert b["template_version"] == "2" and b["content_hash"] == "ab" * 32


def test_entries_are_ordered_by_artifact_id_so_a_rebuild_is_identical() -> None:
    one = manifest_csv(ordered([entry("b"), entry("a")]), [1, 1])
    two = manifest_csv(ordered([entry("a"), entry("b")]), [1, 1])

    assert one == two


def test_the_envelope_names_the_guardian_and_skips_empty_parts() -> None:
    name, lines = envelope(guardian(ContactPreference.POST, address=PostalAddress(lines=("1 A St", " "),
                                                                                    postcode="X1")))
    assert name == "Ms Áine Ó Sé" and lines == ("1 A St", "X1")


class Schools:
    def all_schools(self) -> list[School]:
        return [School(tenant_id="t", school_id=sid, name=sid, jurisdiction=Jurisdiction.ENGLAND,
                       time_zone=zone)
                for sid, zone in (("london", "Europe/London"), ("la", "America/Los_Angeles"))]


def fan_out(at: datetime) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    jobs = PrintBatchJobs(Schools(), lambda: None, None, FixedClock(at),  # type: ignore[arg-type]
                          lambda queue, body: sent.append(body) if queue == PRINT_BATCH_QUEUE else None)
    jobs.fan_out()
    return sent


def test_the_hourly_timer_builds_yesterday_for_schools_at_their_build_hour() -> None:
    # 05:00 in London in March (GMT) is 05:00 UTC; Los Angeles (PST) reaches 05:00 at 13:00 UTC
    assert [b["schoolId"] for b in fan_out(datetime(2025, 3, 4, BUILD_HOUR, 5, tzinfo=UTC))] == ["london"]
    [la] = fan_out(datetime(2025, 3, 4, 13, 5, tzinfo=UTC))
    assert (la["schoolId"], la["date"]) == ("la", "2025-03-03")
    # British Summer Time: London's 05:00 is 04:00 UTC
    [summer] = fan_out(datetime(2025, 7, 1, 4, 5, tzinfo=UTC))
    assert (summer["schoolId"], summer["date"]) == ("london", "2025-06-30")
    assert fan_out(datetime(2025, 3, 4, 9, 5, tzinfo=UTC)) == []


def test_a_request_round_trips_and_a_bad_one_is_refused() -> None:
    request = PrintBatchRequest("t", "s", date(2025, 3, 3), "c1")
    assert PrintBatchRequest.parse(json.dumps(request.body()).encode()) == request
    with pytest.raises(ValueError, match="print-batch"):
        PrintBatchRequest.parse(b'{"tenantId": "t"}')
