"""Dates in a letter's own language (Babel's CLDR data: pure, no clock, no environment).

A template's language is a BCP 47 tag ("pl", "pt-BR", "zh-Hans"). Bare "en" means British
English, day before month ("6 January 2026"), as the English starters have always written it; a
template in "en-US" gets "January 6, 2026". A language Babel does not know falls back to that
English rather than failing the letter: the family still gets a readable date.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date

from domain.platform.errors import ValidationFailed

ENGLISH = Locale("en", "GB")


@lru_cache(maxsize=128)  # a handful of template languages; parsing CLDR data is not free
def letter_locale(language: str) -> Locale:
    """The Babel locale for a template language, English (GB) when unknown or empty."""
    tag = language.strip().replace("_", "-")
    if tag.lower() == "en":
        return ENGLISH
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return ENGLISH


def long_date(value: object, language: str) -> str:
    """`{{ letterDate | long_date }}`: "6 stycznia 2026" in Polish, "6 January 2026" in English."""
    if isinstance(value, datetime):  # merge dates are plain dates; a datetime would hide a zone
        raise ValidationFailed("long_date formats a date, not a date and time", field="body")
    if not isinstance(value, date):
        raise ValidationFailed(f"long_date formats a date, not {type(value).__name__}", field="body")
    return format_date(value, format="long", locale=letter_locale(language))
