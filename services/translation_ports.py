"""What machine translation of letter templates needs: a translator (Azure AI Translator in
adapters/translator.py; a fake in tests) and a small template store (adapters/table_templates.py)."""

from __future__ import annotations

from typing import Protocol

from domain.letters.templates import LetterTemplate


class TranslatorError(RuntimeError):
    """The translator refused or failed (throttled, down, misconfigured): nothing was translated."""


class Translator(Protocol):
    def translate_html(self, html: str, source: str, target: str) -> str:
        """`html` translated from language `source` to `target`, tags kept; the content of
        elements with class="notranslate" is left as it is. Raises TranslatorError."""
        ...


class TemplateDraftStore(Protocol):
    def all(self, tenant_id: str) -> list[LetterTemplate]:
        """Every template of the tenant, every version, status and language."""
        ...

    def insert(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        """Raises domain.errors.AlreadyExists when that key/language/school/version exists."""
        ...
