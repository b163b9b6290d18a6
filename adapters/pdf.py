"""HTML → PDF with xhtml2pdf, deterministically: the same HTML gives the same bytes.

reportlab's invariant mode fixes the creation date and the document id; the metadata we set is
fixed too (no dates, no host, no random ids). The text font is DejaVu Sans, embedded (subset), so
Irish and Polish diacritics and Cyrillic (Ukrainian) render and extract back as text.

Not covered yet: Arabic and other right-to-left scripts. DejaVu Sans has Arabic glyphs, but
xhtml2pdf/reportlab do no bidi reordering or Arabic shaping (joining forms), so an Arabic letter
would come out with disconnected letters in the wrong order. That needs a shaping step (e.g.
arabic-reshaper + python-bidi) and a font tested for it before Arabic letters are sent.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab import rl_config
from xhtml2pdf import pisa

FONT_DIR = Path(__file__).resolve().parents[1] / "assets" / "fonts"
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


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


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
