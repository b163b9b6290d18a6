"""Writing direction of a letter: a right-to-left language's HTML says so (`dir="rtl"`, `lang`).

Only the direction is declared here; the text stays in logical order (the order it is typed).
Shaping (joining Arabic letters) and reordering (the Unicode bidirectional algorithm) are the
renderer's job and happen per drawn line: xhtml2pdf 0.2.28 shapes with arabic-reshaper and
reorders each line as it draws it (UAX #9). Reordering the HTML text beforehand (python-bidi's
`get_display`) would be wrong twice over: the renderer reverses it again, and a paragraph put in
visual order before line breaking starts its first line with the end of its last sentence. HTML
in logical order with `dir` is also what a browser or an e-mail client expects.

`dir="rtl"` gives the letter a right-to-left base direction (right-aligned lines, punctuation and
embedded Latin words or numbers placed as a reader of Arabic expects); `lang` becomes the PDF's
/Lang, which screen readers use. Left-to-right letters are returned unchanged (same bytes as
before this step existed).
"""

from __future__ import annotations

import re

# ISO 639 primary subtags of the right-to-left languages families may ask for
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "prs", "ps", "sd",
                           "ug", "ur", "yi"})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"})
_HTML_TAG = re.compile(r"<html\b([^>]*)>", re.IGNORECASE)
_HAS_DIR = re.compile(r"\sdir\s*=", re.IGNORECASE)
_HAS_LANG = re.compile(r"\slang\s*=", re.IGNORECASE)


def is_rtl(language: str) -> bool:
    """Whether `language` (a BCP 47 tag such as `ar`, `ur-PK`, `pa-Arab`) is written right to left:
    an explicit script subtag decides (`az-Arab` yes, `ku-Latn` no), else the primary language."""
    parts = language.strip().replace("_", "-").split("-")
    scripts = [p.lower() for p in parts[1:] if len(p) == 4 and p.isalpha()]
    if scripts:
        return scripts[0] in _RTL_SCRIPTS
    return parts[0].lower() in RTL_LANGUAGES


def with_direction(html: str, language: str) -> str:
    """`html` with `dir="rtl"` and `lang` on its <html> element when `language` is right to left
    (a fragment is wrapped in <html><body>); attributes the template already sets are kept."""
    if not is_rtl(language):
        return html
    match = _HTML_TAG.search(html)
    if match is None:
        return f'<html dir="rtl" lang="{_attr(language)}"><body>{html}</body></html>'
    attrs = match.group(1)
    extra = ""
    if not _HAS_DIR.search(attrs):
        extra += ' dir="rtl"'
    if not _HAS_LANG.search(attrs):
        extra += f' lang="{_attr(language)}"'
    return html[: match.start()] + f"<html{extra}{attrs}>" + html[match.end():]


def _attr(language: str) -> str:
    # a template's language is a validated tag, but never let it break out of the attribute
    return re.sub(r"[^A-Za-z0-9-]", "", language)
