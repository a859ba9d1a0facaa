"""Test-suite settings shared by every test package."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# A parallel test worker inherits a terminal width (COLUMNS=80) that the command line's console
# would fix at import; without it the console reads the width each command-line test sets.
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)

# The PostgreSQL server fixtures (`postgres_server`, `postgres_url`) for every test package.
pytest_plugins = ["tests.postgres_server"]

# Under CI the property-based tests (hypothesis, schemathesis) replay the same examples on every
# run, so a result never depends on luck; developers run them randomised and explore further.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _command_language_reset() -> None:
    """The command line keeps the language of the last command until the next one starts; a
    test that renders a section directly must not inherit a German command run before it."""
    from revintel.cli._locale import reset_language

    reset_language()


@pytest.fixture(autouse=True)
def _server_log_handler_removed_after_each_test() -> Iterator[None]:
    """A server a test started installs its log handler on the root logger (writing to the
    standard error of the moment); left there, it would write into the output of every later
    command-line test in the same process."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "revintel"]:
        root.removeHandler(handler)
