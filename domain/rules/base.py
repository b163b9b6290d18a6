"""The base of every rule model: frozen (so conditions hash and can key caches), unknown keys
refused, camelCase in JSON and snake_case in Python."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer
from pydantic.alias_generators import to_camel


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# Thresholds are Decimals so "at or below 92.3" compares exactly with a 2-place percentage (a
# float 92.3 is 92.2999…); JSON carries them as plain numbers, not pydantic's default strings.
Number = Annotated[Decimal, PlainSerializer(_number, when_used="json")]


class RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    def to_json(self) -> dict[str, Any]:
        """The stored and API shape: camelCase, ISO dates, plain numbers, no nulls."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
