"""Bench (f): letters per second per core for the England letter 1 starter with its chart, on the
real render path (merge-data snapshot -> `with_chart` -> sandboxed Jinja2 HTML -> xhtml2pdf in
reportlab's invariant mode -> SHA-256), as `services/letters/render.py` renders a letter.

Baseline in the same run: the same letter drawn directly with reportlab (platypus paragraphs in
the same DejaVu font, the same two-part chart drawn with reportlab.graphics rectangles), also
invariant and hashed. Both run in this one process, so the figures are per core. Before timing,
the text of each side's first PDF (pypdf) must hold the same merged values: the child's name,
both absence figures, the attendance percent and every month's percent; the script exits with 1
otherwise. A letter's merge data differ per letter (name, numbers), as in a real run.

What the real path keeps between letters (the compiled template body, xhtml2pdf's parsed default
and font CSS, the registered DejaVu faces; never a letter's data) is warm once the agreement check
has rendered; the script prints the first (cold) letter's time and what the caches hold.

    python -m bench.letters [--letters 40] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import date
from functools import partial
from typing import Any

from pypdf import PdfReader

from bench.common import best_of, say
from bench.letters_reportlab import draw_letter
from domain.letters.artifacts import snapshot_data, snapshot_json
from domain.letters.merge import with_chart
from domain.letters.render import cache_stats, render_html
from domain.letters.starters import starter_templates
from domain.platform.hashing import sha256_hex

KEY = "eng-attendance-letter-1"
MONTHS = ["September", "October", "November", "December", "January", "February", "March", "April",
          "May", "June"]


def merge_data(n: int) -> dict[str, Any]:
    """Letter n's merge data, as the merge builder would snapshot it (JSON values)."""
    monthly = [{"month": f"{m} {2024 if i < 4 else 2025}", "attendancePercent": 80 + (n * 7 + i * 3) % 20}
               for i, m in enumerate(MONTHS)]
    absence = 9 + n % 11
    return {"guardianName": f"Ms Parent {n}", "studentName": f"Pupil {n} Kelly",
            "studentFirstName": f"Pupil{n}", "schoolName": "St Brigid's Primary School",
            "yearGroup": "Y4", "stageType": "LETTER_1", "absenceDays": absence,
            "typicalClassmateAbsenceDays": 4, "attendancePercent": 100 - absence,
            "illnessDays": absence - 2, "unexplainedDays": 2, "mainlyIllness": n % 2 == 0,
            "monthly": monthly, "evidence": [], "letterDate": date(2025, 6, 20).isoformat(),
            "schoolContact": "01234 567890", "meetingWhen": None}


def expected_values(data: dict[str, Any]) -> list[str]:
    return [data["studentFirstName"], f"{data['absenceDays']} days",
            f"{data['typicalClassmateAbsenceDays']} days", f"{data['attendancePercent']}%",
            *(f"{m['attendancePercent']}%" for m in data["monthly"])]


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=40, help="letters per timed run")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from adapters.pdf import render as pdf  # xhtml2pdf: imported here, as the service does
    html_to_pdf = pdf.html_to_pdf

    template = next(t for t in starter_templates() if t.key == KEY)
    dates = {n for n, spec in template.merge_fields.items() if spec["type"] == "date"}
    snapshots = [snapshot_json(merge_data(n)) for n in range(args.letters)]

    def xhtml2pdf_path(snapshot: str) -> tuple[bytes, str]:
        data = with_chart(snapshot_data(snapshot, dates))
        pdf = html_to_pdf(render_html(template, data), title=f"{template.key} v{template.version}")
        return pdf.content, pdf.sha256

    def reportlab_path(snapshot: str) -> tuple[bytes, str]:
        content = draw_letter(snapshot_data(snapshot, dates), title=f"{template.key} v{template.version}")
        return content, sha256_hex(content)

    first = merge_data(0)
    sides = {"xhtml2pdf": xhtml2pdf_path, "reportlab": reportlab_path}
    start = time.perf_counter()
    xhtml2pdf_path(snapshots[-1])
    say(f"first letter (cold caches): {(time.perf_counter() - start) * 1000:.0f} ms")
    for name, render in sides.items():
        text = text_of(render(snapshots[0])[0])
        missing = [v for v in expected_values(first) if v not in text]
        if missing:
            say(f"{name}: the PDF lacks merged values {missing}")
            return 1
        if render(snapshots[0])[1] != render(snapshots[0])[1]:
            say(f"{name}: the same letter gave two different hashes")
            return 1
    say(f"agree: both PDFs hold the {len(expected_values(first))} merged values; both deterministic")
    warm = {**cache_stats(), **pdf.cache_stats()}
    say("warm for the timed runs: " + ", ".join(f"{k} {v}" for k, v in warm.items()))

    rates = {}
    for name, render in sides.items():
        seconds, hashes = best_of(args.repeat, partial(lambda r: [r(s)[1] for s in snapshots], render))
        assert len(set(hashes)) == len(snapshots)  # every letter differs
        rates[name] = args.letters / seconds
        say(f"{name:10s} {rates[name]:8.1f} letters/s per core  ({seconds:.2f} s for {args.letters})")
    say(f"ratio: reportlab direct is {rates['reportlab'] / rates['xhtml2pdf']:.1f}x the xhtml2pdf path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
