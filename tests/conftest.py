"""Test-suite settings shared by every test package."""

from __future__ import annotations

import os

from hypothesis import settings

# The PostgreSQL server fixtures (`postgres_server`, `postgres_url`) for every test package.
pytest_plugins = ["tests.postgres_server"]

# Under CI the property-based tests (hypothesis, schemathesis) replay the same examples on every
# run, so a result never depends on luck; developers run them randomised and explore further.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
