"""Preview any version of a letter template as a PDF; anything not APPROVED carries a visible
"DRAFT" watermark (domain/letters/render.py adds it to the HTML before the PDF is drawn).

Merge data, in this order of preference:

* `merge_data` given: exactly those values (dates as `YYYY-MM-DD`), so a missing required
  field is refused with 422 naming it, as it would be for a real letter;
* `student_id` given: the real letter's data, built the way the renderer builds it
  (SummaryMergeBuilder) for the student's ACTIVE intervention and the guardian who would get the
  letter first. A student with no active intervention is refused (422, `studentId`): the
  letter's stage and evidence come from the intervention, and making them up would preview a
  letter nobody could be sent;
* neither: sample values for every field of the template's schema (domain/letters/authoring.py).

Nothing is stored: a preview is a read, repeated at will.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.ladder.model import InstanceStatus
from domain.letters.authoring import only_declared, sample_merge_data
from domain.letters.merge import with_chart
from domain.letters.render import render_html
from domain.letters.templates import LetterTemplate
from domain.platform.errors import NotFound, ValidationFailed
from services.interventions.ports import InterventionStore
from services.letters.ports import MergeDataBuilder, PdfRenderer, RenderedPdfLike, StudentDetails
from services.letters.recipients import recipients
from services.letters.templates.admin import LetterTemplateAdmin, Ref
from services.platform.ports import Clock


class LetterPreviews:
    def __init__(self, templates: LetterTemplateAdmin, roster: StudentDetails,
                 instances: InterventionStore, merge: MergeDataBuilder, pdf: PdfRenderer,
                 clock: Clock) -> None:
        self._templates, self._roster, self._instances = templates, roster, instances
        self._merge, self._pdf, self._clock = merge, pdf, clock

    def preview(self, tenant_id: str, scope: str | None, ref: Ref, *, student_id: str | None = None,
                merge_data: Mapping[str, Any] | None = None) -> tuple[LetterTemplate, RenderedPdfLike]:
        template = self._templates.get(tenant_id, scope, ref)
        today = self._clock.now().date()
        if merge_data is not None:
            data = _typed(template, merge_data)
        elif student_id is not None:
            if scope is None:
                raise ValidationFailed("name the student's school to preview with a student",
                                       field="schoolId")
            data = self._student_data(template, tenant_id, scope, student_id, today)
        else:
            data = sample_merge_data(template, today)
        html = render_html(template, data, preview=True)
        return template, self._pdf(html, title=f"{template.key} v{template.version} preview")

    def _student_data(self, template: LetterTemplate, tenant_id: str, school_id: str,
                      student_id: str, on: date) -> dict[str, Any]:
        active = [i for i in self._instances.student_instances(tenant_id, school_id, student_id)
                  if i.status is InstanceStatus.ACTIVE]
        if not active:
            raise ValidationFailed(f"student {student_id} has no active intervention to preview a "
                                   "letter for", field="studentId")
        detail = self._roster.student_detail(tenant_id, school_id, student_id)
        guardians = recipients(detail.guardians)
        if not guardians:
            raise ValidationFailed(f"student {student_id} has no guardian to write to", field="studentId")
        school = self._roster.school(tenant_id, school_id)
        try:
            built = self._merge.build(template, active[0], school, detail, guardians[0], on)
        except NotFound as exc:  # no summaries yet: nothing to put in the letter
            raise ValidationFailed(exc.detail, field="studentId") from exc
        return only_declared(template, with_chart(built) if "chart" in template.merge_fields else built)


def _typed(template: LetterTemplate, given: Mapping[str, Any]) -> dict[str, Any]:
    """Caller-given values, with `date` fields parsed from ISO text (422 naming the field)."""
    data = {name: value for name, value in given.items() if name != "chart"}  # the chart is ours
    for name, spec in template.merge_fields.items():
        value = data.get(name)
        if spec["type"] == "date" and isinstance(value, str):
            try:
                data[name] = date.fromisoformat(value)
            except ValueError:
                raise ValidationFailed(f"{name} is not a YYYY-MM-DD date", field=name) from None
    if "chart" in template.merge_fields:
        try:
            data["chart"] = with_chart({"monthly": data.get("monthly") or [],
                                        "absenceDays": data.get("absenceDays") or 0,
                                        "typicalClassmateAbsenceDays":
                                            data.get("typicalClassmateAbsenceDays")})["chart"]
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ValidationFailed(f"the chart cannot be drawn from these values: {exc}",
                                   field="monthly") from exc
    return data
