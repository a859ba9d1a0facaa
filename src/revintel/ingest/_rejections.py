"""Collecting rejected cells: every problem keeps its file, row, column, value and reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

REJECTION_SCHEMA = pa.schema(
    [
        ("row_index", pa.int64()),
        ("row_number", pa.int64()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("reason", pa.string()),
    ]
)


@dataclass
class Rejections:
    """Problems found in one file; ``row_index`` points into the file's cells."""

    row_numbers: pa.Array
    parts: list[pa.Table] = field(default_factory=list)

    def add(
        self,
        mask: pa.Array,
        column: str | None,
        values: pa.Array | Callable[[], pa.Array] | None,
        reason: str | pa.Array,
    ) -> None:
        """Record ``reason`` for every row where ``mask`` is true.

        ``values`` may be a function producing the cells, called only when a row is rejected.
        """
        mask = pc.fill_null(mask, False)
        indices = pc.indices_nonzero(mask)
        count = len(indices)
        if count == 0:
            return
        if callable(values):
            values = values()
        taken_values = (
            pc.take(values, indices).cast(pa.string())
            if values is not None
            else pa.nulls(count, pa.string())
        )
        reasons = (
            pa.array([reason] * count, pa.string())
            if isinstance(reason, str)
            else pc.take(reason, indices)
        )
        self.parts.append(
            pa.table(
                [
                    indices.cast(pa.int64()),
                    pc.take(self.row_numbers, indices),
                    pa.array([column] * count, pa.string()),
                    taken_values,
                    reasons,
                ],
                schema=REJECTION_SCHEMA,
            )
        )

    def add_bad_rows(self, rows: list[tuple[int, str, str]]) -> None:
        """Record rows the reader could not split: (row number, text, reason)."""
        if not rows:
            return
        self.parts.append(
            pa.table(
                [
                    pa.array([-1] * len(rows), pa.int64()),
                    pa.array([r[0] for r in rows], pa.int64()),
                    pa.nulls(len(rows), pa.string()),
                    pa.array([r[1] for r in rows], pa.string()),
                    pa.array([r[2] for r in rows], pa.string()),
                ],
                schema=REJECTION_SCHEMA,
            )
        )

    def table(self) -> pa.Table:
        """All problems, ordered by row."""
        if not self.parts:
            return REJECTION_SCHEMA.empty_table()
        return pa.concat_tables(self.parts).sort_by([("row_number", "ascending")])

    def rejected_mask(self, length: int) -> pa.Array:
        """Boolean mask over the file's rows: true where any problem was recorded."""
        mask = np.zeros(length, dtype=bool)
        for part in self.parts:
            indices = part["row_index"].to_numpy()
            mask[indices[indices >= 0]] = True
        return pa.array(mask)


def raw_rows_json(cells: pa.Table, indices: list[int]) -> dict[int, str]:
    """The source rows at ``indices`` as JSON objects keyed by header name."""
    if not indices:
        return {}
    taken = cells.take(pa.array(indices, pa.int64())).to_pylist()
    return {i: json.dumps(row, ensure_ascii=False) for i, row in zip(indices, taken, strict=True)}
