"""The milestone log as integer codes: entity ids and milestones numbered once, by the engine.

A replay of a past date compares integers instead of looking up id strings. The engine numbers
the ids (a join with the distinct ids in its own order), so the process never holds the log's
entity ids as strings: at ten million leads the log has 41 million rows, and as strings they
took several GiB; as codes they take 14 bytes a row. :func:`code_in_python` numbers frames the
same way in Python, for histories built from frames by hand (and as the reference in tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from revintel.forecast._days import to_days
from revintel.store import fetch_frame


@dataclass(frozen=True)
class CodedLog:
    """An entity table and its milestone log with every id replaced by an integer code.

    ``rows[i]`` is the code of table row ``i``'s id and ``events[j]`` the code of event ``j``'s
    entity (-1: no id, or an entity the table lacks); ``milestones[j]`` is the code of event
    ``j``'s milestone in ``milestone_names`` (-1: none). Arrays indexed by id code have
    ``size + 1`` slots: the last one is never filled, so the code -1 reads an empty value.
    """

    rows: np.ndarray
    events: np.ndarray
    size: int
    at: np.ndarray
    milestones: np.ndarray
    milestone_names: pd.Index

    def milestone_mask(self, names: tuple[str, ...]) -> np.ndarray:
        """Whether each event's milestone is one of ``names``."""
        wanted = self.milestone_names.get_indexer(list(names))
        return np.isin(self.milestones, wanted[wanted >= 0])

    def earliest(self, names: tuple[str, ...], cut: float = np.inf) -> np.ndarray:
        """Per id code (``size + 1`` slots, the last empty) the first time one of ``names``
        was reached before ``cut``; ``NaN`` where none was."""
        keep = (self.at < cut) & self.milestone_mask(names) & (self.events >= 0)
        out = np.full(self.size + 1, np.inf)
        np.minimum.at(out, self.events[keep], self.at[keep])
        out[np.isinf(out)] = np.nan
        return out

    def labelled(self, ids: pd.Series) -> pd.DataFrame:
        """The log with labels again (``entity``, ``milestone``, ``at``), ``ids`` being the
        table's id column the codes were made from; events of entities the table lacks have
        no ``entity``. Holds every event's id as a string: for inspection and small stores."""
        label = np.full(self.size + 1, None, dtype=object)
        label[self.rows[::-1]] = ids.to_numpy(object)[::-1]  # a repeated id: its first row
        label[-1] = None
        names = np.array([*self.milestone_names, None], dtype=object)
        return pd.DataFrame(
            {"entity": label[self.events], "milestone": names[self.milestones], "at": self.at}
        )


def code_in_python(ids: pd.Series, events: pd.DataFrame) -> tuple[CodedLog, pd.Index]:
    """``events`` (``entity``, ``milestone``, ``at``) coded against the ids of a table's rows,
    in Python; with the distinct ids, position = code."""
    rows, uniques = pd.factorize(ids)
    index = pd.Index(uniques)
    milestones, names = pd.factorize(events["milestone"])
    log = CodedLog(
        rows=rows,
        events=index.get_indexer(events["entity"]).astype(np.int32),
        size=len(index),
        at=events["at"].to_numpy(float),
        milestones=milestones.astype(np.int16),
        milestone_names=pd.Index(names),
    )
    return log, index


def id_keys(ids: ir.Column) -> ir.Table:
    """Each distinct id (column ``id``) with its code ``key``: 0, 1, … in the engine's order
    of the ids. The same on every evaluation: distinct values have a total order."""
    distinct = ids.name("id").as_table().filter(ibis._.id.notnull()).distinct()
    return distinct.mutate(key=ibis.row_number().over(order_by=distinct.id))


def with_key(table: ir.Table, column: str, keys: ir.Table, name: str) -> ir.Table:
    """``table`` with ``name``: the code of its ``column`` in ``keys`` (-1: none)."""
    joined = table.left_join(keys, table[column] == keys.id)
    return joined.select(table, **{name: keys.key.fill_null(-1)})


def coded_events(events: ir.Table, keys: ir.Table, rows: np.ndarray) -> CodedLog:
    """The milestone log ``events`` (``entity_id``, ``milestone``, ``occurred_at``) coded by
    the engine against ``keys`` (:func:`id_keys` of the table whose rows have ``rows`` codes).

    Only the three numeric columns leave the engine, streamed in batches.
    """
    present = events.select("milestone").distinct().to_pandas()["milestone"].dropna()
    names = sorted(str(m) for m in present)
    milestone = (
        ibis.cases(*[(events.milestone == n, i) for i, n in enumerate(names)], else_=-1)
        if names
        else ibis.literal(-1)
    )
    joined = events.left_join(keys, events.entity_id == keys.id)
    frame = fetch_frame(
        joined.select(
            entity=keys.key.fill_null(-1).cast("int32"),
            milestone=milestone.cast("int16"),
            at=events.occurred_at,
        )
    )
    codes = frame["entity"].to_numpy(np.int32)
    return CodedLog(
        rows=rows,
        events=codes,
        size=int(max(rows.max(initial=-1), codes.max(initial=-1))) + 1,
        at=to_days(frame.pop("at")),
        milestones=frame["milestone"].to_numpy(np.int16),
        milestone_names=pd.Index(names, dtype=object),
    )
