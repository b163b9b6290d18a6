"""Who a stage's letter is written to, and in which language.

Recipients: the guardian with parental responsibility first by priority (the priority-1 contact
when nobody is recorded with parental responsibility) always gets the letter; every OTHER guardian
with parental responsibility who does not live with the pupil gets one too (a separate household
with the right to know; a second adult at the same address is not written to twice).

Language: the guardian's preferred language when an approved template exists in it, else the
school's language, and the artifact records the missing translation; a machine-translated draft
of the template is then requested for staff to approve (services/letters/translation.py).
"""

from __future__ import annotations

import logging
from datetime import date

from domain.letters.templates import LetterTemplate
from domain.platform.errors import NotFound
from domain.roster.schools import Guardian, StudentGuardian
from services.letters.ports import SchoolTemplates
from services.letters.translation import TranslationDrafts

log = logging.getLogger(__name__)


def recipients(links: list[tuple[StudentGuardian, Guardian]]) -> list[Guardian]:
    """See the module docstring. `links` come by priority."""
    ordered = sorted(links, key=lambda pair: (pair[0].priority, pair[0].guardian_id))
    with_pr = [pair for pair in ordered if pair[0].parental_responsibility]
    first = (with_pr or ordered)[:1]
    others = [pair for pair in with_pr if pair not in first and not pair[0].lives_with_pupil]
    return [guardian for _, guardian in first + others]


class LetterLanguage:
    def __init__(self, drafts: TranslationDrafts | None = None) -> None:
        self._drafts = drafts  # None: no translator configured, no machine-translated drafts

    def template(self, tenant_id: str, templates: SchoolTemplates, key: str, language: str,
                 school_language: str, on: date) -> tuple[LetterTemplate, str | None]:
        """The template in the guardian's language, else in the school's with the language missing."""
        template = templates.approved(key, language, on)
        if template is not None:
            return template, None
        template = templates.approved(key, school_language, on)
        if template is None:
            raise NotFound(f"no approved template {key!r} in {school_language!r}")
        if language and language != template.language:
            self._request_translation(tenant_id, template, language)
        return template, language

    def _request_translation(self, tenant_id: str, template: LetterTemplate, language: str) -> None:
        """A machine-translated draft for staff to approve; its failure never fails the letter."""
        if self._drafts is None:
            return
        try:
            self._drafts.request(tenant_id, template, language)
        except Exception as exc:  # the letter goes out in the school language regardless
            log.warning("machine translation of template %s v%s to %s failed: %s", template.key,
                        template.version, language, type(exc).__name__)
