"""Giving back the space a killed write left at the end of a DuckDB file.

A large insert inside a transaction writes its row groups straight into the database file
before the commit. When the process dies first, the file header never learns of those blocks:
they lie past the last block DuckDB knows, unreferenced, and DuckDB neither reuses nor removes
them, so the file stays several times larger than its data. Opening the store for writing cuts
that tail off again.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb

logger = logging.getLogger(__name__)

#: Bytes before the first block: the main header and the two alternating database headers.
HEADER_BYTES = 3 * 4096
_AGENT = "revintel-trim"


def trim_unreferenced_tail(path: Path) -> int:
    """Cut whole blocks past the last block the DuckDB file at ``path`` knows; bytes removed.

    Runs only when no connection of this process has the file open (another process cannot,
    DuckDB locks it): the file is checkpointed, its block count read, the connection closed,
    and only then is it truncated. Nothing is cut unless the tail consists
    of whole blocks exactly where the layout puts them, so an unexpected layout is left alone.
    """
    if not path.is_file():
        return 0
    try:
        # A configuration of its own makes DuckDB refuse to share an instance this process
        # already has open, whose transactions may own blocks past the header's count.
        with duckdb.connect(str(path), config={"custom_user_agent": _AGENT}) as con:
            con.execute("CHECKPOINT")
            row = con.execute(
                "SELECT block_size, total_blocks FROM pragma_database_size() "
                "WHERE database_name = current_database()"
            ).fetchone()
    except duckdb.Error:
        return 0  # open elsewhere, locked or unreadable: opening the store reports it
    if row is None:
        return 0
    block_size, total_blocks = int(row[0]), int(row[1])
    size = path.stat().st_size
    known = HEADER_BYTES + total_blocks * block_size
    if block_size <= 0 or size <= known or (size - HEADER_BYTES) % block_size:
        return 0
    with path.open("r+b") as handle:
        handle.truncate(known)
        os.fsync(handle.fileno())
    logger.info("%s: removed %d bytes a killed write had left unreferenced", path, size - known)
    return size - known
