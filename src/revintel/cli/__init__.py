"""The ``revintel`` command line: a thin surface over the domain packages."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence

import typer

from revintel.capabilities import cli_modules
from revintel.cli._bridge import ServedByServer, explain_locked, forward
from revintel.cli._common import err_console
from revintel.cli._locale import reset_language
from revintel.store import StoreError, StoreLockedError

app = typer.Typer(
    name="revintel",
    help="Revenue intelligence for B2B companies: one source of truth from lead to order.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_state = {"debug": False}


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress to stderr."),
) -> None:
    _state["debug"] = debug
    reset_language()
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)


# Each capability's command module registers its commands on ``app`` when imported, in the
# order of the capability registry (the order of ``revintel --help``).
for _module in cli_modules():
    importlib.import_module(_module)
# ``revintel digest`` (the weekly digest by e-mail and webhook) belongs to the report capability.
importlib.import_module("revintel.cli._digest")


def run(argv: Sequence[str] | None = None) -> int:
    """Run the CLI on ``argv`` (default: the process's arguments) and return the exit code;
    errors become one line on standard error and exit code 1 unless ``--debug``."""
    args = list(sys.argv[1:] if argv is None else argv)
    _state["debug"] = False
    try:
        result = app(args=args, prog_name="revintel", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        return 130
    except Exception as exc:  # the surface turns any failure into one clear line
        if _state["debug"] or "--debug" in args:
            raise
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, StoreLockedError):
            return _error_line(explain_locked(exc))
        return _error_line(exc)
    return result if isinstance(result, int) else 0


def _error_line(exc: Exception) -> int:
    """Print ``exc`` as one line on standard error (never wrapped); the exit code 1."""
    from rich.markup import escape

    err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return 1


def main() -> None:
    """Entry point: run the CLI; errors become one line and exit code 1 unless ``--debug``.

    A command whose DuckDB file a running ``revintel serve`` holds runs in that server
    (:mod:`revintel.cli._bridge`).
    """
    try:
        code = run()
    except ServedByServer as served:
        try:
            code = forward(served.registration, sys.argv[1:])
        except StoreError as exc:
            code = _error_line(exc)
        except KeyboardInterrupt:
            err_console.print("aborted (the server still finishes the command)")
            code = 130
    sys.exit(code)
