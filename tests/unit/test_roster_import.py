"""What a roster import writes and how it counts (services/roster/imports.py)."""

from __future__ import annotations

from domain.sis.wonde import RosterRecord, parse_roster
from services.roster.imports import plan
from services.roster.ports import RosterSnapshot
from tests.roster_payloads import contact, payload, student


def records(*students: dict) -> list[RosterRecord]:  # type: ignore[type-arg]
    parsed = parse_roster(payload(*students), tenant_id="t1", school_id="s1")
    assert parsed.rejected == []
    return parsed.records


def stored(*students: dict) -> RosterSnapshot:  # type: ignore[type-arg]
    snapshot = RosterSnapshot()
    for r in records(*students):
        snapshot.students[r.student.student_id] = r.student
        snapshot.guardians.update({g.guardian_id: g for g in r.guardians})
        snapshot.links.update({(link.student_id, link.guardian_id): link for link in r.links})
    return snapshot


def test_a_first_import_creates_every_row() -> None:
    change, result = plan(records(student("A1"), student("A2")), RosterSnapshot())

    assert (result.accepted, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    assert (len(change.students), len(change.guardians), len(change.links)) == (2, 4, 4)
    assert change.removed_links == []


def test_an_identical_import_writes_nothing() -> None:
    change, result = plan(records(student("A1"), student("A2")), stored(student("A1"), student("A2")))

    assert not change
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_a_changed_surname_updates_only_that_student() -> None:
    change, result = plan(records(student("A1", surname="Walsh"), student("A2")),
                          stored(student("A1"), student("A2")))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert [s.surname for s in change.students] == ["Walsh"]
    assert change.guardians == [] and change.links == []


def test_a_guardian_change_updates_every_student_it_belongs_to() -> None:
    def sibling(student_id: str, email: str) -> dict:  # type: ignore[type-arg]
        return {**student(student_id), "contacts": {"data": [contact("shared", email=email)]}}

    change, result = plan(records(sibling("A1", "new@example.org"), sibling("A2", "new@example.org")),
                          stored(sibling("A1", "old@example.org"), sibling("A2", "old@example.org")))

    assert (result.updated, result.unchanged) == (2, 0)
    assert [g.email for g in change.guardians] == ["new@example.org"]
    assert change.students == [] and change.links == []


def test_a_contact_no_longer_listed_loses_its_link() -> None:
    change, result = plan(records(student("A1", contacts=1)), stored(student("A1", contacts=2)))

    assert result.updated == 1
    assert change.removed_links == [("A1", "A1-c1")]
    assert change.links == []


def test_students_missing_from_an_import_are_kept() -> None:
    change, result = plan(records(student("A1")), stored(student("A1"), student("A2")))

    assert not change
    assert (result.accepted, result.unchanged) == (1, 1)
