"""The template use cases: who may manage what, new versions from the latest (ETag-checked),
approval by someone other than the last editor, retiring (a starter too), school overrides
refused where the district locks a key, version numbers in one series, and the audit trail."""

from __future__ import annotations

import pytest

from domain.letters.templates import LockScope, TemplateStatus
from domain.platform.errors import AlreadyExists, ConcurrencyError, Forbidden, NotFound, ValidationFailed
from services.letters.templates.admin import Changes, Ref, etag_of
from tests.fakes_letter_templates import (
    DISTRICT,
    DISTRICT_2,
    HEAD_S1,
    HEAD_S1_DEPUTY,
    T,
    admin_setup,
    draft,
)

KEY = "eng-attendance-letter-1"
NEW = Changes(body="<p>Dear {{ guardianName }}</p>", merge_fields={"guardianName": {"type": "string"}})


def test_a_district_admin_creates_a_new_key_as_draft_v1_and_it_is_audited() -> None:
    admin, store, audit = admin_setup()
    made = admin.create(DISTRICT, T, Ref("custom-letter", "en", None), NEW)
    assert (made.version, made.status, made.school_id, made.last_edited_by) == (
        1, TemplateStatus.DRAFT, None, "district-ann")
    assert made.etag and store.rows
    [record] = audit.records
    assert (record.action, record.before, record.after["version"]) == ("letter_template.created", None, 1)
    with pytest.raises(AlreadyExists):
        admin.create(DISTRICT, T, Ref("custom-letter", "en", None), NEW)


def test_district_templates_are_the_district_admins_and_overrides_their_schools_admins() -> None:
    admin, _, _ = admin_setup()
    with pytest.raises(Forbidden) as err:
        admin.create(HEAD_S1, T, Ref("custom-letter", "en", None), NEW)
    assert err.value.field == "override"
    with pytest.raises(NotFound):
        admin.create(HEAD_S1, T, Ref(KEY, "en", "s2"), Changes())
    assert admin.create(HEAD_S1, T, Ref(KEY, "en", "s1"), Changes()).school_id == "s1"


@pytest.mark.parametrize(("changes", "field"), [
    (Changes(body="<p>{{ guardianName }} {{ secret }}</p>", merge_fields=NEW.merge_fields), "body"),
    (Changes(body="<p>{% if %}</p>", merge_fields=NEW.merge_fields), "body"),
    (Changes(body="<p></p>", merge_fields={"favouriteColour": {"type": "string"}}), "mergeFields"),
    (Changes(body="<p></p>", merge_fields={"absenceDays": {"type": "string"}}), "mergeFields"),
    (Changes(body="<p></p>"), "mergeFields"),
    (Changes(body="<p>{{ ''.__class__.__mro__ }}</p>", merge_fields=NEW.merge_fields), "body"),
    (Changes(body="<p>{{ guardianName.__class__ }}</p>", merge_fields=NEW.merge_fields), "body"),
    (Changes(body="<p>{{ guardianName + 1 }}</p>", merge_fields=NEW.merge_fields), "body"),
])
def test_a_body_that_would_not_render_for_a_real_letter_is_refused_naming_the_field(changes, field) -> None:  # type: ignore[no-untyped-def]
    admin, store, _ = admin_setup()
    with pytest.raises(ValidationFailed) as err:
        admin.create(DISTRICT, T, Ref("custom-letter", "en", None), changes)
    assert err.value.field == field
    assert not store.rows


def test_an_override_copies_the_district_template_and_is_refused_where_the_district_locks_it() -> None:
    admin, _, _ = admin_setup()
    override = admin.create(HEAD_S1, T, Ref(KEY, "en", "s1"), Changes())
    assert (override.version, override.status) == (2, TemplateStatus.DRAFT)  # after the starter's v1
    locked = admin.create(DISTRICT, T, Ref("custom-letter", "en", None), Changes(
        body=NEW.body, merge_fields=NEW.merge_fields, lock_scope=LockScope.DISTRICT_ONLY))
    admin.approve(DISTRICT_2, T, Ref(locked.key, "en", None, 1))
    with pytest.raises(ValidationFailed) as err:
        admin.create(HEAD_S1, T, Ref("custom-letter", "en", "s1"), Changes())
    assert err.value.field == "lockScope"
    with pytest.raises(ValidationFailed) as no_district:
        admin.create(HEAD_S1, T, Ref("no-such-key", "en", "s1"), Changes())
    assert no_district.value.field == "key"


