"""Letter templates: approval by someone other than the last editor, the template in force on a
date, and school overrides only where the district allows them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from domain.letters import (
    LetterTemplate,
    LockScope,
    TemplateStatus,
    applicable_template,
    approve,
    check_override_allowed,
    require_sendable,
    retire,
)
from domain.platform.errors import NotFound, ValidationFailed

AT = datetime(2024, 9, 2, 9, 0, tzinfo=UTC)


def draft(**changes) -> LetterTemplate:
    base = LetterTemplate(key="letter1", version=1, body="<p>Dear {{ guardian_name }}</p>",
                          language="en", last_edited_by="editor@district",
                          effective_from=date(2024, 9, 1),
                          merge_fields={"guardian_name": {"type": "string", "required": True}})
    return replace(base, **changes)


def approved(**changes) -> LetterTemplate:
    return approve(draft(**changes), "head@district", AT)


def test_approve_records_who_and_when() -> None:
    t = approved()
    assert (t.status, t.approved_by, t.approved_at) == (TemplateStatus.APPROVED, "head@district", AT)
    require_sendable(t)


def test_the_last_editor_cannot_approve_their_own_edit() -> None:
    with pytest.raises(ValidationFailed) as err:
        approve(draft(), "editor@district", AT)
    assert err.value.field == "approved_by"
    assert "last editor" in err.value.detail


def test_a_template_cannot_be_built_approved_by_its_editor() -> None:
    with pytest.raises(ValidationFailed) as err:
        draft(status=TemplateStatus.APPROVED, approved_by="editor@district", approved_at=AT)
    assert err.value.field == "approved_by"


def test_only_drafts_are_approved_and_only_approved_templates_are_sent() -> None:
    with pytest.raises(ValidationFailed) as err:
        approve(approved(), "other@district", AT)
    assert err.value.field == "status"
    for t in (draft(), retire(approved())):
        with pytest.raises(ValidationFailed):
            require_sendable(t)


def test_approval_time_must_be_aware() -> None:
    with pytest.raises(ValidationFailed) as err:
        approve(draft(), "head@district", datetime(2024, 9, 2, 9, 0))
    assert err.value.field == "approved_at"


@pytest.mark.parametrize("schema", [{"x": {"type": "colour"}}, {"x": "string"},
                                    {"not a name": {"type": "string"}},
                                    {"x": {"type": "string", "min": 1}}])
def test_a_bad_merge_field_schema_is_refused(schema) -> None:
    with pytest.raises(ValidationFailed) as err:
        draft(merge_fields=schema)
    assert err.value.field == "merge_fields"


def test_required_defaults_to_true() -> None:
    assert draft(merge_fields={"x": {"type": "integer"}}).merge_fields["x"]["required"] is True


def test_the_template_in_force_follows_the_effective_date() -> None:
    old = approved(version=1, effective_from=date(2024, 1, 1))
    new = approved(version=2, effective_from=date(2025, 1, 1))
    pending = draft(version=3, effective_from=date(2024, 6, 1))
    pool = [old, new, pending]
    assert applicable_template(pool, "letter1", "en", date(2024, 12, 31)) == old
    assert applicable_template(pool, "letter1", "en", date(2025, 1, 1)) == new
    with pytest.raises(NotFound):
        applicable_template(pool, "letter1", "en", date(2023, 12, 31))
    with pytest.raises(NotFound):
        applicable_template(pool, "letter1", "pl", date(2025, 1, 1))


def test_a_retired_template_no_longer_applies() -> None:
    old = approved(version=1, effective_from=date(2024, 1, 1))
    new = retire(approved(version=2, effective_from=date(2024, 6, 1)))
    assert applicable_template([old, new], "letter1", "en", date(2024, 7, 1)) == old


def test_a_school_override_applies_only_where_the_district_allows_it() -> None:
    open_district = approved(lock_scope=LockScope.SCHOOL_OVERRIDE_ALLOWED)
    override = approved(school_id="S1", version=2, effective_from=date(2024, 9, 5))
    on = date(2024, 10, 1)
    assert applicable_template([open_district, override], "letter1", "en", on, "S1") == override
    assert applicable_template([open_district, override], "letter1", "en", on, "S2") == open_district
    assert applicable_template([open_district, override], "letter1", "en", on) == open_district
    locked = approved()
    assert applicable_template([locked, override], "letter1", "en", on, "S1") == locked


def test_new_district_wording_supersedes_an_older_override() -> None:
    override = approved(school_id="S1", version=2, effective_from=date(2024, 9, 5))
    v3 = approved(version=3, effective_from=date(2025, 1, 1),
                  lock_scope=LockScope.SCHOOL_OVERRIDE_ALLOWED)
    v1 = approved(lock_scope=LockScope.SCHOOL_OVERRIDE_ALLOWED)
    pool = [v1, override, v3]
    assert applicable_template(pool, "letter1", "en", date(2024, 12, 1), "S1") == override
    assert applicable_template(pool, "letter1", "en", date(2025, 1, 2), "S1") == v3


def test_an_unapproved_override_does_not_apply() -> None:
    district = approved(lock_scope=LockScope.SCHOOL_OVERRIDE_ALLOWED)
    override = draft(school_id="S1", version=2)
    assert applicable_template([district, override], "letter1", "en", date(2024, 10, 1),
                               "S1") == district


def test_creating_an_override_is_refused_where_the_district_locks_it() -> None:
    override = draft(school_id="S1", version=2)
    with pytest.raises(ValidationFailed) as err:
        check_override_allowed(override, approved())
    assert err.value.field == "lock_scope"
    check_override_allowed(override, approved(lock_scope=LockScope.SCHOOL_OVERRIDE_ALLOWED))
    with pytest.raises(ValidationFailed):
        check_override_allowed(draft(version=2), approved(
            lock_scope=LockScope.SCHOOL_OVERRIDE_ALLOWED))
