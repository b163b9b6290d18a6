"""Checks on a template an admin writes, and sample merge data to preview it with (pure).

A template is refused when its body does not compile in the sandbox, names a variable its
schema does not declare (`check_body`) or fails a trial render on sample values; when it
declares a merge field the letter pipeline does not produce (`MERGE_FIELDS`,
domain/letters/merge.py: a letter built from a student's summaries could never fill it) or
gives a field another type than the pipeline's; or when the body is too large for one table
property. Errors name the API's field (`body`, `mergeFields`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from jinja2 import TemplateError

from domain.letters.merge import MERGE_FIELDS, with_chart
from domain.letters.render import check_body, render_html
from domain.letters.templates import LetterTemplate
from domain.platform.errors import ValidationFailed

SAMPLE_DATE = date(2024, 10, 1)
MAX_BODY_CHARS = 30_000  # a Table string property holds 32K UTF-16 units; leave room for others

SAMPLES: Mapping[str, Any] = {
    "guardianName": "Ms Sample", "studentName": "Sam Sample", "studentFirstName": "Sam",
    "schoolName": "Sample School", "yearGroup": "Year 7", "stageType": "LETTER_1",
    "absenceDays": 8.5, "typicalClassmateAbsenceDays": 3, "attendancePercent": 89.4,
    "illnessDays": 2, "unexplainedDays": 6.5, "mainlyIllness": False,
    "monthly": [{"month": "Sep 2024", "attendancePercent": 92.5},
                {"month": "Oct 2024", "attendancePercent": 86.0}],
    "evidence": ["Sample: 17 sessions missed in the last 6 weeks"],
    "schoolContact": "the school office", "meetingWhen": "Tuesday at 10:00",
}
_BY_TYPE: Mapping[str, Any] = {"string": "sample", "integer": 1, "number": 1.5, "boolean": False,
                               "list": [], "object": {}}


def check_template(template: LetterTemplate) -> None:
    """Refuse a template that could not be rendered for a real letter (see the module docstring)."""
    if len(template.body) > MAX_BODY_CHARS:
        raise ValidationFailed(f"the body is longer than {MAX_BODY_CHARS} characters", field="body")
    for name, spec in template.merge_fields.items():
        known = MERGE_FIELDS.get(name)
        if known is None:
            raise ValidationFailed(f"merge field {name!r} is not one the letters provide; known: "
                                   + ", ".join(sorted(MERGE_FIELDS)), field="mergeFields")
        if spec["type"] != known["type"]:
            raise ValidationFailed(f"merge field {name!r} is a {known['type']}, not a {spec['type']}",
                                   field="mergeFields")
    try:
        check_body(template)
        # a trial render with sample values: what parses but the sandbox refuses at run time
        # (``{{ ''.__class__ }}``) is refused now rather than when a letter is due
        render_html(template, sample_merge_data(template, SAMPLE_DATE), preview=True)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.detail, field="body") from exc
    except (TemplateError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise ValidationFailed(f"the body fails on sample values: {exc}", field="body") from exc


def sample_merge_data(template: LetterTemplate, on: date) -> dict[str, Any]:
    """A value for every field of the template's schema (the chart drawn from the samples)."""
    data: dict[str, Any] = {}
    for name, spec in template.merge_fields.items():
        if name == "chart":
            continue
        data[name] = on if spec["type"] == "date" else SAMPLES.get(name, _BY_TYPE[spec["type"]])
    if "chart" in template.merge_fields:  # drawn from the samples even where the schema lacks them
        data["chart"] = with_chart({**SAMPLES, **data})["chart"]
    return data


def only_declared(template: LetterTemplate, data: Mapping[str, Any]) -> dict[str, Any]:
    """The merge data limited to the template's schema: a template may use fewer fields than
    the pipeline builds."""
    return {name: value for name, value in data.items() if name in template.merge_fields}