def test_editing_a_starter_stores_the_next_draft_version_if_the_etag_matches() -> None:
    admin, _, audit = admin_setup()
    starter = admin.get(T, None, Ref(KEY, "en", None))
    with pytest.raises(ConcurrencyError):
        admin.edit(DISTRICT, T, Ref(KEY, "en", None), Changes(body="<p>x</p>"), '"stale"')
    edited = admin.edit(DISTRICT, T, Ref(KEY, "en", None), Changes(body="<p>{{ studentName }}</p>"),
                        etag_of(starter))
    assert (edited.version, edited.status) == (2, TemplateStatus.DRAFT)
    assert edited.body == "<p>{{ studentName }}</p>"
    assert edited.merge_fields == starter.merge_fields and edited.approved_by is None
    assert (audit.records[-1].before["version"], audit.records[-1].after["version"]) == (1, 2)
    with pytest.raises(ConcurrencyError):  # the starter's ETag is no longer the latest's
        admin.edit(DISTRICT, T, Ref(KEY, "en", None), Changes(body="<p>y</p>"), etag_of(starter))


def test_the_approver_must_not_be_the_last_editor_and_approving_twice_changes_nothing() -> None:
    admin, _, audit = admin_setup()
    made = admin.create(DISTRICT, T, Ref("custom-letter", "en", None), NEW)
    ref = Ref("custom-letter", "en", None, made.version)
    with pytest.raises(ValidationFailed) as err:
        admin.approve(DISTRICT, T, ref)
    assert err.value.field == "approvedBy"
    approved = admin.approve(DISTRICT_2, T, ref)
    assert (approved.status, approved.approved_by) == (TemplateStatus.APPROVED, "district-bob")
    count = len(audit.records)
    assert admin.approve(DISTRICT_2, T, ref) == approved
    assert len(audit.records) == count
    with pytest.raises(ConcurrencyError):
        admin.retire(DISTRICT, T, ref, if_match=made.etag)  # the ETag before the approval


def test_retiring_a_starter_stores_a_retired_copy_under_its_identity() -> None:
    admin, store, _ = admin_setup()
    retired = admin.retire(DISTRICT, T, Ref(KEY, "en", None, 1))
    assert (retired.version, retired.status, retired.etag is not None) == (1, TemplateStatus.RETIRED, True)
    assert admin.get(T, "s1", Ref(KEY, "en", None, 1)).status is TemplateStatus.RETIRED
    with pytest.raises(ValidationFailed) as err:
        admin.approve(DISTRICT_2, T, Ref(KEY, "en", None, 1))
    assert err.value.field == "status"


def test_an_override_is_refused_at_approval_when_the_district_locked_the_key_meanwhile() -> None:
    admin, _, _ = admin_setup()
    override = admin.create(HEAD_S1, T, Ref(KEY, "en", "s1"), Changes())
    starter = admin.get(T, None, Ref(KEY, "en", None))
    locked = admin.edit(DISTRICT, T, Ref(KEY, "en", None), Changes(lock_scope=LockScope.DISTRICT_ONLY),
                        etag_of(starter))
    assert locked.version == 3  # one series: above the school's override v2
    admin.approve(DISTRICT_2, T, Ref(KEY, "en", None, 3))
    with pytest.raises(ValidationFailed) as err:
        admin.approve(HEAD_S1_DEPUTY, T, Ref(KEY, "en", "s1", override.version))
    assert err.value.field == "lockScope"


def test_a_machine_translated_draft_is_approved_like_any_draft_and_keeps_its_provenance() -> None:
    admin, store, _ = admin_setup()
    from dataclasses import replace

    store.insert(T, replace(draft(KEY, 2, editor="translator"), language="pl", machine_translated=True,
                            translated_from="en v1"))
    approved = admin.approve(DISTRICT, T, Ref(KEY, "pl", None, 2))
    assert (approved.status, approved.machine_translated, approved.translated_from) == (
        TemplateStatus.APPROVED, True, "en v1")


def test_listing_a_school_shows_the_district_and_its_own_overrides_only() -> None:
    admin, _, _ = admin_setup()
    admin.create(HEAD_S1, T, Ref(KEY, "en", "s1"), Changes())
    admin.create(DISTRICT, T, Ref(KEY, "en", "s2"), Changes())
    s1 = {(t.key, t.school_id) for t in admin.visible(T, "s1")}
    assert (KEY, "s1") in s1 and (KEY, "s2") not in s1 and (KEY, None) in s1
    assert not any(t.key.startswith("ie-") for t in admin.visible(T, "s1"))
    tenant = {(t.key, t.school_id) for t in admin.visible(T, None)}
    assert {(KEY, "s1"), (KEY, "s2"), ("ie-attendance-letter-1", None)} <= tenant
    assert not any(t.key.startswith("ca-") for t in admin.visible(T, None))  # another tenant's state
