"""The letter's chart as HTML that xhtml2pdf renders: plain tables whose bar cells have a width
proportional to the value (xhtml2pdf draws no SVG or canvas). Deterministic: the output depends
only on the numbers and labels passed in, all escaped.

Two parts: the child's absence days next to the typical classmate's (the Rogers & Feller
"relative absences" comparison, domain-reference.md §5), then the child's attendance by month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

CHILD = "#2f6db5"
CLASSMATE = "#9aa5b1"
MONTH = "#3a8f5c"
_CELL = 'style="padding: 1pt 2pt; font-size: 9pt;"'


def _fmt(value: float | int) -> str:
    return f"{value:g}"


def _days(value: float | int) -> str:
    return f"{_fmt(value)} day" + ("" if value == 1 else "s")


def _bar(fraction: float, colour: str) -> str:
    """A one-row table: a coloured cell `fraction` of the width, the rest blank."""
    pct = max(0, min(100, round(fraction * 100)))
    cells = []
    if pct > 0:
        cells.append(f'<td width="{pct}%" style="background-color: {colour}; '
                     f'height: 9pt;">&nbsp;</td>')
    if pct < 100:
        cells.append(f'<td width="{100 - pct}%" style="height: 9pt;">&nbsp;</td>')
    return ('<table width="100%" cellpadding="0" cellspacing="0"><tr>' + "".join(cells)
            + "</tr></table>")


def _row(label: str, value_text: str, fraction: float, colour: str) -> str:
    return (f'<tr><td width="30%" {_CELL}>{escape(label)}</td>'
            f'<td width="55%" {_CELL}>{_bar(fraction, colour)}</td>'
            f'<td width="15%" {_CELL}>{escape(value_text)}</td></tr>')


def comparison_html(child_days: float | int, typical_days: float | int | None) -> str:
    if typical_days is None:
        return ""
    top = max(child_days, typical_days, 1)
    return ('<table class="chart-comparison" width="100%" cellpadding="0" cellspacing="0">'
            + _row("Your child", _days(child_days), child_days / top, CHILD)
            + _row("Typical classmate", _days(typical_days), typical_days / top,
                   CLASSMATE)
            + "</table>")


def monthly_html(monthly: Sequence[Mapping[str, Any]]) -> str:
    rows = [m for m in monthly if m.get("attendancePercent") is not None]
    if not rows:
        return ""
    body = "".join(_row(str(m["month"]), f"{_fmt(m['attendancePercent'])}%",
                        float(m["attendancePercent"]) / 100, MONTH) for m in rows)
    return ('<p style="font-size: 9pt; margin: 6pt 0 2pt 0;"><b>Attendance by month</b></p>'
            '<table class="chart-monthly" width="100%" cellpadding="0" cellspacing="0">'
            + body + "</table>")


def attendance_chart_html(monthly: Sequence[Mapping[str, Any]], child_days: float | int,
                          typical_days: float | int | None) -> Markup:
    """The whole chart block, marked safe for the autoescaping template (every value in it was
    escaped or formatted from a number here)."""
    return Markup('<div class="chart">' + comparison_html(child_days, typical_days)
                  + monthly_html(monthly) + "</div>")
