"""Fakes for machine translation: a translator that "translates" by upper-casing the text outside
tags (honouring class="notranslate" as Azure AI Translator does) and an in-memory template store."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from domain.letters.templates import LetterTemplate
from domain.platform.errors import AlreadyExists
from services.letters.ports import TranslatorError

_NOTRANSLATE = re.compile(r'(<span class="notranslate"[^>]*>.*?</span>)', re.DOTALL)
_TAGS = re.compile(r"(<[^>]*>)")


def upper_outside_tags(html: str) -> str:
    """Every text node upper-cased; tags (and their attributes) as they were."""
    return "".join(part if part.startswith("<") else part.upper() for part in _TAGS.split(html))


@dataclass
class FakeTranslator:
    """Upper-cases text outside tags and notranslate spans; `fail_with` makes every call raise."""

    fail_with: Exception | None = None
    calls: list[tuple[str, str, str]] = field(default_factory=list)

    def translate_html(self, html: str, source: str, target: str) -> str:
        self.calls.append((html, source, target))
        if self.fail_with is not None:
            raise self.fail_with
        return "".join(part if part.startswith('<span class="notranslate"')
                       else upper_outside_tags(part) for part in _NOTRANSLATE.split(html))


def failing_translator() -> FakeTranslator:
    return FakeTranslator(fail_with=TranslatorError("translator answered 429"))


@dataclass
class FakeTemplateStore:
    templates: dict[str, list[LetterTemplate]] = field(default_factory=dict)

    def all(self, tenant_id: str) -> list[LetterTemplate]:
        return list(self.templates.get(tenant_id, []))

    def insert(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        existing = self.templates.setdefault(tenant_id, [])
        ident = (template.key, template.language, template.school_id, template.version)
        if any((t.key, t.language, t.school_id, t.version) == ident for t in existing):
            raise AlreadyExists(f"template {template.key} {template.language} "
                                f"v{template.version} exists")
        saved = replace(template, etag=f"etag-{len(existing) + 1}")
        existing.append(saved)
        return saved
