"""The ``revintel`` command line: a thin surface over the domain packages."""

from __future__ import annotations

import importlib
import logging
import sys

import typer

from revintel.capabilities import cli_modules
from revintel.cli._common import err_console

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
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr)


# Each capability's command module registers its commands on ``app`` when imported, in the
# order of the capability registry (the order of ``revintel --help``).
for _module in cli_modules():
    importlib.import_module(_module)


def main() -> None:
    """Entry point: run the CLI; errors become one line and exit code 1 unless ``--debug``."""
    try:
        app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:  # the surface turns any failure into one clear line
        if _state["debug"] or "--debug" in sys.argv:
            raise
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(1)
