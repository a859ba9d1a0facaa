"""``revintel import list`` and ``revintel import undo BATCH``: the import history and its undo."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from revintel.cli._common import (
    OutputFormat,
    console,
    emit,
    emit_mapping,
    store_from,
    translator,
)
from revintel.i18n import Translator
from revintel.ingest import list_batches, undo_import

#: Words after ``revintel import`` that name these commands rather than a preset.
BATCH_COMMANDS = ("list", "undo")


def run_batch_command(command: str, args: list[Path], db: str | None, fmt: OutputFormat) -> None:
    """Run ``revintel import list`` or ``revintel import undo BATCH``."""
    if command == "list":
        if args:
            raise typer.BadParameter("`revintel import list` takes no files")
        show_batches(db, fmt)
        return
    if len(args) != 1:
        raise typer.BadParameter("`revintel import undo` takes one batch id (revintel import list)")
    undo_batch(str(args[0]), db, fmt)


def batches_frame(found: pd.DataFrame) -> pd.DataFrame:
    """The batches as ``revintel import list`` shows them (times in the store's zone)."""
    return pd.DataFrame(
        {
            "batch": found["import_batch_id"],
            "time": [_when(t) for t in found["started_at"]],
            "system": found["source_system"],
            "preset": found["preset"],
            "files": [", ".join(str(f or "").split("\n")) for f in found["files"]],
            "status": found["status"],
            "read": found["rows_read"],
            "accepted": found["rows_accepted"],
            "rejected": found["rows_rejected"],
            "undone": [_when(t) for t in found["undone_at"]],
        }
    )


def _when(value: object) -> str | None:
    # Times are stored as wall-clock times of the store's zone: shown as they are.
    return (
        None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d.%m.%Y %H:%M")
    )


def show_batches(db: str | None, fmt: OutputFormat) -> None:
    """Print the import batches, newest first."""
    with store_from(db, read_only=True) as store:
        frame = batches_frame(list_batches(store))
    # The table leaves out the undo time until an import was undone; JSON and CSV carry it.
    narrow = frame.drop(columns="undone") if frame["undone"].isna().all() else None
    emit(frame, fmt, title=translator()("cli.import.list_title"), table=narrow)


def undo_batch(batch_id: str, db: str | None, fmt: OutputFormat) -> None:
    """Undo one import and print what was removed and restored."""
    with store_from(db) as store:
        report = undo_import(store, batch_id)
    removed = {t: n for t, n in report.removed.items() if n}
    restored = {t: n for t, n in report.restored.items() if n}
    if fmt is not OutputFormat.table:
        emit_mapping(
            [
                ("batch", batch_id),
                ("status", "undone"),
                ("removed", removed),
                ("restored", restored),
            ],
            fmt,
        )
        return
    t = translator()
    listed = table_counts(removed, t) or t("cli.nothing")
    console.print(t("cli.import.undone").format(batch=batch_id, removed=listed), highlight=False)
    if restored:
        back = table_counts(restored, t)
        console.print(t("cli.import.restored").format(restored=back), highlight=False)


def table_counts(counts: dict[str, int], t: Translator) -> str:
    """Rows per table, as ``1.234 leads, 56 milestones`` in the language of ``t``."""
    return ", ".join(f"{t.number(n)} {table}" for table, n in counts.items())
