"""Render a template's body to HTML: Jinja2 in a sandbox, autoescaped, strict about undefined names.

The merge data is checked against the template's schema first, so a missing field is reported
together with every other missing field rather than one at a time. Only an APPROVED template
renders for sending; a preview renders any template, and the preview of one not APPROVED (a
draft, or a retired version) carries a visible "DRAFT" watermark.

Filters: `long_date` (`{{ letterDate | long_date }}`) writes a date in the TEMPLATE's language
(domain/letters/dates.py), so a translated template gives "6 stycznia 2026", not an English date;
each language has its own sandboxed environment with the filter bound to it.

A body is parsed and compiled once per process, not once per letter (bench (f) measured both at
about a sixth of a letter's render): `_undeclared_names` and `_compiled` are keyed by the body's
text (and the compiled one by key, version and language too), so a changed body is a new entry
and never finds an old one; bounded LRU caches, safe to share between threads. Only the body is
cached: merge data goes into each `render` call and is never kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache, partial
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from domain.letters.dates import long_date
from domain.letters.direction import with_direction
from domain.letters.templates import LetterTemplate, TemplateStatus, require_sendable
from domain.platform.errors import ValidationFailed


def _environment(language: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, auto_reload=False)
    env.filters["long_date"] = partial(long_date, language=language)
    return env


@lru_cache(maxsize=64)  # one per template language seen; an environment is cheap but not free
def _environment_for(language: str) -> SandboxedEnvironment:
    return _environment(language)


_ENV = _environment("en")  # parsing only: filters are looked up when a body is rendered
CACHED_BODIES = 256  # a district's templates in all their languages and live versions, with room


@lru_cache(maxsize=CACHED_BODIES)
def _undeclared_names(body: str) -> frozenset[str]:
    """The names `body` reads from its context; ValidationFailed if it does not parse (not
    cached: lru_cache keeps only returned values)."""
    try:
        parsed = _ENV.parse(body)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(f"the template body does not parse (line {exc.lineno}): "
                               f"{exc.message}", field="body") from exc
    return frozenset(meta.find_undeclared_variables(parsed))


@lru_cache(maxsize=CACHED_BODIES)
def _compiled(key: str, version: int, language: str, body: str) -> Template:
    """`body` compiled in its language's sandbox. A Template holds no render state, so threads
    may render one at once; the key is the whole body text, so an edited body never reuses
    another's code whatever its key and version say."""
    return _environment_for(language).from_string(body)

WATERMARK = ('<div class="draft-watermark" style="color: #b00020; font-size: 28pt; '
             'font-weight: bold; text-align: center; border: 3px solid #b00020; '
             'padding: 4pt; margin-bottom: 12pt;">DRAFT \u2014 preview, not for sending</div>')


class MissingMergeFields(ValidationFailed):
    """Required merge fields absent from the data; `fields` lists every one of them."""

    def __init__(self, fields: list[str]) -> None:
        self.fields = tuple(sorted(fields))
        super().__init__("missing merge fields: " + ", ".join(self.fields),
                         field=", ".join(self.fields))


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind == "list":
        return isinstance(value, list | tuple)
    return isinstance(value, Mapping)  # object


def validate_merge_data(template: LetterTemplate, data: Mapping[str, Any]) -> None:
    """Every required field present (not None), every present field of its schema type, and no
    field outside the schema; the error names every missing field at once."""
    schema = template.merge_fields
    missing = [n for n, spec in schema.items() if spec["required"] and data.get(n) is None]
    if missing:
        raise MissingMergeFields(missing)
    unknown = sorted(set(data) - set(schema))
    if unknown:
        raise ValidationFailed("merge data has fields outside the template's schema: "
                               + ", ".join(unknown), field=", ".join(unknown))
    wrong = sorted(n for n, v in data.items()
                   if v is not None and not _type_ok(schema[n]["type"], v))
    if wrong:
        raise ValidationFailed("merge fields of the wrong type: " + ", ".join(
            f"{n} (expected {schema[n]['type']})" for n in wrong), field=", ".join(wrong))


def check_body(template: LetterTemplate) -> None:
    """The body parses, and names only fields in its schema."""
    undeclared = sorted(_undeclared_names(template.body) - set(template.merge_fields))
    if undeclared:
        raise ValidationFailed("the template body uses fields outside its schema: "
                               + ", ".join(undeclared), field="body")


def cache_stats() -> dict[str, int]:
    """What the body caches hold and how often they had to parse or compile (bench (f) prints it)."""
    compiled, names = _compiled.cache_info(), _undeclared_names.cache_info()
    return {"bodies compiled": compiled.currsize, "compiles": compiled.misses,
            "bodies checked": names.currsize, "checks parsed": names.misses}


def _watermarked(html: str) -> str:
    lower = html.lower()
    start = lower.find("<body")
    if start >= 0:
        end = lower.find(">", start)
        if end >= 0:
            return html[: end + 1] + WATERMARK + html[end + 1:]
    return WATERMARK + html


def render_html(template: LetterTemplate, data: Mapping[str, Any], *,
                preview: bool = False) -> str:
    """The letter's HTML. Not a preview → the template must be APPROVED. Merge values are
    escaped; template code cannot reach Python internals (the sandbox refuses, reported as a
    ValidationFailed on the body)."""
    if not preview:
        require_sendable(template)
    check_body(template)
    validate_merge_data(template, data)
    defaults = {n: None for n in template.merge_fields if n not in data}
    try:
        html = _compiled(template.key, template.version, template.language,
                         template.body).render({**defaults, **data})
    except SecurityError as exc:
        raise ValidationFailed(f"the template body does something unsafe: {exc}",
                               field="body") from exc
    except UndefinedError as exc:
        raise ValidationFailed(f"the template body refers to something undefined: {exc}",
                               field="body") from exc
    if preview and template.status is not TemplateStatus.APPROVED:  # a draft or a retired one
        html = _watermarked(html)
    return with_direction(html, template.language)  # right to left: dir="rtl" (direction.py)
