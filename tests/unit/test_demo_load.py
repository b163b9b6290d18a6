"""devhost/demo.py's idempotence check: a school counts as loaded only once its last mark is in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from itertools import islice
from types import SimpleNamespace

from demo import DemoSchool, MarkRow, generate_district, iter_mark_rows
from devhost.demo import _loaded
from domain.platform.errors import NotFound

THROUGH = date(2025, 9, 26)


class FakeMarks:
    def __init__(self, rows: list[MarkRow]) -> None:
        self.by_day: dict[date, list[MarkRow]] = defaultdict(list)
        for row in rows:
            self.by_day[row.date].append(row)

    def existing(self, tenant_id: str, school_id: str, day: date,
                 student_ids: Collection[str]) -> dict[tuple[str, str], MarkRow]:
        return {(r.student_id, r.session): r for r in self.by_day.get(day, []) if r.student_id in student_ids}


class FakeSchools:
    def __init__(self, known: bool) -> None:
        self.known = known

    def school(self, tenant_id: str, school_id: str) -> object:
        if not self.known:
            raise NotFound("no such school")
        return object()


def container(school_known: bool, rows: list[MarkRow]) -> SimpleNamespace:
    return SimpleNamespace(roster=SimpleNamespace(reader=FakeSchools(school_known)),
                           attendance=SimpleNamespace(marks=FakeMarks(rows)))


def school() -> DemoSchool:
    return generate_district(7, tenant_id="t", schools=1, students_per_school=30, through=THROUGH).schools[0]


def test_a_school_with_every_mark_in_is_loaded() -> None:
    demo = school()

    assert _loaded(container(True, list(iter_mark_rows(demo))), demo)  # type: ignore[arg-type] # a fake


def test_a_load_cut_short_is_not_loaded_though_the_last_day_has_marks() -> None:
    demo = school()
    rows = list(iter_mark_rows(demo))
    first_batch = list(islice(rows, len(rows) // 2))  # rows go student by student, every day each
    assert any(r.date == rows[-1].date for r in first_batch)

    assert not _loaded(container(True, first_batch), demo)  # type: ignore[arg-type] # a fake


def test_a_school_not_yet_put_is_not_loaded() -> None:
    demo = school()

    assert not _loaded(container(False, list(iter_mark_rows(demo))), demo)  # type: ignore[arg-type] # a fake
