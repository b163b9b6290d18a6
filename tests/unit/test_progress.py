"""devhost/progress.py: bars on a terminal, nothing but the summary lines elsewhere."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from devhost.progress import Bars


def console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=120), out


def test_off_a_terminal_no_bar_is_drawn_and_the_summary_lines_are_printed(
        capsys: pytest.CaptureFixture[str]) -> None:
    shown, out = console(terminal=False)
    bars = Bars(shown)

    with bars.bar("demo-s1 marks", total=10) as bar:
        bar.advance(4)
        bar.update(note="4 letters rendered")
        print("==> demo school demo-s1 loaded")

    assert out.getvalue() == ""
    assert capsys.readouterr().out == "==> demo school demo-s1 loaded\n"


def test_on_a_terminal_a_bar_shows_its_counts_and_the_lines_print_above_it() -> None:
    shown, out = console(terminal=True)
    bars = Bars(shown)

    with bars.bar("demo-s1 marks", total=10) as bar:
        bar.advance(4)
        print("==> demo school demo-s1 loaded")

    drawn = out.getvalue()
    assert "demo-s1 marks" in drawn and "4/10" in drawn
    assert "==> demo school demo-s1 loaded" in drawn


def test_bars_open_at_once_share_one_display_and_a_drain_shows_its_note() -> None:
    # rich allows one live display at a time: a second would raise LiveError
    shown, out = console(terminal=True)
    bars = Bars(shown)

    with bars.bar("demo-s1 school days", total=75) as days, bars.bar("demo-s1 office 26 Sep") as drain:
        days.advance(20)
        drain.update(completed=7, note="letters: 3 rendered, 3 delivered")
    with bars.bar("demo-s2 school days", total=74) as again:
        again.advance(1)

    drawn = out.getvalue()
    assert "20/75" in drawn and "7/?" in drawn and "letters: 3 rendered, 3 delivered" in drawn
    assert "1/74" in drawn


def test_a_bar_not_shown_draws_nothing_even_on_a_terminal() -> None:
    shown, out = console(terminal=True)

    with Bars(shown).bar("timed", total=3, show=False) as bar:
        bar.advance(3)

    assert out.getvalue() == ""
