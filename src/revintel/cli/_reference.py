"""The CLI reference page, generated from the commands' own help so the two cannot disagree."""

from __future__ import annotations

import typer.main
from typer.testing import CliRunner

from revintel.cli import app

WIDTH = 100


def _walk(command: object, path: list[str]) -> list[list[str]]:
    found = [path]
    subcommands: dict[str, object] = getattr(command, "commands", {})
    for name in sorted(subcommands):
        found += _walk(subcommands[name], [*path, name])
    return found


def render_cli_reference() -> str:
    """Markdown with the ``--help`` text of every ``revintel`` command."""
    runner = CliRunner()
    lines = [
        "# Command-line reference",
        "",
        "Generated from `revintel … --help`; `tests/cli/test_reference.py` fails when it is stale.",
        "Regenerate with `python -m revintel.cli.reference > docs/cli.md`.",
        "",
    ]
    for path in _walk(typer.main.get_command(app), ["revintel"]):
        result = runner.invoke(
            app, [*path[1:], "--help"], env={"COLUMNS": str(WIDTH), "NO_COLOR": "1", "TERM": "dumb"}
        )
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        lines += [f"## `{' '.join(path)}`", "", "```text", text, "```", ""]
    return "\n".join(lines)
