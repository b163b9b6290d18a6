"""Date and time types for every query, path and body parameter.

Pydantic alone reads `?date=0` as 1970-01-01 (a number is a Unix time) and `2024-09-02T00:00`
as a date. A caller who typed a number by mistake would act on 1970, so dates are ISO
`YYYY-MM-DD` only and times ISO 8601 only; anything else is a 422 naming the parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# a date, then optionally a time: what datetime.fromisoformat reads, minus bare numbers
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.,]+(Z|[+-][0-9:]+)?)?", re.IGNORECASE)


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATETIME.fullmatch(value):
        raise ValueError("must be an ISO 8601 date and time, e.g. 2024-09-02T08:30:00Z")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]
