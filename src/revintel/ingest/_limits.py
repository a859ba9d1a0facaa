"""Bounds on what one imported file may hold, whatever its type."""

from __future__ import annotations

from dataclasses import astuple, dataclass


@dataclass(frozen=True)
class FileLimits:
    """Bounds on what one export file may unpack to and hold.

    Attributes
    ----------
    max_unpacked_bytes
        Size of the file's data once decompressed: the text of a CSV, the uncompressed column
        chunks of a Parquet file, the sum of a workbook's parts.
    max_rows, max_columns
        Extent of the data, declared or used.
    max_cells
        Rows × columns of the data that is read.
    max_cell_chars
        Characters in one cell; a longer cell rejects its row (a spreadsheet is refused whole,
        as its cells are parsed in a child process).
    memory_bytes
        Address space of the child process that parses a spreadsheet's cells.
    max_rejected_rows
        Rejected rows kept per file; beyond it the import fails, keeping a count and a sample.
    """

    max_unpacked_bytes: int = 256 << 20
    max_rows: int = 1_048_576
    max_columns: int = 1_000
    max_cells: int = 20_000_000
    max_cell_chars: int = 32_767
    memory_bytes: int = 4 << 30
    max_rejected_rows: int = 100_000

    def as_text(self) -> str:
        """The limits as comma-separated integers (see :meth:`from_text`)."""
        return ",".join(str(v) for v in astuple(self))

    @classmethod
    def from_text(cls, text: str) -> FileLimits:
        """The inverse of :meth:`as_text`."""
        return cls(*(int(v) for v in text.split(",")))
