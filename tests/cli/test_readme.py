"""Every command the README shows exists with the options it uses."""

import re
import shlex
from pathlib import Path

import typer.main

from revintel.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_commands() -> list[list[str]]:
    commands = []
    for line in README.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^\S+=\S+ ", "", line.split("#")[0].split("&&")[0].strip())
        if line.startswith("revintel "):
            commands.append(shlex.split(line)[1:])
    return commands


def test_readme_commands_exist_with_their_options() -> None:
    root = typer.main.get_command(app)
    commands = _readme_commands()
    assert len(commands) >= 10
    for words in commands:
        command = root
        rest = list(words)
        while rest and rest[0] in getattr(command, "commands", {}):
            command = command.commands[rest.pop(0)]  # type: ignore[attr-defined]
        assert command is not root, words
        known = {opt for p in command.params for opt in getattr(p, "opts", [])}
        used = {w.split("=")[0] for w in rest if w.startswith("--")}
        assert used <= known, (words, used - known)
