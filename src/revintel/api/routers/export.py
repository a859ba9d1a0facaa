"""``/api/v1/export/{entity}``: a whole table as the caller may see it, as CSV or Parquet.

The file is streamed: record batches are read from the store one at a time, encoded and sent,
so the server's memory stays flat however large the table is (see docs/bi-export.md).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from revintel.api.routers.export_schemas import Delimiter, ExportEntity, ExportFormat
from revintel.server import StoreDep, UserDep
from revintel.views import export_batches

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

router = APIRouter(prefix="/export", tags=["export"])

MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.parquet: "application/vnd.apache.parquet",
}
SEPARATORS = {Delimiter.comma: ",", Delimiter.semicolon: ";"}


class ByteChunks(io.RawIOBase):
    """A write-only file that keeps what is written until :meth:`take` hands it on."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        """Always: the writers only write."""
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        """Keep ``data`` (bytes-like) for the next :meth:`take`."""
        chunk = bytes(data)
        self._parts.append(chunk)
        self._position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        """Bytes written so far (the Parquet writer records offsets from it)."""
        return self._position

    def take(self) -> bytes:
        """Everything written since the last call."""
        chunk = b"".join(self._parts)
        self._parts.clear()
        return chunk


def _iso_text(column: pa.Array) -> pa.Array:
    # Arrow's CSV writer puts a space between date and time; ISO 8601 and Power Query's
    # automatic type detection want the "T". Whole seconds are written without a fraction.
    if not pa.types.is_timestamp(column.type):
        return column
    zone = "%z" if column.type.tz is not None else ""
    if not pc.any(pc.not_equal(pc.subsecond(column), 0.0)).as_py():
        column = column.cast(pa.timestamp("s", column.type.tz))
    return pc.strftime(column, format=f"%Y-%m-%dT%H:%M:%S{zone}")


def csv_chunks(reader: pa.RecordBatchReader, delimiter: str) -> Iterator[bytes]:
    """UTF-8 CSV with a header line, one chunk per record batch of ``reader``."""
    sink = ByteChunks()
    fields = [
        pa.field(f.name, pa.string()) if pa.types.is_timestamp(f.type) else f for f in reader.schema
    ]
    options = pacsv.WriteOptions(include_header=True, delimiter=delimiter)
    with pacsv.CSVWriter(sink, pa.schema(fields), write_options=options) as writer:
        yield sink.take()  # the header, before the first rows are read
        for batch in reader:
            columns = [_iso_text(c) for c in batch.columns]
            writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=pa.schema(fields)))
            yield sink.take()
    yield sink.take()


def parquet_chunks(reader: pa.RecordBatchReader) -> Iterator[bytes]:
    """A Parquet file, one row group (and chunk) per record batch, then the footer."""
    sink = ByteChunks()
    with pq.ParquetWriter(sink, reader.schema, compression="snappy") as writer:
        for batch in reader:
            writer.write_batch(batch)
            yield sink.take()
    yield sink.take()


def _non_empty(chunks: Iterator[bytes]) -> Iterator[bytes]:
    return (c for c in chunks if c)


@router.get(
    "/{entity}",
    summary="Export a table (CSV or Parquet)",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the file, streamed",
            "content": {
                MEDIA_TYPES[f]: {"schema": {"type": "string", "format": "binary"}}
                for f in ExportFormat
            },
        }
    },
)
def export(
    entity: ExportEntity,
    store: StoreDep,
    user: UserDep,
    format: Annotated[ExportFormat, Query(description="file format")] = ExportFormat.csv,
    delimiter: Annotated[
        Delimiter, Query(description="CSV field separator (semicolon for German Excel)")
    ] = Delimiter.comma,
) -> StreamingResponse:
    """Every row of ``entity`` the caller may see (a sales rep: their own leads, deals and
    accounts and what hangs off them), with the table's columns, in storage order; UTF-8 CSV
    with a header and ISO 8601 times, or Parquet with typed columns."""
    reader = export_batches(store, user, entity.value)
    if format is ExportFormat.parquet:
        chunks = parquet_chunks(reader)
    else:
        chunks = csv_chunks(reader, SEPARATORS[delimiter])
    filename = f"{entity.value}.{format.value}"
    return StreamingResponse(
        _non_empty(chunks),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
