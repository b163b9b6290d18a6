"""A right-to-left letter declares its direction and language; others are left alone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.letters import LetterTemplate, approve, render_html
from domain.letters.direction import is_rtl, with_direction


@pytest.mark.parametrize(("tag", "rtl"), [
    ("ar", True), ("ar-EG", True), ("ur", True), ("fa", True), ("he", True), ("ckb", True),
    ("en", False), ("ga", False), ("pl", False), ("uk", False), ("pa", False),
    ("pa-Arab", True), ("az-Arab", True), ("ku-Latn", False), ("uz-Latn", False),
])
def test_which_languages_are_right_to_left(tag: str, rtl: bool) -> None:
    assert is_rtl(tag) is rtl


def test_a_left_to_right_letter_is_unchanged() -> None:
    html = "<html><body><p>Dia duit</p></body></html>"
    assert with_direction(html, "ga") is html


def test_the_html_element_gets_dir_and_lang() -> None:
    out = with_direction('<html class="x"><body><p>مرحبا</p></body></html>', "ar")
    assert out == '<html dir="rtl" lang="ar" class="x"><body><p>مرحبا</p></body></html>'


def test_what_the_template_already_declares_is_kept() -> None:
    out = with_direction('<HTML dir="ltr"><body>x</body></HTML>', "ar")
    assert out == '<html lang="ar" dir="ltr"><body>x</body></HTML>'
    assert with_direction('<html lang="ar-SA" dir="rtl">', "ar") == '<html lang="ar-SA" dir="rtl">'


def test_a_fragment_is_wrapped() -> None:
    assert with_direction("<p>مرحبا</p>", "ur") == (
        '<html dir="rtl" lang="ur"><body><p>مرحبا</p></body></html>')


def test_the_language_cannot_break_out_of_the_attribute() -> None:
    assert with_direction("<p>x</p>", 'ar-x"><script>') == (
        '<html dir="rtl" lang="ar-xscript"><body><p>x</p></body></html>')


def test_render_html_declares_the_direction_of_an_arabic_template() -> None:
    t = LetterTemplate(key="k", version=1, body="<html><body><p>{{ name }}</p></body></html>",
                       language="ar", last_edited_by="e", effective_from=date(2024, 9, 1),
                       merge_fields={"name": {"type": "string"}})
    html = render_html(approve(t, "a", datetime(2024, 9, 2, tzinfo=UTC)), {"name": "أحمد"})
    assert html == '<html dir="rtl" lang="ar"><body><p>أحمد</p></body></html>'
