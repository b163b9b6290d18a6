"""HTML → PDF with xhtml2pdf, deterministically: the same HTML gives the same bytes.

reportlab's invariant mode fixes the creation date and the document id; the metadata we set is
fixed too (no dates, no host, no random ids). The text font is DejaVu Sans, embedded (subset), so
Irish and Polish diacritics and Cyrillic (Ukrainian) render and extract back as text.

Arabic (right to left): xhtml2pdf 0.2.28 joins the letters with arabic-reshaper (presentation
forms, which DejaVu Sans carries) and puts each line in visual order as it draws it (its own
UAX #9, line by line, so a wrapped paragraph starts on its first line). The HTML stays in logical
order; a right-to-left letter only declares `dir="rtl"`/`lang` (domain/letters/direction.py, done
by render_html), which right-aligns it. Do not reorder the text before it gets here (e.g. with
python-bidi): it would be reversed twice. Arabic diacritics (harakat) are dropped by the
reshaper; letters are written without them. tests/unit/test_pdf_scripts.py checks the drawn
glyphs against python-bidi as an independent reference.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from xhtml2pdf import pisa

from domain.platform.hashing import sha256_hex

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

# xhtml2pdf and reportlab keep module-level state (rl_config, font caches): one render at a time.
_LOCK = threading.Lock()


class PdfRenderError(RuntimeError):
    """xhtml2pdf reported errors converting the HTML."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str


def _font_css() -> str:
    return (
        "<style>"
        f'@font-face {{ font-family: "DejaVu Sans"; src: url("{REGULAR.as_posix()}"); }}'
        f'@font-face {{ font-family: "DejaVu Sans"; src: url("{BOLD.as_posix()}"); '
        "font-weight: bold; }"
        'html, body, p, div, span, td, th, li, h1, h2, h3, h4 { font-family: "DejaVu Sans"; }'
        "</style>"
    )


def _with_fonts(html: str) -> str:
    """The font CSS goes first in <head> (or before a fragment), so the letter's own CSS wins."""
    lower = html.lower()
    head = lower.find("<head")
    if head >= 0:
        end = lower.find(">", head)
        return html[: end + 1] + _font_css() + html[end + 1:]
    if "<html" in lower:
        start = lower.find(">", lower.find("<html"))
        return html[: start + 1] + "<head>" + _font_css() + "</head>" + html[start + 1:]
    return "<html><head>" + _font_css() + "</head><body>" + html + "</body></html>"


def html_to_pdf(html: str, *, title: str = "Letter") -> RenderedPdf:
    """The PDF of `html` and its SHA-256; the same (html, title) always gives the same bytes."""
    source = _with_fonts(html)
    out = io.BytesIO()
    with _LOCK:
        previous = rl_config.invariant
        rl_config.invariant = 1
        try:
            status = pisa.CreatePDF(
                source, dest=out, encoding="utf-8", raise_exception=False,
                context_meta={"title": title, "author": "", "subject": "", "keywords": "",
                              "creator": "attendance-orchestrator"},
            )
        finally:
            rl_config.invariant = previous
    if status.err:
        raise PdfRenderError(f"xhtml2pdf reported {status.err} error(s) rendering the letter")
    content = out.getvalue()
    return RenderedPdf(content=content, sha256=sha256_hex(content))
