"""Reading a query's rows into pandas without holding them three times."""

from __future__ import annotations

import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa


def fetch_frame(expr: ir.Table) -> pd.DataFrame:
    """``expr``'s rows as pandas, streamed from the engine in batches.

    The engine never holds the whole result, and each Arrow column is freed as soon as it is
    converted, so that ten million rows are in memory about once, not three times (engine,
    Arrow, pandas). Columns come in the expression's types.
    """
    reader = expr.to_pyarrow_batches()
    batches = list(reader)
    if not batches:
        return reader.schema.empty_table().to_pandas()
    table = pa.Table.from_batches(batches)
    del batches
    if table.schema != reader.schema:
        table = table.cast(reader.schema)  # the engine's own types (a decimal) as the expression's
    return table.to_pandas(self_destruct=True, split_blocks=True)
