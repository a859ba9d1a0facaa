"""``revintel backup`` and ``revintel restore``: a consistent copy of the store and its way back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from revintel.cli import app
from revintel.cli._common import DbOption, console
from revintel.store import BackupManifest, backup_location, restore_store


def _summary(manifest: BackupManifest) -> str:
    return (
        f"{len(manifest.tables)} tables, {manifest.rows:,} rows, "
        f"schema version {manifest.schema_version}"
    )


@app.command()
def backup(
    dest: Annotated[Path, typer.Argument(help="New folder to write the backup to.")],
    db: DbOption = None,
) -> None:
    """Back up the store: every table (data, users, tokens, models, scores) as Parquet.

    The store is opened read-only; a running server holds it locked, so stop it first.
    """
    manifest = backup_location(db, dest)
    console.print(f"backed up {_summary(manifest)} to {dest}")


@app.command()
def restore(
    src: Annotated[Path, typer.Argument(help="Backup folder written by 'revintel backup'.")],
    db: Annotated[Path, typer.Option("--db", help="Store file to create from the backup.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the store file if it exists.")
    ] = False,
) -> None:
    """Restore a backup into a new store file (checksums are verified first)."""
    manifest = restore_store(src, db, force=force)
    console.print(f"restored {_summary(manifest)} into {db}")
