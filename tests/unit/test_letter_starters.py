"""Starter letters: one per jurisdiction and stage, keyed by the presets' letterTemplateKeys,
approved, short (under 200 words of text besides the chart), worded differently for illness,
California's notification following EC 48260.5 as in force on the letter's date, and every one
rendering to a PDF that shows the merged numbers and the chart."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from adapters.pdf.render import html_to_pdf
from domain.attendance.summaries import Status
from domain.letters import TemplateStatus, applicable_template, render_html
from domain.letters.chart import attendance_chart_html
from domain.letters.merge import MERGE_FIELDS, with_chart
from domain.letters.starters import STARTER_APPROVER, STARTER_AUTHOR, starter_index, starter_templates
from domain.platform.errors import NotFound
from domain.roster.schools import Jurisdiction
from domain.rules.ruleset import StageType
from tests.unit.test_letter_merge import build, child_history, row_with_absence, student

PRESETS = Path(__file__).resolve().parents[2] / "domain" / "rules" / "presets"
STARTERS = starter_templates()
IDS = [f"{t.key}.v{t.version}" for t in STARTERS]


def sample(*, illness: bool, letter_date: date = date(2024, 10, 8)) -> dict[str, Any]:
    rows = child_history() if illness else child_history(code=None, status=Status.UNAUTHORISED_ABSENT)
    day = rows[-1].date
    mates = [student(f"c{i}") for i in range(3)]
    same_day = [row_with_absence(s.student_id, day, n, possible=18)
                for s, n in zip(mates, (0, 2, 6), strict=True)]
    data = build(rows, same_date_rows=same_day, students=[student(), *mates],
                 school_contact="01234 567890", meeting_when="Tuesday 15 October at 9:00")
    data["letterDate"] = letter_date
    return with_chart(data)



def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def words_besides_chart(html: str) -> int:
    body = re.sub(r'<div class="chart">.*?</div>', " ", html, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", body))
    return len(re.findall(r"[\w'’%.:-]+", text))


def test_every_preset_letter_key_has_an_approved_english_starter() -> None:
    keys = {t.key for t in STARTERS}
    for preset in PRESETS.glob("*.json"):
        for stage in json.loads(preset.read_text())["stages"]:
            if stage.get("letterTemplateKey"):
                assert stage["letterTemplateKey"] in keys, (preset.name, stage["letterTemplateKey"])
    for t in STARTERS:
        assert t.status is TemplateStatus.APPROVED and t.language == "en"
        assert (t.last_edited_by, t.approved_by) == (STARTER_AUTHOR, STARTER_APPROVER)
        assert dict(t.merge_fields) == {k: dict(v) for k, v in MERGE_FIELDS.items()}


def test_each_jurisdiction_has_all_four_stages() -> None:
    stages: dict[Jurisdiction, set[StageType]] = {}
    for jurisdiction, stage, _ in starter_index():
        stages.setdefault(jurisdiction, set()).add(stage)
    assert stages == {j: set(StageType) for j in Jurisdiction}


@pytest.mark.parametrize("template", STARTERS, ids=IDS)
def test_a_starter_renders_to_a_pdf_with_the_numbers_and_the_chart(template) -> None:
    data = sample(illness=False, letter_date=max(template.effective_from, date(2024, 10, 8)))
    html = render_html(template, data)
    pdf = html_to_pdf(html)
    text = " ".join(text_of(pdf.content).split())
    assert "Dear Ms Kelly," in text and "Hill Primary" in text
    assert "missed 4 days" in text and "A typical classmate has missed 1 day." in text
    assert "Attendance by month" in text and "Sep 2024" in text and "Oct 2024" in text
    assert "Typical classmate" in text and "40%" in text
    assert html_to_pdf(html).sha256 == pdf.sha256


@pytest.mark.parametrize("template", STARTERS, ids=IDS)
def test_a_starter_is_short(template) -> None:
    for illness in (True, False):
        html = render_html(template, sample(illness=illness,
                                            letter_date=max(template.effective_from,
                                                            date(2024, 10, 8))))
        assert words_besides_chart(html) < 200, (template.key, illness)


@pytest.mark.parametrize("template", STARTERS, ids=IDS)
def test_illness_is_worded_differently_from_unexplained_absence(template) -> None:
    on = max(template.effective_from, date(2024, 10, 8))
    ill, unexplained = (render_html(template, sample(illness=i, letter_date=on))
                        for i in (True, False))
    assert "illness" in ill.lower() or "unwell" in ill.lower()
    assert ill.replace(" ", "") != unexplained.replace(" ", "")
    strip = lambda h: re.sub(r'<div class="chart">.*?</div>', "", h, flags=re.S)  # noqa: E731
    assert strip(ill) != strip(unexplained)


def test_california_notification_follows_the_law_on_the_letter_date() -> None:
    key = "ca-truancy-notification-1"
    before = applicable_template(STARTERS, key, "en", date(2025, 6, 30))
    after = applicable_template(STARTERS, key, "en", date(2025, 7, 1))
    assert (before.version, after.version) == (1, 2)
    old = render_html(before, sample(illness=False, letter_date=date(2025, 6, 30)))
    new = render_html(after, sample(illness=False, letter_date=date(2025, 7, 1)))
    assert "prosecuted" in old and "driving privilege" in old and "one day" in old
    assert "prosecuted" not in new and "driving" not in new
    assert "Mental health" in new and "10% of school" in new and "3rd grade" in new
    for html in (old, new):
        assert "make sure your child attends" in html and "right to meet" in html
        assert "Other school programs" in html
    with pytest.raises(NotFound):
        applicable_template(STARTERS, key, "en", date(2024, 6, 30))


def test_the_chart_is_deterministic_and_proportional() -> None:
    monthly = [{"month": "Sep 2024", "attendancePercent": 75.0},
               {"month": "Oct 2024", "attendancePercent": 100.0},
               {"month": "Nov 2024", "attendancePercent": 0.0}]
    chart = attendance_chart_html(monthly, 8, 2)
    assert chart == attendance_chart_html(monthly, 8, 2)
    assert 'width="75%" style="background-color: #3a8f5c' in chart
    assert 'width="25%" style="height' in chart
    assert 'width="100%" style="background-color' in chart  # the child's 8 days: full width
    assert 'width="25%" style="background-color: #9aa5b1' in chart  # classmate: 2 of 8
    assert "Typical classmate" not in attendance_chart_html(monthly, 8, None)
    assert "1 day<" in attendance_chart_html(monthly, 1, 1)
    assert "&lt;b&gt;" in attendance_chart_html([{"month": "<b>", "attendancePercent": 50}], 1, 1)
