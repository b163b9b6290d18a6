"""Rendering a letter's HTML: sandboxed, autoescaped, every missing field named, drafts watermarked."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.letters import LetterTemplate, MissingMergeFields, approve, render_html
from domain.letters.render import WATERMARK
from domain.platform.errors import ValidationFailed

SCHEMA = {
    "guardian_name": {"type": "string", "required": True},
    "child_name": {"type": "string", "required": True},
    "absences": {"type": "integer", "required": True},
    "classmate_absences": {"type": "integer", "required": True},
    "letter_date": {"type": "date", "required": True},
    "note": {"type": "string", "required": False},
}
BODY = ("<html><body><p>Dear {{ guardian_name }},</p><p>{{ child_name }} has missed "
        "{{ absences }} days; a typical classmate missed {{ classmate_absences }}.</p>"
        "{% if note %}<p>{{ note }}</p>{% endif %}<p>{{ letter_date.isoformat() }}</p>"
        "</body></html>")
DATA = {"guardian_name": "Seán Ó Briain", "child_name": "Aoife", "absences": 9,
        "classmate_absences": 3, "letter_date": date(2024, 10, 1)}


def template(body: str = BODY, **kw) -> LetterTemplate:
    return LetterTemplate(key="letter1", version=1, body=body, language="en",
                          last_edited_by="editor", effective_from=date(2024, 9, 1),
                          merge_fields=kw.pop("merge_fields", SCHEMA), **kw)


def approved(body: str = BODY, **kw) -> LetterTemplate:
    return approve(template(body, **kw), "approver", datetime(2024, 9, 2, tzinfo=UTC))


def test_an_approved_template_renders_its_merge_values() -> None:
    html = render_html(approved(), DATA)
    assert "Dear Seán Ó Briain," in html
    assert "Aoife has missed 9 days; a typical classmate missed 3." in html
    assert "2024-10-01" in html
    assert "DRAFT" not in html


def test_the_error_names_every_missing_field() -> None:
    data = {"guardian_name": "X", "absences": None}
    with pytest.raises(MissingMergeFields) as err:
        render_html(approved(), data)
    assert err.value.fields == ("absences", "child_name", "classmate_absences", "letter_date")
    for name in err.value.fields:
        assert name in err.value.detail
    assert "note" not in err.value.detail  # optional


def test_wrong_types_and_unknown_fields_are_refused_by_name() -> None:
    with pytest.raises(ValidationFailed) as err:
        render_html(approved(), {**DATA, "absences": "nine", "classmate_absences": True})
    assert "absences (expected integer)" in err.value.detail
    assert "classmate_absences" in err.value.detail
    with pytest.raises(ValidationFailed) as err:
        render_html(approved(), {**DATA, "extra": "x"})
    assert err.value.field == "extra"


def test_a_merge_value_is_escaped() -> None:
    html = render_html(approved(), {**DATA, "child_name": "<script>alert(1)</script>"})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_template_injection_stays_inert() -> None:
    with pytest.raises(ValidationFailed) as err:
        render_html(approved("<p>{{ ''.__class__.__mro__[1].__subclasses__() }}</p>",
                             merge_fields={}), {})
    assert err.value.field == "body"
    with pytest.raises(ValidationFailed) as err:
        render_html(approved("<p>{{ guardian_name.__class__ }}</p>"), DATA)
    assert err.value.field == "body"


def test_a_merge_value_that_looks_like_template_code_is_just_text() -> None:
    html = render_html(approved(), {**DATA, "child_name": "{{ ''.__class__ }}"})
    assert "{{ &#39;&#39;.__class__ }}" in html


def test_a_body_naming_a_field_outside_its_schema_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        render_html(approved(BODY.replace("{{ child_name }}", "{{ pupil }}")), DATA)
    assert err.value.field == "body" and "pupil" in err.value.detail


def test_a_body_that_does_not_parse_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        render_html(approved("<p>{{ guardian_name </p>"), DATA)
    assert err.value.field == "body"


def test_a_draft_is_not_sent_but_previews_with_a_watermark() -> None:
    with pytest.raises(ValidationFailed) as err:
        render_html(template(), DATA)
    assert err.value.field == "status"
    html = render_html(template(), DATA, preview=True)
    assert html.startswith("<html><body>" + WATERMARK)
    assert "DRAFT" in html
    assert "DRAFT" not in render_html(approved(), DATA, preview=True)


def test_a_fragment_preview_gets_the_watermark_first() -> None:
    html = render_html(template("<p>{{ guardian_name }}</p>",
                                merge_fields={"guardian_name": {"type": "string"}}),
                       {"guardian_name": "A"}, preview=True)
    assert html == WATERMARK + "<p>A</p>"
