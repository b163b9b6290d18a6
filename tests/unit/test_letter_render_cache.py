"""render_html compiles and checks a body once per process (domain/letters/render.py), keyed by
the body's text and the template's key, version and language: a changed body, another template,
another version or another language never gets a cached body that is not its own, and no merge
data outlives the letter it was rendered into."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.letters import LetterTemplate, approve, render_html
from domain.letters.render import CACHED_BODIES, cache_stats, check_body
from domain.platform.errors import ValidationFailed

SCHEMA = {"name": {"type": "string", "required": True},
          "when": {"type": "date", "required": True}}
DATA = {"name": "Aoife", "when": date(2026, 1, 6)}


def approved(body: str, *, key: str = "cache-letter", version: int = 1, language: str = "en",
             fields: dict | None = None) -> LetterTemplate:
    t = LetterTemplate(key=key, version=version, body=body, language=language,
                       last_edited_by="editor", effective_from=date(2024, 9, 1),
                       merge_fields=SCHEMA if fields is None else fields)
    return approve(t, "approver", datetime(2024, 9, 2, tzinfo=UTC))


def test_the_same_template_is_compiled_once() -> None:
    t = approved("<p>Compiled once for {{ name }}</p>")
    render_html(t, DATA)
    before = cache_stats()
    assert "Compiled once for Liam" in render_html(t, {**DATA, "name": "Liam"})
    after = cache_stats()
    assert after["compiles"] == before["compiles"]
    assert after["checks parsed"] == before["checks parsed"]


def test_a_changed_body_renders_its_new_text_under_the_same_key_and_version() -> None:
    old = approved("<p>Old wording for {{ name }}</p>")
    new = approved("<p>New wording for {{ name }}</p>")  # same key, version and language
    assert "Old wording for Aoife" in render_html(old, DATA)
    html = render_html(new, DATA)
    assert "New wording for Aoife" in html and "Old wording" not in html
    assert "Old wording for Aoife" in render_html(old, DATA)


def test_two_templates_and_two_versions_each_render_their_own_body() -> None:
    a1 = approved("<p>Letter A one: {{ name }}</p>", key="letter-a", version=1)
    a2 = approved("<p>Letter A two: {{ name }}</p>", key="letter-a", version=2)
    b1 = approved("<p>Letter B one: {{ name }}</p>", key="letter-b", version=1)
    for _ in range(2):  # the second round reads the cache
        assert "Letter A one: Aoife" in render_html(a1, DATA)
        assert "Letter A two: Aoife" in render_html(a2, DATA)
        assert "Letter B one: Aoife" in render_html(b1, DATA)


def test_the_same_body_in_two_languages_formats_dates_in_its_own() -> None:
    body = "<p>{{ when | long_date }}</p>"
    english, polish = approved(body, language="en"), approved(body, language="pl")
    for _ in range(2):
        assert "6 January 2026" in render_html(english, DATA)
        assert "6 stycznia 2026" in render_html(polish, DATA)


def test_no_merge_value_is_kept_from_one_letter_to_the_next() -> None:
    t = approved("<p>Dear {{ name }}</p>")
    assert "Dear Aoife" in render_html(t, DATA)
    html = render_html(t, {**DATA, "name": "Liam"})
    assert "Dear Liam" in html and "Aoife" not in html


def test_the_schema_check_follows_the_schema_not_an_earlier_answer_for_the_body() -> None:
    body = "<p>{{ name }} {{ extra }}</p>"
    wide = approved(body, fields={**SCHEMA, "extra": {"type": "string", "required": False}})
    narrow = approved(body)
    check_body(wide)
    with pytest.raises(ValidationFailed) as err:
        check_body(narrow)
    assert "extra" in err.value.detail
    check_body(wide)


def test_a_body_that_does_not_parse_is_refused_every_time() -> None:
    broken = approved("<p>{{ name </p>")
    for _ in range(2):
        with pytest.raises(ValidationFailed):
            render_html(broken, DATA)


def test_the_cache_is_bounded() -> None:
    for n in range(CACHED_BODIES + 1):
        render_html(approved(f"<p>Body {n}: {{{{ name }}}}</p>", key=f"bound-{n}"), DATA)
    stats = cache_stats()
    assert stats["bodies compiled"] <= CACHED_BODIES
    assert stats["bodies checked"] <= CACHED_BODIES
