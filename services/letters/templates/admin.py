"""Letter templates as a product: list, read, create, edit (a new DRAFT version), approve and
retire, each change audited with before and after.

Who manages what: district templates (no school) only a tenant-wide DistrictAdmin; a school's
override any admin whose scope covers that school. A school override copies a district key and
language and is refused where the district locks it (`lockScope` DISTRICT_ONLY); the lock is
checked again when the override is edited and approved, as the district may lock it meanwhile.

Versions of a key and language are one series across the district and its schools (see
services/letters/templates/source.py). Shipped starters have no row: their ETag is made from
their identity, editing one stores the next version after it, retiring one stores a RETIRED copy.
Approving an APPROVED template or retiring a RETIRED one changes nothing (a repeated request).
A machine-translated draft is approved like any other; a person's edit of one is that person's
text (`machine_translated` False) and keeps `translated_from` as where it started.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from domain.letters.authoring import check_template
from domain.letters.templates import (
    LetterTemplate,
    LockScope,
    TemplateStatus,
    approve,
    check_override_allowed,
    retire,
)
from domain.platform.access import Principal
from domain.platform.errors import AlreadyExists, ConcurrencyError, ValidationFailed
from services.letters.templates.rules import (
    ENTITY,
    Changes,
    Ref,
    api_fields,
    district_of,
    ensure_manageable,
    etag_of,
    find,
    next_version,
    series_of,
    summary,
)
from services.letters.templates.source import TemplateCatalog, TemplateStore, is_starter
from services.platform.audit import AuditLog
from services.platform.ports import Clock


class LetterTemplateAdmin:
    def __init__(self, catalog: TemplateCatalog, store: TemplateStore, audit: AuditLog,
                 clock: Clock) -> None:
        self._catalog, self._store, self._audit, self._clock = catalog, store, audit, clock

    def visible(self, tenant_id: str, school_id: str | None) -> list[LetterTemplate]:
        """A school's view (district + its overrides), or with None every template of the tenant."""
        if school_id is None:
            return self._catalog.for_tenant(tenant_id)
        return self._catalog.for_school(tenant_id, school_id)

    def get(self, tenant_id: str, scope: str | None, ref: Ref) -> LetterTemplate:
        """One version (`ref.version`) or, without one, the series' latest. Raises NotFound."""
        return find(self.visible(tenant_id, scope or ref.school_id), ref)

    def create(self, principal: Principal, tenant_id: str, ref: Ref, changes: Changes) -> LetterTemplate:
        """A new district key, or a school's first override of a district key, as DRAFT."""
        ensure_manageable(principal, ref.school_id)
        templates = self.visible(tenant_id, ref.school_id)
        if any((t.key, t.language, t.school_id) == (ref.key, ref.language, ref.school_id) for t in templates):
            raise AlreadyExists(f"template {ref.key!r} in {ref.language!r} exists: edit it with PUT")
        base = district_of(templates, ref) if ref.school_id else None
        if ref.school_id and base is None:
            raise ValidationFailed(f"no district template {ref.key!r} in {ref.language!r} to override",
                                   field="key")
        body, merge_fields = changes.body, changes.merge_fields
        if base is not None:  # an override: what it does not set, the district's template says
            body = body if body is not None else base.body
            merge_fields = merge_fields if merge_fields is not None else base.merge_fields
        if body is None or merge_fields is None:
            raise ValidationFailed("a new template needs a body and its mergeFields",
                                   field="body" if body is None else "mergeFields")
        with api_fields():
            draft = LetterTemplate(
                key=ref.key, version=next_version(templates, ref), language=ref.language,
                body=body, merge_fields=merge_fields, last_edited_by=principal.subject,
                effective_from=changes.effective_from or self._clock.now().date(),
                lock_scope=changes.lock_scope or LockScope.DISTRICT_ONLY, school_id=ref.school_id)
            self._check(draft, templates)
        saved = self._store.insert(tenant_id, draft)
        self._record(principal, tenant_id, "letter_template.created", None, saved)
        return saved

    def edit(self, principal: Principal, tenant_id: str, ref: Ref, changes: Changes,
             if_match: str) -> LetterTemplate:
        """The next DRAFT version of the series from the latest, if `if_match` is its ETag."""
        ensure_manageable(principal, ref.school_id)
        templates = self.visible(tenant_id, ref.school_id)
        latest = series_of(templates, ref)[-1]
        if if_match != etag_of(latest):
            raise ConcurrencyError("the template changed since you read it: fetch it again")
        with api_fields():
            draft = replace(
                latest, version=next_version(templates, ref), status=TemplateStatus.DRAFT,
                body=latest.body if changes.body is None else changes.body,
                merge_fields=latest.merge_fields if changes.merge_fields is None else changes.merge_fields,
                effective_from=changes.effective_from or latest.effective_from,
                lock_scope=changes.lock_scope or latest.lock_scope, last_edited_by=principal.subject,
                approved_by=None, approved_at=None, machine_translated=False, etag=None)
            self._check(draft, templates)
        try:
            saved = self._store.insert(tenant_id, draft)
        except AlreadyExists as exc:  # another edit took that version number first
            raise ConcurrencyError("the template changed since you read it: fetch it again") from exc
        self._record(principal, tenant_id, "letter_template.edited", latest, saved)
        return saved

    def approve(self, principal: Principal, tenant_id: str, ref: Ref,
                if_match: str | None = None) -> LetterTemplate:
        def change(template: LetterTemplate, templates: list[LetterTemplate]) -> LetterTemplate:
            self._check(template, templates)
            return approve(template, principal.subject, self._clock.now())

        return self._transition(principal, tenant_id, ref, if_match, TemplateStatus.APPROVED,
                                "letter_template.approved", change)

    def retire(self, principal: Principal, tenant_id: str, ref: Ref,
               if_match: str | None = None) -> LetterTemplate:
        return self._transition(principal, tenant_id, ref, if_match, TemplateStatus.RETIRED,
                                "letter_template.retired", lambda t, _: retire(t))

    def _transition(self, principal: Principal, tenant_id: str, ref: Ref, if_match: str | None,
                    target: TemplateStatus, action: str,
                    change: Callable[[LetterTemplate, list[LetterTemplate]], LetterTemplate],
                    ) -> LetterTemplate:
        ensure_manageable(principal, ref.school_id)
        templates = self.visible(tenant_id, ref.school_id)
        current = find(templates, ref)
        if if_match is not None and if_match != etag_of(current):
            raise ConcurrencyError("the template changed since you read it: fetch it again")
        if current.status is target:
            return current
        with api_fields():
            changed = change(current, templates)
        try:
            saved = (self._store.insert(tenant_id, changed) if is_starter(current)
                     else self._store.replace(tenant_id, changed))
        except AlreadyExists as exc:  # a concurrent request stored the starter's copy first
            raise ConcurrencyError("the template changed since you read it: fetch it again") from exc
        self._record(principal, tenant_id, action, current, saved)
        return saved

    def _check(self, template: LetterTemplate, templates: list[LetterTemplate]) -> None:
        check_template(template)
        if template.school_id is not None and template.lock_scope is not LockScope.DISTRICT_ONLY:
            # only the district decides who may override; an override cannot be overridden
            raise ValidationFailed("an override has no lock scope of its own", field="lockScope")
        if template.school_id is not None:
            district = district_of(templates, Ref(template.key, template.language, None))
            if district is None:
                raise ValidationFailed(f"the district has no template {template.key!r} in "
                                       f"{template.language!r} any more", field="key")
            check_override_allowed(template, district)

    def _record(self, principal: Principal, tenant_id: str, action: str,
                before: LetterTemplate | None, after: LetterTemplate) -> None:
        entity_id = f"{after.key}/{after.language}/{after.school_id or '-'}/v{after.version}"
        self._audit.record(actor=principal, tenant_id=tenant_id, school_id=after.school_id,
                           action=action, entity_type=ENTITY, entity_id=entity_id,
                           before=summary(before) if before else None, after=summary(after))
