"""Rows reach DuckDB as full row groups, whatever chunks the Arrow table arrived in."""

from pathlib import Path

import pyarrow as pa

from revintel.store import open_store, row_group_batches
from revintel.store._engines import ROW_GROUP_ROWS


def _ragged(rows: int) -> pa.Table:
    """A table whose chunks have uneven sizes and different dictionaries, as concatenated parts."""
    parts = []
    start = 0
    for size, label in ((100_003, "a"), (7, "b"), (150_000, "c"), (20_000, "d")):
        ids = pa.array([f"E{i}" for i in range(start, start + size)])
        labels = pa.DictionaryArray.from_arrays(pa.array([0] * size, pa.int32()), [label])
        parts.append(pa.table({"id": ids, "label": labels}))
        start += size
    table = pa.concat_tables(parts)
    assert table.num_rows == rows
    return table


def test_batches_are_whole_row_groups_and_keep_every_value() -> None:
    table = _ragged(270_010)
    batches = row_group_batches(table).to_batches()
    assert [b.num_rows for b in batches] == [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 270_010 - 2 * 122_880]
    regrouped = pa.Table.from_batches(batches)
    assert regrouped["id"].to_pylist() == table["id"].to_pylist()
    assert regrouped["label"].to_pylist() == table["label"].to_pylist()


def test_inserted_rows_need_no_rewrite_at_the_next_checkpoint(tmp_path: Path) -> None:
    """Full row groups: the store after an insert holds one row group per 122,880 rows."""
    with open_store(tmp_path / "s.duckdb") as store:
        rows = _ragged(270_010)
        milestones = pa.table(
            {
                "milestone_event_id": rows["id"],
                "entity_type": pa.repeat(pa.scalar("opportunity"), rows.num_rows),
                "entity_id": rows["id"],
                "milestone": rows["label"].cast(pa.string()),
                "occurred_at": pa.repeat(pa.scalar(0, pa.timestamp("us")), rows.num_rows),
                "inferred": pa.repeat(pa.scalar(False), rows.num_rows),
            }
        )
        with store.transaction():
            store.insert("milestones", milestones)
        groups = store.execute_sql(
            "SELECT count(DISTINCT row_group_id) AS n FROM pragma_storage_info('milestones')"
        )
        assert groups["n"][0].as_py() == 3
        stored = store.execute_sql("SELECT count(*) AS n FROM milestones")
        assert stored["n"][0].as_py() == 270_010
