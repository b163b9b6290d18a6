"""Previews: sample values from the schema, caller-given values (a missing field named), or the
letter a student's first guardian would get (an active intervention needed); anything not
APPROVED watermarked; template code and markup in a body stay inert."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.ladder.model import InstanceStatus
from domain.letters.render import MissingMergeFields
from domain.platform.errors import ValidationFailed
from services.letters.templates.admin import Changes, Ref
from services.letters.templates.previews import LetterPreviews
from services.platform.ports import FixedClock
from tests.fakes_interventions import FakeStore
from tests.fakes_letter_templates import DISTRICT, NOW, T, admin_setup
from tests.fakes_letters import FakeRoster, fake_pdf, letter_instance, link

KEY = "eng-attendance-letter-1"
SCHEMA = {"guardianName": {"type": "string"}, "studentFirstName": {"type": "string"},
          "letterDate": {"type": "date"}}


class StudentMerge:
    """The real builder's shape: every pipeline field, more than a small template declares."""

    def build(self, template: Any, instance: Any, school: Any, student: Any, guardian: Any,
              on: date) -> dict[str, Any]:
        return {"guardianName": guardian.forename, "studentFirstName": student.student.forename,
                "letterDate": on, "schoolName": school.name, "stageType": instance.stage_type.value}


def setup(body: str = "<p>{{ guardianName }} / {{ studentFirstName }} / {{ letterDate }}</p>"):  # type: ignore[no-untyped-def]
    admin, _, _ = admin_setup()
    admin.create(DISTRICT, T, Ref("small", "en", None), Changes(body=body, merge_fields=SCHEMA))
    instances = FakeStore()
    previews = LetterPreviews(admin, FakeRoster([link("g1", 1)]), instances, StudentMerge(), fake_pdf,
                              FixedClock(NOW))
    return previews, instances


def html(pdf: Any) -> str:
    return pdf.content.decode()


def test_a_draft_previews_with_sample_values_and_the_draft_watermark() -> None:
    previews, _ = setup()
    template, pdf = previews.preview(T, "s1", Ref("small", "en", None, 1))
    text = html(pdf)
    assert "DRAFT" in text and "Ms Sample / Sam / 2024-10-01" in text
    assert template.version == 1


def test_an_approved_starter_previews_with_its_chart_and_no_watermark_until_retired() -> None:
    previews, _ = setup()
    _, pdf = previews.preview(T, "s1", Ref(KEY, "en", None, 1))
    assert "DRAFT" not in html(pdf) and "Sam" in html(pdf) and "<table" in html(pdf)
    previews._templates.retire(DISTRICT, T, Ref(KEY, "en", None, 1))  # noqa: SLF001
    _, retired = previews.preview(T, "s1", Ref(KEY, "en", None, 1))
    assert "DRAFT" in html(retired)


def test_given_values_are_used_exactly_and_a_missing_one_is_named() -> None:
    previews, _ = setup()
    _, pdf = previews.preview(T, None, Ref("small", "en", None, 1),
                              merge_data={"guardianName": "Mr Given", "studentFirstName": "Ola",
                                          "letterDate": "2024-11-05"})
    assert "Mr Given / Ola / 2024-11-05" in html(pdf)
    with pytest.raises(MissingMergeFields) as err:
        previews.preview(T, None, Ref("small", "en", None, 1), merge_data={"guardianName": "Mr Given"})
    assert err.value.field == "letterDate, studentFirstName"
    with pytest.raises(ValidationFailed) as bad_date:
        previews.preview(T, None, Ref("small", "en", None, 1),
                         merge_data={"guardianName": "a", "studentFirstName": "b", "letterDate": "5/11"})
    assert bad_date.value.field == "letterDate"


def test_a_students_preview_needs_an_active_intervention_and_uses_the_first_guardian() -> None:
    previews, instances = setup()
    ref = Ref("small", "en", None, 1)
    with pytest.raises(ValidationFailed) as err:
        previews.preview(T, "s1", ref, student_id="st1")
    assert err.value.field == "studentId"
    instances.instance_rows["old"] = letter_instance(id="old", status=InstanceStatus.STOPPED)
    with pytest.raises(ValidationFailed):
        previews.preview(T, "s1", ref, student_id="st1")
    instances.instance_rows["i1"] = letter_instance()
    _, pdf = previews.preview(T, "s1", ref, student_id="st1")
    assert "G-g1 / Aoife / 2024-10-01" in html(pdf)  # fields outside the schema left out
    with pytest.raises(ValidationFailed) as no_school:
        previews.preview(T, None, ref, student_id="st1")
    assert no_school.value.field == "schoolId"


def test_template_code_and_markup_in_merge_values_stay_inert() -> None:
    previews, _ = setup("<p>{{ guardianName }}</p>")
    _, pdf = previews.preview(T, None, Ref("small", "en", None, 1), merge_data={
        "guardianName": "<script>alert(1)</script>{{ ''.__class__ }}", "studentFirstName": "x",
        "letterDate": "2024-11-05"})
    assert "<script>" not in html(pdf) and "&lt;script&gt;" in html(pdf)
    assert "{{ &#39;&#39;.__class__ }}" in html(pdf)  # printed as text, never evaluated
