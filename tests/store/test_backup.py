"""Backups and restores: every table comes back identical, and tokens still authenticate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from revintel.auth import add_user, create_token, user_for_token
from revintel.model import SCHEMA_VERSION
from revintel.store import BackupError, backup_location, open_store, restore_store
from revintel.synth import SynthConfig, write_demo_company

CONFIG = SynthConfig(seed=5, leads=300, accounts=40, reps=3)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small demo store with an admin and one API token; returns the file and the token."""
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        add_user(store, "root", "correct-horse-battery", "admin")
        token, _ = create_token(store, "root", "nightly export")
    return db, token


@pytest.fixture(scope="module")
def backup(demo: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store's backup folder."""
    dest = tmp_path_factory.mktemp("backups") / "nightly"
    backup_location(demo[0], dest)
    return dest


def _tables(db: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        frames = {n: con.execute(f'SELECT * FROM "{n}"').df() for n in names}
    return {n: f.sort_values(list(f.columns)).reset_index(drop=True) for n, f in frames.items()}


def test_a_restored_store_has_every_table_with_the_same_rows(
    demo: tuple[Path, str], backup: Path, tmp_path: Path
) -> None:
    restored = tmp_path / "fresh" / "restored.duckdb"
    manifest = restore_store(backup, restored)
    original, copy = _tables(demo[0]), _tables(restored)
    assert set(copy) == set(original)
    assert {"auth_users", "auth_tokens", "revintel_meta", "leads", "scores"} <= set(copy)
    for name, frame in original.items():
        pd.testing.assert_frame_equal(copy[name], frame, obj=name)
    assert {t.name: t.rows for t in manifest.tables} == {n: len(f) for n, f in original.items()}
    assert manifest.schema_version == SCHEMA_VERSION


def test_a_token_authenticates_against_the_restored_store(
    demo: tuple[Path, str], backup: Path, tmp_path: Path
) -> None:
    restored = tmp_path / "restored.duckdb"
    restore_store(backup, restored)
    with open_store(restored) as store:
        user = user_for_token(store, demo[1])
        assert user is not None and user.username == "root"
        with pytest.raises(duckdb.ConstraintException):  # keys come back with the tables
            store.execute_sql(
                "INSERT INTO auth_users SELECT * FROM auth_users WHERE username = 'root'"
            )


def test_restore_refuses_to_overwrite_without_force(backup: Path, tmp_path: Path) -> None:
    target = tmp_path / "existing.duckdb"
    target.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="--force"):
        restore_store(backup, target)
    assert target.read_bytes() == b"keep me"
    restore_store(backup, target, force=True)
    with open_store(target, read_only=True) as store:
        assert store.row_counts()["leads"] == CONFIG.leads


def _copy_of(backup: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    copy.mkdir()
    for file in backup.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    return copy


def test_restore_refuses_a_backup_from_a_newer_schema(backup: Path, tmp_path: Path) -> None:
    copy = _copy_of(backup, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["schema_version"] = SCHEMA_VERSION + 1
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="newer"):
        restore_store(copy, tmp_path / "new.duckdb")
    assert not (tmp_path / "new.duckdb").exists()


def test_restore_refuses_a_damaged_backup(backup: Path, tmp_path: Path) -> None:
    copy = _copy_of(backup, tmp_path)
    (copy / "leads.parquet").write_bytes(b"not parquet")
    with pytest.raises(BackupError, match="checksum"):
        restore_store(copy, tmp_path / "new.duckdb")


def test_backup_refuses_an_existing_folder(demo: tuple[Path, str], backup: Path) -> None:
    with pytest.raises(BackupError, match="exists"):
        backup_location(demo[0], backup)


def test_the_commands_back_up_and_restore(demo: tuple[Path, str], tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "revintel", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=300)

    dest, restored = tmp_path / "b", tmp_path / "r.duckdb"
    assert "backed up" in run("backup", str(dest), "--db", str(demo[0])).stdout
    assert "restored" in run("restore", str(dest), "--db", str(restored)).stdout
    again = run("restore", str(dest), "--db", str(restored))
    assert again.returncode == 1 and "--force" in again.stderr
