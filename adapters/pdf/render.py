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

What does not change between letters is done once per process (bench (f), docs/benchmarks.md):
xhtml2pdf parses its default CSS and our font CSS for every document, and each `@font-face` reads
and digests the whole TTF file (about 4 ms a letter for the two faces). `_LetterContext` keeps the
parsed default CSS and the parsed font CSS, keyed by their exact text, and replays what the
`@font-face` rules do to a document (`_embed_fonts`: the family's entries and reportlab's
family mappings, the steps of xhtml2pdf's loadFont) against faces registered once with reportlab
(its font registry is process-global anyway). Only those two stylesheets are kept: a template's
own <style> is parsed for each document, since an @page, @font-face or custom property in it acts
on the document being parsed. Nothing of a letter (its HTML, story, or PDF) is kept.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from xhtml2pdf import document, pisa
from xhtml2pdf.context import pisaContext, registerTTFont
from xhtml2pdf.parser import DEFAULT_CSS_SOURCE

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


FAMILY = "dejavu sans"  # as xhtml2pdf keys the family of `font-family: "DejaVu Sans"`
_FONT_SHEET = _font_css()[len("<style>"):-len("</style>")].strip()  # as pisaContext.addCSS keeps it
# parsed stylesheets by their text: the default CSS and _FONT_SHEET only, so at most a few entries
_PARSED: dict[str, Any] = {}


class _NamedFile:
    """What xhtml2pdf's registerTTFont reads a font file's path from."""

    def __init__(self, path: Path) -> None:
        self._path = str(path)

    def getNamedFile(self) -> str:  # noqa: N802 (xhtml2pdf's name)
        return self._path


@lru_cache(maxsize=1)
def _faces() -> tuple[tuple[int, str], ...]:
    """(bold, reportlab font name) of each face, registered once in the process by xhtml2pdf's
    own registerTTFont, under the name a `@font-face` rule would give it."""
    return tuple((bold, registerTTFont(f"{FAMILY}_{bold}0", _NamedFile(path)))
                 for bold, path in ((0, REGULAR), (1, BOLD)))


def _embed_fonts(context: pisaContext) -> None:
    """What _FONT_SHEET's two `@font-face` rules do to a document, in their order: the end of
    xhtml2pdf's loadFont for a TTF (fontName "dejavu sans", not bold-italic distinct), without
    reading the files again. tests/unit/test_pdf_cache.py compares it with the real thing."""
    for bold, name in _faces():
        full = f"{FAMILY}_{bold}0"
        if full in context.fontList:
            continue  # loadFont: "Repeated font embed", skipped
        for is_bold in (0, 1):
            for is_italic in (0, 1):
                if f"{FAMILY}_{is_bold}{is_italic}" not in context.fontList:
                    addMapping(FAMILY, is_bold, is_italic, name)
        context.registerFont(FAMILY, [FAMILY, full, name])


class _LetterContext(pisaContext):
    """xhtml2pdf's document context with the default CSS and the font CSS parsed once. The parsed
    rulesets are only read by a document (its cascade merges them into rulesets of its own), and
    renders run one at a time (_LOCK, and xhtml2pdf's own lock), so they can be shared."""

    def _parseCSSSource(self, text: str, sourceName: str | None) -> Any:  # noqa: N802, N803
        if sourceName != DEFAULT_CSS_SOURCE and text != _FONT_SHEET:
            return super()._parseCSSSource(text, sourceName)
        parsed = _PARSED.get(text)
        if parsed is not None:
            if text == _FONT_SHEET:
                _embed_fonts(self)
            return parsed
        parsed = super()._parseCSSSource(text, sourceName)  # the first time: the real thing
        embedded = all(f"{FAMILY}_{bold}0" in self.fontList for bold in (0, 1))
        if (text != _FONT_SHEET or embedded) and len(_PARSED) < 4:  # this xhtml2pdf's CSS, ours
            _PARSED[text] = parsed  # (a font sheet whose files did not load is not kept)
        return parsed


def cache_stats() -> dict[str, int]:
    """What is kept between documents (bench (f) prints it): parsed stylesheets, and font faces
    registered with reportlab (0 before the first letter)."""
    return {"stylesheets parsed once": len(_PARSED),
            "font faces registered": len(_faces()) if _faces.cache_info().currsize else 0}


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
        document.pisaContext = _LetterContext  # what pisaDocument builds its context from
        try:
            status = pisa.CreatePDF(
                source, dest=out, encoding="utf-8", raise_exception=False,
                context_meta={"title": title, "author": "", "subject": "", "keywords": "",
                              "creator": "attendance-orchestrator"},
            )
        finally:
            document.pisaContext = pisaContext
            rl_config.invariant = previous
    if status.err:
        raise PdfRenderError(f"xhtml2pdf reported {status.err} error(s) rendering the letter")
    content = out.getvalue()
    return RenderedPdf(content=content, sha256=sha256_hex(content))
