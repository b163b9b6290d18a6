"""Letters in the five languages families asked for come out of the PDF right: English, Irish,
Polish and Ukrainian extract back unchanged; Arabic is drawn shaped (joined presentation forms) in
visual order, right-aligned, a wrapped paragraph starting on its first line, and extracts back to
the merged value. python-bidi and arabic-reshaper serve as the independent reference for what
correctly shaped and ordered Arabic looks like (see adapters/pdf/render.py for who does the work)."""

from __future__ import annotations

import io
import subprocess
import sys
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import arabic_reshaper
import pytest
from bidi import get_display
from pypdf import PdfReader

from adapters.pdf.render import html_to_pdf
from domain.letters import LetterTemplate, approve, render_html
from tests.pdf_glyphs import drawn_lines

ROOT = Path(__file__).resolve().parents[2]
BODY = "<html><body><p>{{ name }}</p><p><b>{{ line }}</b></p><p>{{ days }}</p></body></html>"
NAME_AR, LINE_AR = "أحمد الحسن", "غاب أحمد عن المدرسة اثني عشر يوما"


def letter(language: str, name: str, line: str, days: int = 12) -> str:
    t = LetterTemplate(key="letter1", version=1, body=BODY, language=language,
                       last_edited_by="editor", effective_from=date(2024, 9, 1),
                       merge_fields={"name": {"type": "string"}, "line": {"type": "string"},
                                     "days": {"type": "integer"}})
    t = approve(t, "approver", datetime(2024, 9, 2, tzinfo=UTC))
    return render_html(t, {"name": name, "line": line, "days": days})


def extracted(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def visual(logical: str) -> str:
    """Correctly shaped and ordered: what a right-to-left line of `logical` draws, left to right."""
    return get_display(arabic_reshaper.reshape(logical), base_dir="R")


@pytest.mark.parametrize(("language", "name", "line"), [
    ("en", "Jane O'Neill", "Jane missed 12 days"),
    ("ga", "Seán Ó Briain", "Tá Áine as láthair; éist, íoc, úll"),
    ("pl", "Łucja Żmijewska", "Zażółć gęślą jaźń: ą ć ę ł ń ó ś ź ż"),
    ("uk", "Олександра Ґонта", "Її мати: є, ї, ґ, і"),
])
def test_left_to_right_letters_extract_back_unchanged(language: str, name: str, line: str) -> None:
    text = extracted(html_to_pdf(letter(language, name, line)).content)
    assert name in text and line in text and "12" in text


def test_arabic_extracts_back_to_the_merged_values() -> None:
    raw = extracted(html_to_pdf(letter("ar", NAME_AR, LINE_AR)).content)
    # drawn as joined presentation forms, which NFKC folds back to the letters typed; pypdf turns
    # right-to-left runs back into logical order, so unreordered text would come out reversed
    assert any("\ufe70" <= ch <= "\ufeff" for ch in raw)
    text = unicodedata.normalize("NFKC", raw)
    assert NAME_AR in text and LINE_AR in text and "12" in text


def test_arabic_is_drawn_shaped_and_in_visual_order() -> None:
    lines = drawn_lines(html_to_pdf(letter("ar", NAME_AR, LINE_AR)).content)
    assert [ln.text for ln in lines] == [visual(NAME_AR), visual(LINE_AR), "12"]
    assert not any("\u0621" <= ch <= "\u064a" for ln in lines for ch in ln.text)  # all joined


def test_mixed_arabic_and_latin_follow_the_bidi_algorithm() -> None:
    mixed = "عزيزي Seán، غاب 12 يوما"
    drawn = drawn_lines(html_to_pdf(letter("ar", mixed, LINE_AR)).content)[0].text
    assert drawn == visual(mixed)
    assert drawn.endswith(visual("عزيزي"))  # the first word at the right-hand end


def test_a_right_to_left_letter_is_right_aligned() -> None:
    rtl = drawn_lines(html_to_pdf(letter("ar", NAME_AR, LINE_AR)).content)
    ltr = drawn_lines(html_to_pdf(letter("en", NAME_AR, LINE_AR)).content)
    assert all(ln.x > 250 for ln in rtl)
    assert all(ln.x == 0 for ln in ltr)


def test_a_wrapped_arabic_paragraph_starts_on_its_first_line() -> None:
    words = ["أولا"] + ["مرحبا بك يا أحمد،"] * 12 + ["أخيرا"]
    first, *rest = drawn_lines(html_to_pdf(letter("ar", "x", " ".join(words))).content)[1:-1]
    assert rest, "the paragraph should wrap"
    assert first.text.endswith(visual("أولا"))  # the start of the text, at the right
    assert rest[-1].text.startswith(visual("أخيرا"))  # the end of the text, at the left


def test_the_pdf_declares_the_language() -> None:
    reader = PdfReader(io.BytesIO(html_to_pdf(letter("ar", NAME_AR, LINE_AR)).content))
    assert reader.trailer["/Root"]["/Lang"] == "ar"


SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from adapters.pdf.render import html_to_pdf
print(html_to_pdf({html!r}).sha256)
"""


def test_an_arabic_letter_is_deterministic_across_processes() -> None:
    html = letter("ar", NAME_AR, "عزيزي Seán، غاب 12 يوما")
    assert html_to_pdf(html).content == html_to_pdf(html).content
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(root=str(ROOT), html=html)],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    assert out == html_to_pdf(html).sha256
