"""Progress bars of the commands that take a while: drawn on standard error, and only there.

A bar appears when standard error is a terminal and the command prints a table (or nothing):
piped output, ``--format json`` and ``--format csv`` never see one, so scripts read clean
output. Rich decides what a terminal is, so ``TTY_COMPATIBLE=1`` (or ``FORCE_COLOR``) shows the
bar where no terminal is, and ``TTY_COMPATIBLE=0`` hides it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from revintel.cli._common import OutputFormat


class ProgressBar:
    """A step reporter for the domain's ``progress`` parameters: call it with what is being
    done, and optionally how much of how many steps is done.

    Fits both kinds of callback: ``progress(message)`` (imports) and ``progress(step, done,
    total)`` (the demo company).
    """

    def __init__(self, progress: Progress | None, task: TaskID | None) -> None:
        self._progress = progress
        self._task = task
        self.steps: list[str] = []

    @property
    def shown(self) -> bool:
        """Whether a bar is drawn (standard error is a terminal)."""
        return self._progress is not None

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        self.steps.append(step)
        if self._progress is None or self._task is None:
            return
        if total is None:
            self._progress.update(self._task, description=step)
        else:
            self._progress.update(self._task, description=step, completed=done, total=total)
        # Drawn now rather than at the next tick: steps are few, and each is worth seeing.
        self._progress.refresh()


def progress_shown(fmt: OutputFormat | None = None, console: Console | None = None) -> bool:
    """Whether a command printing ``fmt`` draws a bar on ``console`` (standard error)."""
    target = console or Console(stderr=True)
    return target.is_terminal and fmt in (None, OutputFormat.table)


@contextmanager
def progress_bar(
    description: str,
    fmt: OutputFormat | None = None,
    *,
    total: int | None = None,
    console: Console | None = None,
) -> Iterator[ProgressBar]:
    """A bar on standard error while the block runs, removed when it ends.

    Parameters
    ----------
    description
        What is being done, until the first step says more.
    fmt
        The command's output format; JSON and CSV get no bar.
    total
        Steps in all, when known (else the bar pulses).
    console
        Where to draw (default: standard error).

    Yields
    ------
    ProgressBar
        Call it with each step; it does nothing when no bar is shown.
    """
    # A console of its own, made now: whether standard error is an interactive terminal is
    # read when a console is made, and may have changed since the command line was imported.
    target = console or Console(stderr=True)
    if not progress_shown(fmt, target):
        yield ProgressBar(None, None)
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=target,
        transient=True,
        # what the command prints goes to standard output as it is, never above the bar
        redirect_stdout=False,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield ProgressBar(progress, task)
