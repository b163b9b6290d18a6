"""Letters: versioned templates and their rules, and rendering to HTML (pure; PDF is an adapter)."""

from domain.letters.render import MissingMergeFields, render_html, validate_merge_data
from domain.letters.templates import (
    LetterTemplate,
    LockScope,
    TemplateStatus,
    applicable_template,
    approve,
    check_override_allowed,
    require_sendable,
    retire,
)

__all__ = [
    "LetterTemplate", "LockScope", "MissingMergeFields", "TemplateStatus", "applicable_template",
    "approve", "check_override_allowed", "render_html", "require_sendable", "retire",
    "validate_merge_data",
]
