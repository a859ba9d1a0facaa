"""Cells no export should hold: control characters, undecodable bytes, overlong text.

Such a row is rejected with the column named, and the offending cell is defused in the file's
cells (shortened, its control characters replaced) so that the rejected row kept for review
neither carries the bytes nor grows every page that shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# C0 controls except tab, line feed and carriage return (kept inside quoted cells), DEL, C1
# controls (what stray bytes of a misread encoding turn into) and the replacement character
# (what undecodable bytes turn into).
_UNSAFE = r"[\x{00}-\x{08}\x{0B}\x{0C}\x{0E}-\x{1F}\x{7F}-\x{9F}\x{FFFD}]"
#: Characters of an overlong cell kept in the rejected row.
SHOWN_CHARS = 200


@dataclass(frozen=True)
class CellProblem:
    """Rows (``mask``) whose cell in ``column`` cannot be stored, and why."""

    mask: pa.Array
    column: str
    reason: str


def defuse_cells(cells: pa.Table, max_cell_chars: int) -> tuple[pa.Table, list[CellProblem]]:
    """``cells`` with unsafe and overlong cells defused, and the rows to reject for them."""
    problems: list[CellProblem] = []
    columns = []
    for name, column in zip(cells.column_names, cells.columns, strict=True):
        if all(_plainly_safe(chunk, max_cell_chars) for chunk in column.chunks):
            columns.append(column)  # the usual export: looked at chunk by chunk, not copied
            continue
        values = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
        data = _plain_bytes(values)
        # printable ASCII throughout (the usual export) holds no unsafe character: the regular
        # expression on every cell is only needed when some other byte occurs
        if data is None or not _plain_ascii(data):
            unsafe = pc.fill_null(pc.match_substring_regex(values, _UNSAFE), False)
        else:
            unsafe = None
        if unsafe is not None and pc.any(unsafe).as_py():
            problems.append(
                CellProblem(unsafe, name, f"{name}: a control character or an undecodable byte")
            )
            values = pc.replace_substring_regex(values, _UNSAFE, "?")
        if values.type == pa.string() and _longest(values) <= max_cell_chars:
            columns.append(values)  # no cell has more bytes, hence characters, than allowed
            continue
        long = pc.fill_null(pc.greater(pc.utf8_length(values), max_cell_chars), False)
        if pc.any(long).as_py():
            problems.append(
                CellProblem(long, name, f"{name}: longer than {max_cell_chars:,} characters")
            )
            shortened = pc.binary_join_element_wise(
                pc.utf8_slice_codeunits(values, 0, SHOWN_CHARS), pa.scalar("…"), ""
            )
            values = pc.if_else(long, shortened, values)
        columns.append(values)
    if not problems:
        return cells, problems
    return pa.table(columns, names=cells.column_names), problems


def _plainly_safe(values: pa.Array, max_cell_chars: int) -> bool:
    """Whether a text column's cells are printable ASCII and none is longer than allowed."""
    if len(values) == 0:
        return True
    data = _plain_bytes(values)
    return data is not None and _plain_ascii(data) and _longest(values) <= max_cell_chars


def _plain_bytes(values: pa.Array) -> np.ndarray | None:
    """The bytes of a text column's cells (``None``: not plain text, or no bytes to look at)."""
    if values.type != pa.string() or len(values) == 0:
        return None
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    offsets = offsets[values.offset : values.offset + len(values) + 1]
    data = values.buffers()[2]
    if data is None:
        return np.zeros(0, dtype=np.uint8)
    return np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]


def _plain_ascii(data: np.ndarray) -> bool:
    """Whether every byte is printable ASCII: then no cell can hold an unsafe character.

    A scan of the bytes is far cheaper than the regular expression on every cell; any other
    byte (tab, line feed, any non-ASCII letter) leaves the decision to the expression.
    """
    return len(data) == 0 or (int(data.min()) >= 0x20 and int(data.max()) < 0x7F)


def _longest(values: pa.Array) -> int:
    """The most bytes of any cell of a text column (bytes bound characters from above)."""
    if len(values) == 0:
        return 0
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)
    return int(np.diff(offsets[values.offset : values.offset + len(values) + 1]).max())
