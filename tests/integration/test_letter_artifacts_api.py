"""`GET /api/letters/artifacts` over HTTP on Azurite: the school's letters paged by artifact id
(every letter exactly once across the pages, whatever the page size), narrowed to a student, to a
status (an operator's view of FAILED or SENDING letters), or both; a bad token or status is a
problem naming the field; another school's letters are never listed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.letters.artifacts import ArtifactStatus, LetterArtifact
from tests.roster_payloads import SCHOOL_BODY

pytestmark = pytest.mark.integration
URL = "/api/letters/artifacts"
# (student, status) of the seeded letters; ids are zero-padded so id order is easy to state
SEEDED = [("st1", "DELIVERED"), ("st2", "FAILED"), ("st1", "FAILED"), ("st3", "SENDING"),
          ("st1", "RENDERED"), ("st2", "DELIVERED"), ("st1", "FAILED")]


def letter(tenant: str, school: str, n: int, student_id: str, status: str) -> LetterArtifact:
    return LetterArtifact(id=f"a{n:03d}", tenant_id=tenant, school_id=school, student_id=student_id,
                          instance_id=f"i-{student_id}", stage_order=1, action_id="act",
                          template_key="LETTER_1", template_version=1, guardian_id="g1", language="en",
                          status=ArtifactStatus(status),
                          generated_at=datetime(2024, 10, 1, 9, n % 60, tzinfo=UTC),
                          failure_reason="smtp refused" if status == "FAILED" else None)


@pytest.fixture
def seeded(client, admin, tenant, app_container):  # type: ignore[no-untyped-def]
    """Seven letters in s1 (inserted in a shuffled order) and one in s2."""
    for school in ("s1", "s2"):
        assert client.put(f"/api/schools/{school}", json=SCHOOL_BODY, headers=admin).status_code == 201
    store = app_container.letters.artifact_store
    for n in (6, 2, 0, 4, 1, 5, 3):
        store.insert(letter(tenant, "s1", n, *SEEDED[n]))
    store.insert(letter(tenant, "s2", 99, "st1", "FAILED"))


def every_page(client: Any, headers: dict[str, str], **params: Any) -> tuple[list[str], int]:
    """Follows the tokens; (the ids in the order served, the number of pages)."""
    ids: list[str] = []
    pages, token = 0, None
    while True:
        query = {"schoolId": "s1", **params, **({"continuationToken": token} if token else {})}
        answer = client.get(URL, params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        ids += [item["id"] for item in body["items"]]
        pages += 1
        token = body.get("continuationToken")
        if not token:
            return ids, pages


def expected(student: str | None = None, status: str | None = None) -> list[str]:
    return [f"a{n:03d}" for n, (sid, st) in enumerate(SEEDED)
            if student in (None, sid) and status in (None, st)]


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_the_school_is_listed_once_in_id_order_whatever_the_page_size(  # type: ignore[no-untyped-def]
        client, mint, tenant, seeded, limit):
    teacher = mint("Teacher", tenant, ["s1"])

    ids, pages = every_page(client, teacher, limit=limit)

    assert ids == expected()  # a001..a006: never s2's a099
    assert pages >= -(-len(SEEDED) // limit)


def test_a_students_letters_and_an_operators_view_by_status(  # type: ignore[no-untyped-def]
        client, mint, tenant, seeded):
    teacher = mint("Teacher", tenant, ["s1"])

    assert every_page(client, teacher, studentId="st1", limit=2)[0] == expected("st1")
    assert every_page(client, teacher, status="FAILED", limit=2)[0] == expected(status="FAILED")
    assert every_page(client, teacher, status="SENDING")[0] == ["a003"]
    assert every_page(client, teacher, studentId="st1", status="FAILED")[0] == ["a002", "a006"]
    answer = client.get(URL, params={"schoolId": "s1", "status": "FAILED", "limit": 10}, headers=teacher)
    assert {item["failureReason"] for item in answer.json()["items"]} == {"smtp refused"}


@pytest.mark.parametrize(("params", "field"), [
    ({"continuationToken": "not-a-token"}, "continuationToken"),
    ({"status": "LOST"}, "status"),
    ({"limit": 0}, "limit"),
    ({"limit": 1001}, "limit"),
])
def test_bad_paging_or_filter_is_a_problem_naming_the_field(  # type: ignore[no-untyped-def]
        client, mint, tenant, seeded, params, field):
    teacher = mint("Teacher", tenant, ["s1"])

    answer = client.get(URL, params={"schoolId": "s1", **params}, headers=teacher)

    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in answer.text


def test_another_schools_teacher_sees_none_of_them(client, mint, tenant, seeded):  # type: ignore[no-untyped-def]
    outsider = mint("Teacher", tenant, ["s2"])

    assert client.get(URL, params={"schoolId": "s1"}, headers=outsider).status_code == 403
    assert every_page(client, outsider, schoolId="s2")[0] == ["a099"]
