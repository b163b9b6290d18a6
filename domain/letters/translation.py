"""Keeping a template's Jinja and HTML intact through machine translation.

A translator sent the body as HTML (Azure AI Translator, `textType=html`) keeps tags and leaves
alone the content of an element with `class="notranslate"`. Before translation every Jinja
construct (`{{ ... }}`, `{% ... %}`, `{# ... #}`) is swapped for a marker and kept aside:

- in text, `<span class="notranslate" data-jinja="N">N</span>`: the translator may move it with
  its sentence (word order differs between languages) but not change it;
- inside a tag (an attribute value such as `href="{{ link }}"`), the bare token `jinja-N-jinja`,
  as a span there would break the tag (translators do not translate attribute values).

After translation each marker is put back as the original construct. A marker lost, changed or
duplicated by the translator is an error, never a silently broken template. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from domain.platform.errors import ValidationFailed

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TEXT_MARKER = re.compile(
    r'<span\s+class\s*=\s*"notranslate"\s+data-jinja\s*=\s*"(\d+)"\s*>\s*\d*\s*</span>',
    re.IGNORECASE)
_ATTR_MARKER = re.compile(r"jinja-(\d+)-jinja")


class TranslationMangled(ValueError):
    """The translated text lost, altered or repeated a protected Jinja construct."""


@dataclass(frozen=True)
class Protected:
    html: str  # what the translator gets
    constructs: tuple[str, ...]  # the Jinja constructs, by marker number


def _inside_tag(text: str, at: int) -> bool:
    """Whether position `at` is inside an HTML tag (after a `<` not yet closed by `>`)."""
    return text.rfind("<", 0, at) > text.rfind(">", 0, at)


def protect(body: str) -> Protected:
    if "data-jinja" in body or _ATTR_MARKER.search(body):
        raise ValidationFailed("the template body already contains translation markers",
                               field="body")
    constructs: list[str] = []
    out: list[str] = []
    last = 0
    # tags are judged on the body with every construct blanked, so `<p class="{{ x }}">` counts
    blanked = _JINJA.sub(lambda m: "_" * len(m.group(0)), body)
    for match in _JINJA.finditer(body):
        n = len(constructs)
        constructs.append(match.group(0))
        out.append(body[last:match.start()])
        if _inside_tag(blanked, match.start()):
            out.append(f"jinja-{n}-jinja")
        else:
            out.append(f'<span class="notranslate" data-jinja="{n}">{n}</span>')
        last = match.end()
    out.append(body[last:])
    return Protected("".join(out), tuple(constructs))


def restore(translated: str, constructs: tuple[str, ...]) -> str:
    """`translated` with every marker replaced by its construct; TranslationMangled when a marker
    is missing, unknown or repeated."""
    seen: list[int] = []

    def put_back(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n >= len(constructs):
            raise TranslationMangled(f"the translation has an unknown marker {n}")
        seen.append(n)
        return constructs[n]

    text = _TEXT_MARKER.sub(put_back, translated)
    text = _ATTR_MARKER.sub(put_back, text)
    if sorted(seen) != list(range(len(constructs))):
        missing = sorted(set(range(len(constructs))) - set(seen))
        repeated = sorted({n for n in seen if seen.count(n) > 1})
        raise TranslationMangled(f"the translation lost markers {missing} "
                                 f"or repeated markers {repeated}")
    if "data-jinja" in text:
        raise TranslationMangled("the translation altered a marker")
    return text


def translate_body(body: str, translate: Callable[[str], str]) -> str:
    """`body` translated by `translate` (HTML in, HTML out) with its Jinja untouched."""
    protected = protect(body)
    return restore(translate(protected.html), protected.constructs)
