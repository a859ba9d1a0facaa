"""The one way tests find the public datasets in ``../shared/data``.

Tests using them skip with a clear reason when the folder is absent, and fail instead when the
``CI`` environment variable is set (CI must always have them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV_VAR = "REVINTEL_SHARED_DATA"


def shared_data_dir() -> Path | None:
    """``$REVINTEL_SHARED_DATA`` or the ``shared/data`` folder beside the repository, if present."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    repo = Path(__file__).resolve().parents[1]
    candidate = repo.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def shared_dataset(name: str) -> Path:
    """Folder of dataset ``name``; skip (or fail under CI) when it cannot be found."""
    base = shared_data_dir()
    folder = base / name if base else None
    if folder is not None and folder.is_dir():
        return folder
    reason = f"public dataset {name!r} not found (set ${ENV_VAR} or place it in ../shared/data)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
