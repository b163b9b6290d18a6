"""The letter renderer's merge-data builder over the stored daily summaries (no SDK here: the
repositories come in through their ports). The template source is
services/letters/templates/source.py (the starters and the tenant's stored templates).

* `SummaryMergeBuilder`: the student's rows of the school year up to the letter's date (one
  query over the month partitions), the school's rows on the student's latest date and the
  school's students for year groups (shared by the school's letters: school_reads.py), into
  `build_merge_data`, limited to the fields the template declares. The chart is not added
  here: the renderer adds it after the snapshot is read back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from domain.ladder.model import StudentInterventionInstance
from domain.letters.authoring import only_declared
from domain.letters.merge import build_merge_data
from domain.letters.templates import LetterTemplate
from domain.platform.errors import NotFound
from domain.roster.schools import Guardian, School
from services.attendance.ports import SummaryRepository
from services.letters.school_reads import SchoolReads
from services.roster.ports import StudentDetail


class SummaryMergeBuilder:
    def __init__(self, summaries: SummaryRepository, school: SchoolReads) -> None:
        self._summaries, self._school = summaries, school

    def build(self, template: LetterTemplate, instance: StudentInterventionInstance, school: School,
              student: StudentDetail, guardian: Guardian, on: date) -> Mapping[str, Any]:
        tenant_id, school_id = school.tenant_id, school.school_id
        pupil = student.student
        calendar = self._school.calendar_for(tenant_id, school_id, on)
        history = self._summaries.for_student(tenant_id, school_id, pupil.student_id,
                                              calendar.start, on)
        if not history:
            raise NotFound(f"student {pupil.student_id} has no attendance summary between "
                           f"{calendar.start.isoformat()} and {on.isoformat()}")
        latest = history[-1]
        same_date = [r for r in self._school.on_date(tenant_id, school_id, latest.date)
                     if r.date == latest.date]
        data = build_merge_data(
            school=school, student=pupil, guardian=guardian, latest=latest, history=history,
            same_date_rows=same_date, students=self._school.students(tenant_id, school_id),
            stage_type=instance.stage_type, evidence=instance.stage_evidence, letter_date=on)
        return only_declared(template, data)  # a stored template may use fewer fields
