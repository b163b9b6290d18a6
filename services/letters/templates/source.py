"""Where letter templates come from: the shipped starters of a school's jurisdiction UNION the
tenant's stored templates (`lettertemplates`, one partition read per call; a letter job makes
one call, `StoredTemplateSource.for_school`, for all its letters).

A stored row with the same identity (key, language, school, version) as a starter replaces it:
that is how a district retires a starter (a RETIRED copy stored under its identity). A school
sees the district's templates and its own overrides, never another school's.

Version numbers of a key and language form ONE series across the district and its schools'
overrides (services/letters/templates/admin.py numbers a new version above every stored and starter
version of that key and language), so a school sees no two templates with the same key,
language and version, and `version()` (what a retry re-renders; the artifact records key,
language and version only) is unambiguous. Should two admins race a district edit and a school
edit to the same number, `version()` prefers the school's override.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from domain.letters.starters import starter_templates
from domain.letters.templates import LetterTemplate, applicable_template
from domain.platform.errors import NotFound
from services.roster.ports import RosterReader

Identity = tuple[str, str, str | None, int]


class TemplateStore(Protocol):
    def all(self, tenant_id: str) -> list[LetterTemplate]:
        """Every stored template of the tenant, with ETags (one partition read)."""
        ...

    def insert(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        """Raises AlreadyExists."""
        ...

    def replace(self, tenant_id: str, template: LetterTemplate) -> LetterTemplate:
        """ETag-conditional: raises ConcurrencyError."""
        ...


def identity(template: LetterTemplate) -> Identity:
    return template.key, template.language, template.school_id, template.version


def is_starter(template: LetterTemplate) -> bool:
    """Stored templates always carry their row's ETag; a shipped starter has none."""
    return template.etag is None


def union(starters: Iterable[LetterTemplate], stored: Iterable[LetterTemplate]) -> list[LetterTemplate]:
    """The starters with every stored template added; a stored one replaces a starter of the
    same identity. Ordered by key, language, school (district first) and version."""
    by_identity = {identity(t): t for t in starters}
    by_identity.update((identity(t), t) for t in stored)
    return sorted(by_identity.values(), key=lambda t: (t.key, t.language, t.school_id or "", t.version))


class TemplateCatalog:
    """The templates a school (or the whole tenant) sees."""

    def __init__(self, roster: RosterReader, store: TemplateStore) -> None:
        self._roster, self._store = roster, store

    def for_school(self, tenant_id: str, school_id: str) -> list[LetterTemplate]:
        starters = starter_templates(self._roster.school(tenant_id, school_id).jurisdiction)
        stored = [t for t in self._store.all(tenant_id) if t.school_id in (None, school_id)]
        return union(starters, stored)

    def for_tenant(self, tenant_id: str) -> list[LetterTemplate]:
        """Starters of every jurisdiction the tenant has a school in, and every stored template."""
        jurisdictions = {s.jurisdiction for s in self._roster.all_schools() if s.tenant_id == tenant_id}
        starters = [t for j in sorted(jurisdictions) for t in starter_templates(j)]
        return union(starters, self._store.all(tenant_id))


class StoredTemplateSource:
    """The renderer's TemplateSource (services/letters/ports.py) over the catalog."""

    def __init__(self, catalog: TemplateCatalog) -> None:
        self._catalog = catalog

    def for_school(self, tenant_id: str, school_id: str) -> SchoolTemplates:
        return SchoolTemplates(school_id, self._catalog.for_school(tenant_id, school_id))


@dataclass(frozen=True)
class SchoolTemplates:
    """What `TemplateCatalog.for_school` returned, searched without another read."""

    school_id: str
    templates: list[LetterTemplate]

    def approved(self, key: str, language: str, on: date) -> LetterTemplate | None:
        try:
            return applicable_template(self.templates, key, language, on, self.school_id)
        except NotFound:
            return None

    def version(self, key: str, language: str, version: int) -> LetterTemplate:
        found = [t for t in self.templates if (t.key, t.language, t.version) == (key, language, version)]
        if not found:
            raise NotFound(f"no template {key!r} v{version} in {language!r}")
        return max(found, key=lambda t: t.school_id is not None)
