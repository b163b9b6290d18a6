"""What html_to_pdf keeps between documents (adapters/pdf/render.py): xhtml2pdf's default CSS and
our font CSS parsed once, the DejaVu faces registered once, and what the `@font-face` rules do to
a document replayed exactly. A letter's own <style> is not kept, nothing of one letter reaches the
next, and renders from several threads give the bytes a single thread gives.
(A cold process and a warm one give the same bytes: tests/unit/test_pdf.py.)"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor

from pypdf import PdfReader
from reportlab.lib import fonts
from xhtml2pdf import document
from xhtml2pdf.config.resources import default_policy, use_policy
from xhtml2pdf.context import pisaContext

from adapters.pdf.render import FAMILY, _font_css, _LetterContext, cache_stats, html_to_pdf


def styled(colour: str, text: str = "Styled text") -> str:
    return (f"<html><head><style>p {{ color: {colour}; }}</style></head>"
            f"<body><p>{text}</p></body></html>")


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_only_the_default_and_the_font_css_are_kept() -> None:
    html_to_pdf("<p>warm</p>")
    html_to_pdf(styled("red"))
    html_to_pdf(styled("blue"))
    assert cache_stats() == {"stylesheets parsed once": 2, "font faces registered": 2}


def test_a_changed_style_of_the_letter_takes_effect() -> None:
    red, blue = html_to_pdf(styled("red")), html_to_pdf(styled("blue"))
    assert red.sha256 != blue.sha256
    assert html_to_pdf(styled("red")).sha256 == red.sha256


def test_no_text_of_one_letter_reaches_the_next() -> None:
    first = text_of(html_to_pdf("<p>Dear Ms Byrne</p>").content)
    second = text_of(html_to_pdf("<p>Dear Mr Nowak</p>").content)
    assert "Byrne" in first and "Byrne" not in second and "Nowak" in second


def _family_state() -> tuple[dict, dict]:
    faces = {name for (face, _b, _i), name in fonts._tt2ps_map.items() if face == FAMILY}
    return ({k: v for k, v in fonts._tt2ps_map.items() if k[0] == FAMILY},
            {k: v for k, v in fonts._ps2tt_map.items() if k in faces})


def _forget_family() -> None:
    state = _family_state()
    for key in state[0]:
        del fonts._tt2ps_map[key]
    for key in state[1]:
        del fonts._ps2tt_map[key]


def _parsed_font_css(context: pisaContext) -> tuple[dict, tuple[dict, dict]]:
    """The document's font list and reportlab's mappings of the family after its CSS is parsed."""
    context.resource_policy = default_policy(context.pathDirectory)
    context.addCSS(_font_css()[len("<style>"):-len("</style>")])
    _forget_family()
    with use_policy(context.resource_policy):
        context.parseCSS()
    return dict(context.fontList), _family_state()


def test_the_replayed_font_faces_are_what_xhtml2pdf_does_with_the_rules() -> None:
    saved = _family_state()
    try:
        html_to_pdf("<p>warm</p>")  # the font CSS is cached from here on
        real = _parsed_font_css(pisaContext(""))  # xhtml2pdf's own @font-face handling
        replayed = _parsed_font_css(_LetterContext(""))
    finally:
        fonts._tt2ps_map.update(saved[0])
        fonts._ps2tt_map.update(saved[1])
    assert replayed == real
    assert real[0][FAMILY] == FAMILY and real[1][0][(FAMILY, 1, 0)] != real[1][0][(FAMILY, 0, 0)]


def test_xhtml2pdf_is_left_with_its_own_context_class() -> None:
    html_to_pdf("<p>x</p>")
    assert document.pisaContext is pisaContext


def test_threads_rendering_at_once_give_the_bytes_of_one_thread() -> None:
    letters = [f"<p>Letter {n}: <b>Seán Ó Briain</b>, Привіт</p>" for n in range(6)]
    serial = [html_to_pdf(html).sha256 for html in letters]
    with ThreadPoolExecutor(max_workers=3) as pool:
        concurrent = list(pool.map(lambda html: html_to_pdf(html).sha256, letters * 2))
    assert concurrent == serial * 2
