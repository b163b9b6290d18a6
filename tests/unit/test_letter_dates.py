"""Dates in the template's language: `{{ letterDate | long_date }}` writes the month the way a
Polish, Irish, Ukrainian, Arabic, Portuguese or Romanian letter does; English stays day before
month; an unknown language falls back to English; the filter refuses what is not a date, and the
authoring checks accept it. `meetingWhen` likewise, worded by Babel in the template's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.letters import LetterTemplate, approve, render_html
from domain.letters.authoring import check_template
from domain.letters.dates import letter_locale, long_date
from domain.letters.meeting_when import meeting_when
from domain.letters.starters import starter_templates
from domain.platform.errors import ValidationFailed
from tests.unit.test_letter_meeting_invitations import meeting

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 1, 6)
SCHEMA = {"letterDate": {"type": "date", "required": True},
          "schoolName": {"type": "string", "required": True}}


BODY = "<p>{{ schoolName }}, {{ letterDate | long_date }}</p>"


def dated(language: str, body: str = BODY) -> LetterTemplate:
    draft = LetterTemplate(key="eng-letter-1", version=1, body=body, language=language,
                           last_edited_by="ed", effective_from=date(2024, 9, 1), merge_fields=SCHEMA)
    return approve(draft, "boss", datetime(2024, 9, 1, tzinfo=UTC))


@pytest.mark.parametrize(("language", "expected"), [
    ("pl", "6 stycznia 2026"),
    ("ga", "6 Eanáir 2026"),
    ("uk", "6 січня 2026"),
    ("ar", "6 يناير 2026"),
    ("pt", "6 de janeiro de 2026"),
    ("ro", "6 ianuarie 2026"),
    ("en", "6 January 2026"),        # British order, as the English letters always wrote it
    ("en-US", "January 6, 2026"),
    ("pt-BR", "6 de janeiro de 2026"),
    ("xx", "6 January 2026"),        # a language Babel does not know: English, not a failure
])
def test_the_date_is_written_in_the_templates_language(language: str, expected: str) -> None:
    html = render_html(dated(language), {"letterDate": DAY, "schoolName": "Oak"})
    assert f"Oak, {expected}" in html
    if language != "en" and not language.startswith("en-") and language != "xx":
        assert "January" not in html


def test_the_filter_is_bound_per_language_not_shared() -> None:
    # rendering Polish then English (cached environments) must not leak one language into the other
    assert "stycznia" in render_html(dated("pl"), {"letterDate": DAY, "schoolName": "Oak"})
    assert "6 January 2026" in render_html(dated("en"), {"letterDate": DAY, "schoolName": "Oak"})


def test_an_unknown_or_odd_language_tag_falls_back_to_english() -> None:
    assert str(letter_locale("")) == str(letter_locale("tlh-Latn")) == "en_GB"
    assert str(letter_locale("pt_BR")) == "pt_BR" and str(letter_locale("zh-Hans")) == "zh_Hans"


@pytest.mark.parametrize("value", ["2026-01-06", None, 3, datetime(2026, 1, 6, 9, tzinfo=UTC)])
def test_long_date_refuses_what_is_not_a_plain_date(value: object) -> None:
    with pytest.raises(ValidationFailed) as caught:
        long_date(value, "pl")
    assert caught.value.field == "body"


def test_authoring_accepts_the_filter_and_refuses_it_on_a_string() -> None:
    check_template(dated("pl"))
    with pytest.raises(ValidationFailed) as caught:
        check_template(dated("pl", body="<p>{{ schoolName | long_date }}</p>"))
    assert caught.value.field == "body" and "long_date formats a date" in caught.value.detail


def test_every_starter_writes_its_date_through_the_filter() -> None:
    for template in starter_templates():
        assert "{{ letterDate | long_date }}" in template.body and "strftime" not in template.body
        polish = replace(template, language="pl")  # what a machine translation keeps of the Jinja
        check_template(polish)


@pytest.mark.parametrize(("language", "expected"), [
    ("pl", "wtorek, 6 stycznia 2026 09:30\u201310:00, Room 4"),
    ("ro", "marți, 6 ianuarie 2026, 09:30\u201310:00, Room 4"),
    ("pt", "terça-feira, 6 de janeiro de 2026 09:30\u2009\u2013\u200910:00, Room 4"),
    ("ar", "الثلاثاء، 6 يناير 2026، 09:30\u201310:00، Room 4"),  # the Arabic comma, not "and"
    ("en", "Tuesday, 6 January 2026, 09:30\u201310:00, Room 4"),
    ("xx", "Tuesday, 6 January 2026, 09:30\u201310:00, Room 4"),
])
def test_meeting_when_is_worded_in_the_templates_language(language: str, expected: str) -> None:
    assert meeting_when(meeting(), LONDON, language) == expected


def test_meeting_when_in_polish_past_midnight_names_both_days() -> None:
    late = meeting(starts_at=datetime(2026, 1, 6, 23, tzinfo=UTC),
                   ends_at=datetime(2026, 1, 7, 0, 30, tzinfo=UTC))
    assert meeting_when(late, LONDON, "pl") == (
        "wtorek, 6 stycznia 2026 23:00\u2009\u2013\u2009środa, 7 stycznia 2026 00:30, Room 4")


def test_a_location_is_kept_verbatim() -> None:
    odd = meeting(location="St Mary's {1} hall")
    assert meeting_when(odd, LONDON, "en").endswith(", St Mary's {1} hall")
