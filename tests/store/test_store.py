from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from revintel.model import ALL_TABLES, SCHEMA_VERSION
from revintel.store import StoreError, migrate, open_store, read_schema_version


def _rep(rep_id: str, name: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep_id": [rep_id],
            "name": [name],
            "team": ["Süd"],
            "capacity_hours_per_week": [38.5],
            "hired_at": [datetime(2019, 4, 1, 8, 30)],
            "source_system": ["crm"],
            "source_id": [rep_id],
            "import_batch_id": ["b1"],
        }
    )


def test_new_store_has_every_table_with_the_declared_schema(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        assert store.schema_version == SCHEMA_VERSION
        for spec in ALL_TABLES:
            assert store.table(spec.name).schema() == spec.ibis_schema()


def test_round_trip_keeps_values_and_types(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        store.insert("reps", _rep("R1", "Jörg Müller"))
    with open_store(path) as store:
        row = store.table("reps").execute().iloc[0]
    assert row["name"] == "Jörg Müller"
    assert row["capacity_hours_per_week"] == 38.5
    assert row["hired_at"] == pd.Timestamp("2019-04-01 08:30")
    assert pd.isna(row["email"])


def test_unknown_column_is_refused(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        frame = _rep("R1", "A").assign(shoe_size=[44])
        with pytest.raises(StoreError, match="no column"):
            store.insert("reps", frame)


def test_failed_transaction_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        store.insert("reps", _rep("R1", "A"))
        with pytest.raises(RuntimeError), store.transaction():
            store.insert("reps", _rep("R2", "B"))
            store.truncate("accounts")
            raise RuntimeError("boom")
        assert store.table("reps").count().execute() == 1


def test_delete_keys_removes_only_those_rows(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        store.insert("reps", pd.concat([_rep("R1", "A"), _rep("R2", "B")]))
        store.delete_keys("reps", pd.DataFrame({"rep_id": ["R1"]}))
        assert store.table("reps").rep_id.execute().tolist() == ["R2"]


def test_store_of_schema_version_one_is_upgraded_on_open(tmp_path: Path) -> None:
    import ibis

    path = tmp_path / "old.duckdb"
    backend = ibis.duckdb.connect(str(path))
    migrate(backend, target=1)
    assert read_schema_version(backend) == 1
    assert "targets" not in backend.list_tables()
    assert "inferred" not in backend.table("milestones").columns
    backend.raw_sql(
        "INSERT INTO milestones (milestone_event_id, entity_type, entity_id, milestone,"
        " occurred_at, source_system, source_id, import_batch_id) VALUES "
        "('e1', 'lead', 'L1', 'mql', TIMESTAMP '2023-05-02 10:00:00', 'crm', 'e1', 'b0')"
    )
    backend.disconnect()

    with open_store(path) as store:
        assert store.migrated_from == 1
        assert store.schema_version == SCHEMA_VERSION
        for spec in ALL_TABLES:
            assert dict(store.table(spec.name).schema().items()) == dict(spec.ibis_schema().items())
        milestones = store.table("milestones").execute()
    assert milestones["entity_id"].tolist() == ["L1"]
    assert milestones["inferred"].tolist() == [False]


def test_store_from_a_newer_revintel_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with open_store(path) as store:
        store.backend.raw_sql("UPDATE revintel_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer than this revintel"):
        open_store(path)


def test_location_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVINTEL_DB", str(tmp_path / "env.duckdb"))
    with open_store() as store:
        assert store.location == str(tmp_path / "env.duckdb")
    assert (tmp_path / "env.duckdb").exists()
