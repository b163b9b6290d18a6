"""Progress bars for the long steps of `make run` and the benches (issue 14), drawn with rich on a
terminal and nothing elsewhere: in a CI log the one-line summaries the steps print are the record,
and redrawn bar frames would bury them.

    with BARS.bar("demo-s1 marks", total=86_753) as bar:
        for batch in batches:
            ...
            bar.advance(len(batch))

Bars opened at the same time (two schools loading in two threads, or a week's drain inside the
replay of a school's term) share one live display; it starts with the first bar and ends, leaving
no frame behind, with the last. While it is live, lines printed to stdout land above the bars.
A bar is drawn once more in its final state when its block ends, then removed: the terminal keeps
the summary lines, as the log does."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class _Estimate(TimeRemainingColumn):
    """"eta 0:01:20", or nothing when the total is not known."""

    def render(self, task: Task) -> Text:
        return Text("") if task.total is None else Text("eta ") + super().render(task)


class Bar:
    """One task of the shared display; every method is a no-op off a terminal."""

    def __init__(self, progress: Progress | None, task: TaskID | None) -> None:
        self._progress, self._task = progress, task

    def advance(self, n: float = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def update(self, *, description: str | None = None, total: float | None = None,
               completed: float | None = None, note: str | None = None) -> None:
        """`note`: a short text after the counts (what a drain has handled so far, by kind)."""
        if self._progress is None or self._task is None:
            return
        fields: dict[str, Any] = {} if note is None else {"note": note}
        self._progress.update(self._task, description=description, total=total, completed=completed,
                              **fields)


class Bars:
    """The display for one console (rich's own on stdout unless one is given, as tests do)."""

    def __init__(self, console: Console | None = None) -> None:
        if console is None:
            console = Console()
            # rich counts FORCE_COLOR or TTY_COMPATIBLE as a terminal; a log that asks for colour
            # still wants no redrawn frames, so the default display needs stdout to be a real tty
            self.live = console.is_terminal and not console.is_dumb_terminal and sys.stdout.isatty()
        else:
            self.live = console.is_terminal and not console.is_dumb_terminal
        self.console = console
        self._lock = threading.Lock()
        self._progress: Progress | None = None
        self._open = 0

    @contextlib.contextmanager
    def bar(self, description: str, total: float | None = None, *, show: bool = True) -> Iterator[Bar]:
        """A bar for the block; `total=None` when the amount of work is not known up front (then
        the counts show `n/?` and no estimate). `show=False` for a step being timed: the display
        redraws from a thread of its own, which would take time from what is measured."""
        if not self.live or not show:
            yield Bar(None, None)
            return
        progress = self._enter()
        task = progress.add_task(description, total=total, note="")
        try:
            yield Bar(progress, task)
        finally:
            progress.refresh()  # the final counts, drawn once even if the block was short
            progress.remove_task(task)
            self._exit()

    def _enter(self) -> Progress:
        with self._lock:
            if self._progress is None:
                self._progress = Progress(
                    TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), _Estimate(),
                    TextColumn("{task.fields[note]}"), console=self.console, transient=True)
                self._progress.start()
            self._open += 1
            return self._progress

    def _exit(self) -> None:
        with self._lock:
            self._open -= 1
            if self._open == 0 and self._progress is not None:
                self._progress.stop()
                self._progress = None


# the process's display, on stdout: `make run`'s steps and the benches use this one
BARS = Bars()
bar = BARS.bar
