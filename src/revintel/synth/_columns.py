"""Vectorised building blocks: id columns, timestamps and lineage for generated tables."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from revintel.synth._config import SOURCE_SYSTEM

US_PER_DAY = 86_400_000_000


def ids(prefix: str, numbers: np.ndarray, width: int = 6) -> pa.Array:
    """String ids ``prefix`` + zero-padded ``numbers`` (e.g. ``L000042``), built in Arrow."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def suffixed(base: pa.Array, suffix: str) -> pa.Array:
    """``base`` with ``suffix`` appended to every value."""
    return pc.binary_join_element_wise(base, pa.scalar(suffix), "")


def timestamps(start: date, days: np.ndarray) -> np.ndarray:
    """Microsecond timestamps ``days`` (fractional) after midnight of ``start``."""
    origin = np.datetime64(start.isoformat(), "us")
    return origin + np.round(np.asarray(days) * US_PER_DAY).astype("timedelta64[us]")


def take(values: tuple[str, ...] | list[str], index: np.ndarray) -> pa.Array:
    """Strings ``values[index]`` as an Arrow array (dictionary-decoded)."""
    dictionary = pa.array(list(values), pa.string())
    return pc.take(dictionary, pa.array(index, pa.int32()))


def with_lineage(columns: dict[str, object], key: str, batch_id: str) -> pa.Table:
    """Table of ``columns`` plus source system, source id (= the key) and import batch."""
    table = pa.table(columns)
    n = table.num_rows
    return (
        table.append_column("source_system", pa.repeat(pa.scalar(SOURCE_SYSTEM), n))
        .append_column("source_id", table.column(key))
        .append_column("import_batch_id", pa.repeat(pa.scalar(batch_id), n))
    )


def weighted_choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with probabilities proportional to ``weights``."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def row_choice(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One index per row of a probability matrix (rows need not be normalised)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    return (u[:, None] > cumulative).sum(axis=1)
