"""Reading single values out of Wonde JSON: dates, text, flags, numbers and `{"data": ...}` wrappers.

Each reader takes the field's Wonde path and raises ValidationFailed naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, overload

from pydantic import ValidationError

from domain.platform.errors import ValidationFailed

Warn = Callable[[str, str], None]  # (field, reason)

_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T].*)?")
_ASCII_DIGITS = re.compile(r"[0-9]{1,12}")
# Table Storage keeps 32-bit integers; nothing read as a whole number needs more
MAX_WHOLE_NUMBER = 2**31 - 1
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def data_of(value: Any) -> Any:
    """Wonde wraps includes as `{"data": ...}`; accept them wrapped or bare."""
    return value["data"] if isinstance(value, dict) and set(value) == {"data"} else value


def parse_wonde_date(value: Any, field: str) -> date | None:
    """`2024-09-12`, `2024-09-12 08:30:00` or `{"date": "2015-10-29 14:53:44.000000", ...}`; None
    when absent. The date as written: Wonde stamps dates at midnight of the school's own day."""
    if value is None or value == "":
        return None
    if isinstance(value, dict) and "date" in value:
        value = value["date"]
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValidationFailed("expected a YYYY-MM-DD date or a Wonde date object", field=field)
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        raise ValidationFailed(f"{match.group(1)} is not a calendar date", field=field) from None


def text(value: Any, field: str, *, max_length: int = 200) -> str | None:
    """A trimmed string (numbers accepted, as SIS ids often are numeric), None when empty."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationFailed("expected text", field=field)
    value = value.strip()
    if len(value) > max_length:
        raise ValidationFailed(f"longer than {max_length} characters", field=field)
    return value or None


def first_present(candidates: Iterable[tuple[str, Any]]) -> tuple[str, Any]:
    """The first (field, value) with a value, else the first field with None (for the message)."""
    candidates = list(candidates)
    return next(((f, v) for f, v in candidates if v not in (None, "")), (candidates[0][0], None))


@overload
def first_text(candidates: Iterable[tuple[str, Any]], *, required_field: str,
               max_length: int = 200) -> str: ...
@overload
def first_text(candidates: Iterable[tuple[str, Any]], *, required_field: None = None,
               max_length: int = 200) -> str | None: ...
def first_text(candidates: Iterable[tuple[str, Any]], *, required_field: str | None = None,
               max_length: int = 200) -> str | None:
    """The first non-empty value among (field, value) pairs; `required_field` names a missing one."""
    for name, value in candidates:
        found = text(value, name, max_length=max_length)
        if found is not None:
            return found
    if required_field is not None:
        raise ValidationFailed("is required", field=required_field)
    return None


def flag(value: Any, field: str) -> bool | None:
    """true/false, yes/no, 1/0 (any case); None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower() if isinstance(value, str | int) else None
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValidationFailed("expected true or false", field=field)


def whole_number(value: Any, field: str, *, maximum: int = MAX_WHOLE_NUMBER) -> int | None:
    """A non-negative integer up to `maximum`, also as a string of ASCII digits or a float with no
    fraction; None when absent."""
    if value is None or value == "":
        return None
    number: Any = value
    # not str.isdigit(): it accepts "²" and other digits int() refuses
    if isinstance(value, str) and _ASCII_DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValidationFailed("expected a whole number, 0 or more", field=field)
    if number > maximum:
        raise ValidationFailed(f"at most {maximum}", field=field)
    return number


def as_object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed("expected a JSON object", field=field)
    return value


def nested(record: dict[str, Any], name: str, key: str) -> tuple[str, Any]:
    """(`name.data.key`, the value) from an include such as `year: {"data": {"code": "7"}}`."""
    inner = data_of(record.get(name))
    return f"{name}.data.{key}", inner.get(key) if isinstance(inner, dict) else None


def plain(record: dict[str, Any], name: str) -> tuple[str, Any]:
    """(`name`, the value) when it is a plain value rather than an object."""
    value = record.get(name)
    return name, None if isinstance(value, dict | list) else value


def model(build: Callable[[], Any], prefix: str) -> Any:
    """Build a domain model; a constraint only the model knows is reported under `prefix`."""
    try:
        return build()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(p) for p in error["loc"])
        raise ValidationFailed(error["msg"], field=f"{prefix}.{name}" if prefix else name) from None
