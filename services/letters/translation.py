"""Machine-translated drafts of letter templates, for staff to read and approve.

When a guardian's language has no approved template, the letter goes out in the school's
language and `TranslationDrafts.request` asks the translator for a DRAFT in the guardian's
language: same key, merge fields, effective date, lock scope and school as the approved source;
the next version in that language; `machine_translated=True`, `translated_from="<lang> v<n>"`
and `last_edited_by="machine-translation"` (so any person may approve it, and nothing
machine-translated is sent before someone has). The Jinja survives translation
(domain/letters/translation.py) and the draft must still parse and name only its merge fields.

Idempotent: nothing is done when a DRAFT or APPROVED template in the target language already
translates that source version, and a concurrent request that inserts the same version first
wins (AlreadyExists is the answer "someone else did it"). Audited as
`template.machine-translated`. Logs carry ids and languages only, never the text.
"""

from __future__ import annotations

import logging

from domain.letters.render import check_body
from domain.letters.templates import LetterTemplate, TemplateStatus
from domain.letters.translation import translate_body
from domain.platform.errors import AlreadyExists, ValidationFailed
from services.letters.ports import TemplateDraftStore, Translator
from services.platform.audit import AuditLog

log = logging.getLogger(__name__)
MACHINE_EDITOR = "machine-translation"


def template_id(t: LetterTemplate) -> str:
    """The audit entity id of one template version: key/language/school (or -)/v<version>."""
    return f"{t.key}/{t.language}/{t.school_id or '-'}/v{t.version}"


def provenance(source: LetterTemplate) -> str:
    return f"{source.language} v{source.version}"


class TranslationDrafts:
    def __init__(self, translator: Translator, store: TemplateDraftStore, audit: AuditLog) -> None:
        self._translator, self._store, self._audit = translator, store, audit

    def request(self, tenant_id: str, source: LetterTemplate, target: str) -> LetterTemplate | None:
        """The new draft of `source` in `target`, or None when one exists (or another request
        made it first). Raises TranslatorError / TranslationMangled when the translation fails."""
        if source.status is not TemplateStatus.APPROVED:
            raise ValidationFailed("only an APPROVED template is machine-translated",
                                   field="status")
        if target == source.language:
            raise ValidationFailed("the target language is the template's own", field="language")
        # one version series per key and language, shared by the district and its schools
        series = [t for t in self._store.all(tenant_id) if (t.key, t.language) == (source.key, target)]
        same = [t for t in series if t.school_id == source.school_id]
        origin = provenance(source)
        if any(t.translated_from == origin and t.status is not TemplateStatus.RETIRED
               for t in same):
            return None
        body = translate_body(source.body, lambda html: self._translator.translate_html(
            html, source.language, target))
        draft = LetterTemplate(
            key=source.key, version=max((t.version for t in series), default=0) + 1, body=body,
            language=target, last_edited_by=MACHINE_EDITOR, effective_from=source.effective_from,
            merge_fields=dict(source.merge_fields), status=TemplateStatus.DRAFT,
            lock_scope=source.lock_scope, school_id=source.school_id, machine_translated=True,
            translated_from=origin)
        check_body(draft)  # the translated body still parses and names only its merge fields
        try:
            saved = self._store.insert(tenant_id, draft)
        except AlreadyExists:
            log.info("machine translation of %s to %s: another request saved it first",
                     template_id(source), target)
            return None
        self._audit.record(actor=None, tenant_id=tenant_id, school_id=source.school_id,
                           action="template.machine-translated", entity_type="letterTemplate",
                           entity_id=template_id(saved),
                           after={"translatedFrom": origin, "sourceId": template_id(source),
                                  "language": target, "version": saved.version,
                                  "status": saved.status.value})
        log.info("machine-translated draft %s from %s", template_id(saved), template_id(source))
        return saved
