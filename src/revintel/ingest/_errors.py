"""The error every import step raises when a file or mapping cannot be used."""

from __future__ import annotations


class IngestError(ValueError):
    """A file cannot be imported; the message names the file and, where known, row and column."""
