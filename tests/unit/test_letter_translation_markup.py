"""Jinja and HTML survive machine translation: constructs are swapped for markers the translator
leaves alone and put back after; a translator that mangles a marker is caught."""

from __future__ import annotations

import pytest

from domain.letters.translation import TranslationMangled, protect, restore, translate_body
from domain.platform.errors import ValidationFailed
from tests.fakes_translation import FakeTranslator, upper_outside_tags

BODY = """<html><body style="font-size: 11pt;">
<p>{{ schoolName }}<br/>{{ letterDate.strftime("%d %B %Y") }}</p>
<p>Dear {{ guardianName }},</p>
{# a note for editors #}
<p>{{ studentFirstName }} has missed <b>{{ absenceDays }} day{{ '' if absenceDays == 1 else 's' }}</b>
{%- if typicalClassmateAbsenceDays is not none %}. A typical classmate has missed
{{ typicalClassmateAbsenceDays }}{% endif %}.</p>
<p><a href="{{ link }}" title="x{{ n }}">more</a></p>
{{ chart }}
</body></html>"""


def test_the_identity_translator_round_trips_exactly() -> None:
    assert translate_body(BODY, lambda html: html) == BODY
    protected = protect(BODY)
    assert "{{" not in protected.html and "{%" not in protected.html and "{#" not in protected.html
    assert restore(protected.html, protected.constructs) == BODY


def test_text_is_translated_and_the_jinja_is_not() -> None:
    out = translate_body(BODY, lambda html: FakeTranslator().translate_html(html, "en", "pl"))
    assert "DEAR {{ guardianName }}," in out
    assert ("{{ studentFirstName }} HAS MISSED <b>{{ absenceDays }} DAY"
            "{{ '' if absenceDays == 1 else 's' }}</b>") in out
    assert '{{ letterDate.strftime("%d %B %Y") }}' in out
    assert "{%- if typicalClassmateAbsenceDays is not none %}. A TYPICAL CLASSMATE" in out
    assert '<a href="{{ link }}" title="x{{ n }}">MORE</a>' in out
    assert "{# a note for editors #}" in out
    assert '<body style="font-size: 11pt;">' in out


def test_even_a_translator_ignoring_notranslate_cannot_touch_the_constructs() -> None:
    # the markers hold digits only, which upper-casing leaves alone
    out = translate_body(BODY, upper_outside_tags)
    assert protect(out).constructs == protect(BODY).constructs
    assert "DEAR {{ guardianName }}," in out


def test_markers_in_text_are_notranslate_spans_and_in_tags_bare_tokens() -> None:
    protected = protect('<p title="{{ t }}">Hi {{ name }}</p>{% if x %}y{% endif %}')
    assert protected.html == ('<p title="jinja-0-jinja">Hi <span class="notranslate" '
                              'data-jinja="1">1</span></p><span class="notranslate" '
                              'data-jinja="2">2</span>y<span class="notranslate" '
                              'data-jinja="3">3</span>')
    assert protected.constructs == ("{{ t }}", "{{ name }}", "{% if x %}", "{% endif %}")


def test_a_moved_marker_moves_its_construct() -> None:
    def reorder(html: str) -> str:  # a language that puts the object first
        a, b = '<span class="notranslate" data-jinja="0">0</span>', \
            '<span class="notranslate" data-jinja="1">1</span>'
        assert html == f"<p>{a} loves {b}</p>"
        return f"<p>{b} is loved by {a}</p>"

    assert translate_body("<p>{{ a }} loves {{ b }}</p>", reorder) == (
        "<p>{{ b }} is loved by {{ a }}</p>")


@pytest.mark.parametrize("mangle", [
    lambda html: html.replace('data-jinja="1">1</span>', "").replace(
        '<span class="notranslate" ', ""),                      # a marker dropped
    lambda html: html + html,                                   # markers repeated
    lambda html: html.replace('data-jinja="1"', 'data-jinja="9"'),  # an unknown marker
    lambda html: html.replace("jinja-0-jinja", "dżinja-0"),     # an attribute token altered
    lambda html: html.replace('class="notranslate" data-jinja="1"',
                              'data-jinja="1" class="notranslate"'),  # a span rewritten
])
def test_a_mangled_marker_is_an_error(mangle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TranslationMangled):
        translate_body('<p title="{{ t }}">Hi {{ name }} {{ other }}</p>', mangle)


def test_a_body_already_holding_markers_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        protect('<span class="notranslate" data-jinja="0">0</span>')
