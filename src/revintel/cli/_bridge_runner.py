"""Running a command of the command line inside the server that holds its DuckDB file.

:func:`run_in_server` is what ``revintel serve`` gives the server to run the commands handed
over to it (:mod:`revintel.cli._bridge`): as its caller would have run it, in the caller's
working directory, with the caller's variables and terminal width, without input or prompts,
its output captured, and every store it opens on the served file lent from the server's pool.
"""

from __future__ import annotations

import io
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING

# Typer carries its own copy of click: its prompts and errors are those.
from typer._click import termui
from typer._click.exceptions import ClickException

from revintel.cli._bridge import LENDER, NOT_THROUGH_SERVER, STOP_SERVER, forwarded
from revintel.cli._common import console, err_console

if TYPE_CHECKING:
    from revintel.server import CommandRequest, CommandResult, StoreLender


class _Capture(io.StringIO):
    """Captured output that is a terminal when the caller's is (Rich then lays it out so)."""

    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self._terminal = terminal

    def isatty(self) -> bool:
        return self._terminal


def _refuse_prompt(prompt: str) -> str:
    raise ClickException(
        "this command asks for input at a prompt, which a command run through the server "
        f"cannot answer: give the input as options, or {STOP_SERVER}"
    )


@contextmanager
def _as_caller(request: CommandRequest) -> Iterator[None]:
    """The caller's variables and terminal width, no input and no prompts, for the block."""
    saved = {k: v for k, v in os.environ.items() if forwarded(k)}
    widths = (console._width, err_console._width)
    prompts = (termui.visible_prompt_func, termui.hidden_prompt_func)
    stdin = sys.stdin
    try:
        for name in saved:
            del os.environ[name]
        os.environ.update({k: v for k, v in request.env.items() if forwarded(k)})
        console.width = err_console.width = request.columns or 80
        termui.visible_prompt_func = termui.hidden_prompt_func = _refuse_prompt
        sys.stdin = io.StringIO()
        yield
    finally:
        sys.stdin = stdin
        termui.visible_prompt_func, termui.hidden_prompt_func = prompts
        console._width, err_console._width = widths
        for name in [k for k in os.environ if forwarded(k)]:
            del os.environ[name]
        os.environ.update(saved)


def run_in_server(request: CommandRequest, lender: StoreLender) -> CommandResult:
    """Run the command of ``request`` in this process, as its caller would have (relative paths
    start in the caller's directory), with the served store lent by ``lender``; what it
    printed and its exit code."""
    from revintel.cli import run
    from revintel.server import CommandResult

    command = next((arg for arg in request.argv if not arg.startswith("-")), "")
    if (command,) in NOT_THROUGH_SERVER:
        message = f"error: `revintel {command}` cannot run through the server: {STOP_SERVER}\n"
        return CommandResult(exit_code=1, stdout="", stderr=message)
    here = os.getcwd()
    try:
        os.chdir(request.cwd)
    except OSError as exc:  # gone, or not the server's to enter
        message = f"error: the server cannot run the command in {request.cwd}: {exc}\n"
        return CommandResult(exit_code=1, stdout="", stderr=message)
    out, err = _Capture(request.terminal), _Capture(request.terminal)
    token = LENDER.set(lender)
    try:
        with redirect_stdout(out), redirect_stderr(err), _as_caller(request):
            try:
                code = run(request.argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except Exception:  # --debug: the caller sees the traceback, the server goes on
                traceback.print_exc()
                code = 1
    finally:
        LENDER.reset(token)
        os.chdir(here)
    return CommandResult(exit_code=code, stdout=out.getvalue(), stderr=err.getvalue())
