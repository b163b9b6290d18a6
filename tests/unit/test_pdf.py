"""HTML → PDF: the same inputs give the same bytes (and hash), across processes too; the embedded
font carries Irish, Polish and Ukrainian text, which extracts back from the PDF unchanged.
Arabic (right to left): tests/unit/test_pdf_scripts.py."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from adapters.pdf.render import BOLD, REGULAR, html_to_pdf
from domain.letters import LetterTemplate, approve, render_html
from domain.platform.hashing import sha256_hex

ROOT = Path(__file__).resolve().parents[2]
LETTER = "<html><body><p>Dear {{ name }},</p><p><b>{{ line }}</b></p></body></html>"


def letter(name: str, line: str, *, draft: bool = False) -> str:
    t = LetterTemplate(key="letter1", version=1, body=LETTER, language="ga",
                       last_edited_by="editor", effective_from=date(2024, 9, 1),
                       merge_fields={"name": {"type": "string"}, "line": {"type": "string"}})
    if not draft:
        t = approve(t, "approver", datetime(2024, 9, 2, tzinfo=UTC))
    return render_html(t, {"name": name, "line": line}, preview=draft)


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_fonts_are_in_the_repo_with_their_licence() -> None:
    assert REGULAR.is_file() and BOLD.is_file()
    assert "Bitstream" in (REGULAR.parent / "LICENSE-DejaVu.txt").read_text()


def test_the_same_input_gives_identical_bytes() -> None:
    html = letter("Seán Ó Briain", "Zażółć gęślą jaźń")
    first, second = html_to_pdf(html), html_to_pdf(html)
    assert first.content == second.content
    assert first.sha256 == second.sha256 == sha256_hex(first.content)
    assert len(first.sha256) == 64
    assert first.content.startswith(b"%PDF-")


def test_a_different_input_gives_a_different_hash() -> None:
    assert html_to_pdf(letter("Seán", "x")).sha256 != html_to_pdf(letter("Sean", "x")).sha256
    html = letter("Seán", "x")
    assert html_to_pdf(html, title="A").sha256 != html_to_pdf(html, title="B").sha256


def test_no_clock_in_the_metadata() -> None:
    meta = PdfReader(io.BytesIO(html_to_pdf(letter("A", "B")).content)).metadata
    assert meta["/CreationDate"].startswith("D:2000")
    assert meta["/Title"] == "Letter"


SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from adapters.pdf.render import html_to_pdf
if sys.argv[1] == "warm":
    html_to_pdf("<p>something else first: Привіт</p>")
print(html_to_pdf({html!r}).sha256)
"""


def test_the_bytes_do_not_depend_on_the_process_or_what_it_rendered_before() -> None:
    html = letter("Seán Ó Briain", "Привіт")
    code = SCRIPT.format(root=str(ROOT), html=html)
    hashes = {subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout.strip() for arg in ("cold", "warm")}
    assert hashes == {html_to_pdf(html).sha256}


@pytest.mark.parametrize(("name", "line"), [
    ("Seán Ó Briain", "Tá Seán as láthair"),          # Irish
    ("Zażółć gęślą jaźń", "Łucja Żmijewska"),         # Polish
    ("Привіт", "Олександра Ґонта, учениця"),          # Ukrainian (incl. Ґ, і, ї-family)
])
def test_the_merged_text_extracts_back_unchanged(name: str, line: str) -> None:
    text = text_of(html_to_pdf(letter(name, line)).content)
    assert f"Dear {name}," in text
    assert line in text  # bold face too


def test_the_font_is_embedded() -> None:
    content = html_to_pdf(letter("Привіт", "Zażółć")).content
    assert b"DejaVuSans" in content and b"/FontFile2" in content


def test_a_draft_preview_shows_the_watermark_in_the_pdf() -> None:
    assert "DRAFT" in text_of(html_to_pdf(letter("A", "B", draft=True)).content)
    assert "DRAFT" not in text_of(html_to_pdf(letter("A", "B")).content)


def test_an_escaped_script_is_printed_as_text() -> None:
    text = text_of(html_to_pdf(letter("<script>alert(1)</script>", "x")).content)
    assert "<script>alert(1)</script>" in text
