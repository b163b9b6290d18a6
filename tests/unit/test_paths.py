"""domain/platform/paths.py: deterministic blob paths that can not leave their prefix."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.platform import paths
from domain.platform.errors import ValidationFailed

DAY = date(2025, 3, 7)


def test_sis_raw_path_is_tenant_school_date_batch() -> None:
    assert paths.sis_raw_path("trust-1", "school-9", DAY, "b-77") == "trust-1/school-9/2025/03/07/b-77.json"


def test_letter_path_is_tenant_school_letters_artifact() -> None:
    assert paths.letter_path("trust-1", "school-9", "art-5") == "trust-1/school-9/letters/art-5.pdf"


def test_print_batch_path_groups_by_month_and_names_the_day() -> None:
    path = paths.print_batch_path("trust-1", "school-9", DAY, "pdf")

    assert path == "trust-1/school-9/2025/03/2025-03-07.pdf"


def test_report_path_is_tenant_run() -> None:
    assert paths.report_path("trust-1", "run-3", "xlsx") == "trust-1/run-3.xlsx"


def test_a_datetime_is_used_only_for_its_date() -> None:
    moment = datetime(2025, 3, 7, 23, 59, 59)

    assert paths.print_batch_path("t", "s", moment, "csv") == paths.print_batch_path("t", "s", DAY, "csv")
    assert paths.sis_raw_path("t", "s", moment, "b") == paths.sis_raw_path("t", "s", DAY, "b")


def test_paths_are_deterministic() -> None:
    first = [paths.sis_raw_path("t", "s", DAY, "b"), paths.letter_path("t", "s", "a"),
             paths.print_batch_path("t", "s", DAY, "pdf"), paths.report_path("t", "r", "csv")]
    again = [paths.sis_raw_path("t", "s", DAY, "b"), paths.letter_path("t", "s", "a"),
             paths.print_batch_path("t", "s", DAY, "pdf"), paths.report_path("t", "r", "csv")]

    assert first == again


def test_every_path_starts_with_its_tenant_and_school_prefix() -> None:
    school = paths.school_prefix("trust-1", "school-9")

    assert paths.sis_raw_path("trust-1", "school-9", DAY, "b").startswith(school)
    assert paths.letter_path("trust-1", "school-9", "a").startswith(school)
    assert paths.print_batch_path("trust-1", "school-9", DAY, "pdf").startswith(school)
    assert paths.report_path("trust-1", "r", "csv").startswith(paths.tenant_prefix("trust-1"))
    assert school == "trust-1/school-9/"


def test_ids_that_look_unusual_but_are_safe_are_kept_verbatim() -> None:
    assert paths.letter_path("Trust One", "ÉCOLE #3", "..a%20?b") == "Trust One/ÉCOLE #3/letters/..a%20?b.pdf"


BAD_PARTS = ["", ".", "..", "a/b", "../x", "a\\b", "x.", "a\x00b", "a\nb", "a\x7f", "a\x85",
             " padded", "padded ", "x" * (paths.MAX_PART + 1)]


@pytest.mark.parametrize("bad", BAD_PARTS)
def test_a_bad_part_is_refused_in_every_position(bad: str) -> None:
    builders = {
        "tenant_id": lambda: paths.sis_raw_path(bad, "s", DAY, "b"),
        "school_id": lambda: paths.letter_path("t", bad, "a"),
        "batch_id": lambda: paths.sis_raw_path("t", "s", DAY, bad),
        "artifact_id": lambda: paths.letter_path("t", "s", bad),
        "run_id": lambda: paths.report_path("t", bad, "csv"),
    }
    for field, build in builders.items():
        with pytest.raises(ValidationFailed) as caught:
            build()
        assert caught.value.field == field


@pytest.mark.parametrize("ext", ["", ".pdf", "PDF", "tar.gz", "p/f", "x" * 11])
def test_a_bad_extension_is_refused(ext: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        paths.report_path("t", "r", ext)

    assert caught.value.field == "ext"


def test_no_accepted_id_adds_or_removes_a_path_segment() -> None:
    candidates = ["a", "a b", ".a", "..a", "a..b", "%2F", "%2e%2e", "~", "é", "😀", "a?b", "a#b"]
    for value in candidates:
        path = paths.letter_path(value, value, value)

        assert path.split("/") == [value, value, "letters", f"{value}.pdf"]
        assert ".." not in path.split("/")


def test_parse_letter_path_inverts_letter_path() -> None:
    path = paths.letter_path("trust-1", "school-9", "art.5")

    assert paths.parse_letter_path(path) == ("trust-1", "school-9", "art.5")


@pytest.mark.parametrize("path", ["trust/school/letters/a.txt", "trust/school/reports/a.pdf",
                                  "trust/school/letters/x/a.pdf", "trust/letters/a.pdf",
                                  "trust/../letters/a.pdf", "trust/school/letters/.pdf", ""])
def test_parse_letter_path_refuses_other_paths(path: str) -> None:
    with pytest.raises(ValidationFailed):
        paths.parse_letter_path(path)


def test_container_names_are_valid_azure_container_names() -> None:
    for name in paths.CONTAINERS:
        assert 3 <= len(name) <= 63
        assert name == name.lower()
        assert "--" not in name
        assert all(ch.isalnum() or ch == "-" for ch in name)
        assert name[0].isalnum()
