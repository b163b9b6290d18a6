"""The letter renderer's template source and merge-data builder, over the starter templates and
the stored daily summaries (no SDK here: the repositories come in through their ports).

* `StarterTemplateSource`: the shipped starters of the school's jurisdiction; `approved` is the
  approved template in force on the date (`applicable_template`), `version` that exact version.
* `SummaryMergeBuilder`: the student's rows of the school year up to the letter's date (one
  query over the month partitions), the school's rows on the student's latest date (one query),
  and the school's students for year groups (one partition read), into `build_merge_data`.
  The chart is not added here: the renderer adds it after the snapshot is read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.errors import NotFound
from domain.ladder import StudentInterventionInstance
from domain.letters.merge import build_merge_data
from domain.letters.starters import starter_templates
from domain.letters.templates import LetterTemplate, applicable_template
from domain.schools import Guardian, School
from services.attendance_ports import SummaryRepository
from services.roster_ports import RosterReader
from services.roster_store import StudentDetail


class StarterTemplateSource:
    def __init__(self, roster: RosterReader) -> None:
        self._roster = roster

    def _templates(self, tenant_id: str, school_id: str) -> tuple[LetterTemplate, ...]:
        return starter_templates(self._roster.school(tenant_id, school_id).jurisdiction)

    def approved(self, tenant_id: str, school_id: str, key: str, language: str,
                 on: date) -> LetterTemplate | None:
        try:
            return applicable_template(self._templates(tenant_id, school_id), key, language, on,
                                       school_id)
        except NotFound:
            return None

    def version(self, tenant_id: str, school_id: str, key: str, language: str,
                version: int) -> LetterTemplate:
        for template in self._templates(tenant_id, school_id):
            if (template.key, template.language, template.version) == (key, language, version):
                return template
        raise NotFound(f"no template {key!r} v{version} in {language!r}")


class SummaryMergeBuilder:
    def __init__(self, roster: RosterReader, summaries: SummaryRepository) -> None:
        self._roster, self._summaries = roster, summaries

    def build(self, template: LetterTemplate, instance: StudentInterventionInstance, school: School,
              student: StudentDetail, guardian: Guardian, on: date) -> Mapping[str, Any]:
        tenant_id, school_id = school.tenant_id, school.school_id
        pupil = student.student
        calendar = self._roster.calendar_for(tenant_id, school_id, on)
        history = self._summaries.for_student(tenant_id, school_id, pupil.student_id,
                                              calendar.start, on)
        if not history:
            raise NotFound(f"student {pupil.student_id} has no attendance summary between "
                           f"{calendar.start.isoformat()} and {on.isoformat()}")
        latest = history[-1]
        same_date = [r for r in self._summaries.on_date(tenant_id, school_id, latest.date)
                     if r.date == latest.date]
        return build_merge_data(
            school=school, student=pupil, guardian=guardian, latest=latest, history=history,
            same_date_rows=same_date, students=self._roster.students(tenant_id, school_id),
            stage_type=instance.stage_type, evidence=instance.stage_evidence, letter_date=on)
