"""The template source: the school jurisdiction's starters UNION the tenant's stored templates,
a stored row replacing a starter of the same identity, one store read per school, and a school
never seeing another school's override."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from domain.letters.starters import starter_templates
from domain.letters.templates import LockScope, TemplateStatus, approve
from domain.roster.schools import Jurisdiction
from services.letters.templates.source import StoredTemplateSource, TemplateCatalog, is_starter, union
from tests.fakes_letter_templates import FakeTemplateStore, SchoolsRoster, T, school

KEY = "eng-attendance-letter-1"
ON = date(2024, 10, 1)
[STARTER] = [t for t in starter_templates(Jurisdiction.ENGLAND) if t.key == KEY]


def source() -> tuple[StoredTemplateSource, FakeTemplateStore]:
    store = FakeTemplateStore()
    roster = SchoolsRoster(school("s1"), school("s2"), school("ie1", "IE"))
    return StoredTemplateSource(TemplateCatalog(roster, store)), store  # type: ignore[arg-type]


def stored_version(version: int, *, school_id: str | None = None, body: str = "<p>v{{ studentName }}</p>",
                   status: TemplateStatus = TemplateStatus.APPROVED):  # type: ignore[no-untyped-def]
    edited = replace(STARTER, version=version, school_id=school_id, body=body, status=TemplateStatus.DRAFT,
                     approved_by=None, approved_at=None, last_edited_by="ed",
                     lock_scope=LockScope.DISTRICT_ONLY if school_id else STARTER.lock_scope)
    if status is TemplateStatus.APPROVED:
        return approve(edited, "boss", datetime(2024, 9, 30, tzinfo=UTC))
    return replace(edited, status=status)


def test_without_stored_templates_the_starters_of_the_schools_jurisdiction_are_used() -> None:
    templates, store = source()
    assert templates.for_school(T, "s1").approved(KEY, "en", ON) == STARTER
    assert templates.for_school(T, "ie1").approved(KEY, "en", ON) is None  # an English key, an Irish school
    assert templates.for_school(T, "ie1").approved("ie-attendance-letter-1", "en", ON) is not None


def test_a_newer_approved_stored_version_is_used_and_the_exact_starter_version_stays_readable() -> None:
    templates, store = source()
    store.insert(T, stored_version(2))
    assert templates.for_school(T, "s1").approved(KEY, "en", ON).version == 2  # type: ignore[union-attr]
    assert templates.for_school(T, "s1").version(KEY, "en", 1) == STARTER
    assert templates.for_school(T, "s1").version(KEY, "en", 2).body == "<p>v{{ studentName }}</p>"


def test_a_draft_is_never_the_approved_template() -> None:
    templates, store = source()
    store.insert(T, stored_version(2, status=TemplateStatus.DRAFT))
    assert templates.for_school(T, "s1").approved(KEY, "en", ON) == STARTER


def test_a_stored_row_with_a_starters_identity_replaces_it_so_a_starter_can_be_retired() -> None:
    templates, store = source()
    store.insert(T, replace(STARTER, status=TemplateStatus.RETIRED))
    assert templates.for_school(T, "s1").approved(KEY, "en", ON) is None
    assert templates.for_school(T, "s1").version(KEY, "en", 1).status is TemplateStatus.RETIRED


def test_a_schools_override_is_its_own_and_no_other_schools() -> None:
    templates, store = source()
    store.insert(T, stored_version(2, school_id="s1", body="<p>s1 {{ studentName }}</p>"))
    assert templates.for_school(T, "s1").approved(KEY, "en", ON).school_id == "s1"  # type: ignore[union-attr]
    assert templates.for_school(T, "s2").approved(KEY, "en", ON) == STARTER
    assert templates.for_school(T, "s1").version(KEY, "en", 2).school_id == "s1"


def test_another_tenants_templates_are_not_seen() -> None:
    templates, store = source()
    store.insert("t-other", stored_version(2))
    assert templates.for_school(T, "s1").approved(KEY, "en", ON) == STARTER


def test_one_read_serves_every_lookup_of_a_school() -> None:
    templates, store = source()
    store.insert(T, stored_version(2))
    school_templates = templates.for_school(T, "s1")
    assert store.reads == 1
    school_templates.approved(KEY, "en", ON)
    school_templates.approved(KEY, "pl", ON)
    school_templates.version(KEY, "en", 2)
    assert store.reads == 1


def test_union_orders_by_key_language_school_and_version_and_marks_starters() -> None:
    stored = stored_version(2)
    merged = union(starter_templates(Jurisdiction.ENGLAND), [replace(stored, etag="e1")])
    versions = [(t.version, is_starter(t)) for t in merged if t.key == KEY]
    assert versions == [(1, True), (2, False)]
