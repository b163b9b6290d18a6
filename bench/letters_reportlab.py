"""The bench's baseline: England letter 1 drawn directly with reportlab, the same text as the
starter template (eng-attendance-letter-1.html) and the same chart (the child next to the typical
classmate, then attendance by month, bars in the same colours) drawn with reportlab.graphics.
Invariant mode and the same embedded DejaVu fonts, so it is as deterministic as the real path."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from adapters.pdf.render import BOLD, REGULAR
from domain.letters.chart import CHILD, CLASSMATE, MONTH

pdfmetrics.registerFont(TTFont("DejaVu", str(REGULAR)))
pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(BOLD)))
pdfmetrics.registerFontFamily("DejaVu", normal="DejaVu", bold="DejaVu-Bold")
BODY = ParagraphStyle("body", fontName="DejaVu", fontSize=11, leading=14.3, spaceAfter=8)
WIDTH = A4[0] - 4 * cm
ROW = 12


def _days(value: float) -> str:
    return f"{value:g} day" + ("" if value == 1 else "s")


def _chart(data: Mapping[str, Any]) -> Drawing:
    """Label | bar | value rows, as the HTML chart's 30% / 55% / 15% columns."""
    rows: list[tuple[str, str, float, str] | None] = []
    child, typical = data["absenceDays"], data.get("typicalClassmateAbsenceDays")
    if typical is not None:
        top = max(child, typical, 1)
        rows += [("Your child", _days(child), child / top, CHILD),
                 ("Typical classmate", _days(typical), typical / top, CLASSMATE)]
    months = [m for m in data["monthly"] if m.get("attendancePercent") is not None]
    if months:
        rows.append(None)  # the "Attendance by month" heading
        rows += [(str(m["month"]), f"{m['attendancePercent']:g}%", m["attendancePercent"] / 100, MONTH)
                 for m in months]
    drawing = Drawing(WIDTH, ROW * len(rows) + 4)
    y = drawing.height - ROW
    for row in rows:
        if row is None:
            drawing.add(String(0, y + 2, "Attendance by month", fontName="DejaVu-Bold", fontSize=9))
        else:
            label, value, fraction, colour = row
            drawing.add(String(0, y + 2, label, fontName="DejaVu", fontSize=9))
            width = max(0.0, min(1.0, fraction)) * WIDTH * 0.55
            if width:
                drawing.add(Rect(WIDTH * 0.3, y + 1, width, 9, fillColor=colors.HexColor(colour),
                                 strokeColor=None))
            drawing.add(String(WIDTH * 0.85 + 2, y + 2, value, fontName="DejaVu", fontSize=9))
        y -= ROW
    return drawing


def draw_letter(data: Mapping[str, Any], *, title: str = "Letter") -> bytes:
    e = {k: escape(str(v)) for k, v in data.items() if isinstance(v, str | int | float)}
    first, absence = e["studentFirstName"], data["absenceDays"]
    typical = data.get("typicalClassmateAbsenceDays")
    facts = f"So far this school year {first} has missed <b>{_days(absence)}</b>"
    if typical is not None:
        facts += f". A typical classmate has missed <b>{_days(typical)}</b>"
    facts += "." + (f" Attendance is {data['attendancePercent']:g}%." if data.get("attendancePercent")
                    is not None else "")
    illness = data["mainlyIllness"]
    story = [
        Paragraph(f"{e['schoolName']}<br/>{data['letterDate'].strftime('%d %B %Y')}", BODY),
        Paragraph(f"Dear {e['guardianName']},", BODY),
        Paragraph(f"We are sorry {first} has been unwell this year. We write to every family whose child "
                  "has missed a lot of school, so you have the full picture. This is not a complaint."
                  if illness else f"We are writing because {first} has missed more school than we would "
                  "like, and some absences have no reason given.", BODY),
        Paragraph(facts, BODY), _chart(data), Spacer(1, 8),
        Paragraph("Every day in school helps your child learn and stay close to friends. Missed days add "
                  "up fast, and you can make a big difference.", BODY),
        Paragraph("If your child is often unwell, please talk to us. We can plan for health needs and "
                  "help with catching up." if illness else "Please tell us the reason each time your "
                  "child is absent. If something is making school hard, we want to help.", BODY),
        Paragraph(f"You can reach us at {e['schoolContact']}." if data.get("schoolContact")
                  else "Please contact the school office with any questions.", BODY),
        Paragraph(f"Thank you for your support.<br/>{e['schoolName']}", BODY),
    ]
    out = io.BytesIO()
    previous = rl_config.invariant
    rl_config.invariant = 1
    try:
        SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                          bottomMargin=2 * cm, title=title, author="", creator="", producer="").build(story)
    finally:
        rl_config.invariant = previous
    return out.getvalue()
