"""Importing exports from CRM, marketing automation and ERP systems into the store.

Files are read as users have them (any common delimiter and encoding, German number and date
formats, spreadsheets, Parquet), mapped through a preset or a YAML mapping, checked row by row
(every problem lands in ``rejected_rows``) and written in one transaction.
"""

from revintel.ingest._batches import BATCH_COLUMNS, current_rejections, list_batches
from revintel.ingest._dedupe import (
    DECISIONS_TABLE,
    MatchQuality,
    UnknownPairError,
    account_candidates,
    evaluate_pairs,
    load_decisions,
    pair_id,
    record_decision,
    score_account_pairs,
)
from revintel.ingest._exclusive import ImportBusyError
from revintel.ingest._importer import (
    FileReport,
    ImportReport,
    NothingImportedError,
    StrictImportError,
    TooManyRejectionsError,
    detect_object,
    import_files,
    resolve_mapping,
)
from revintel.ingest._limits import FileLimits
from revintel.ingest._mapping import (
    FieldSpec,
    ObjectSpec,
    SourceMapping,
    StageSpec,
    load_mapping,
    load_preset,
    parse_mapping,
    preset_names,
)
from revintel.ingest._names import normalise_domains, normalise_names
from revintel.ingest._quality import QualityReport, history_sources, quality_report
from revintel.ingest._reading import (
    IngestError,
    RawTable,
    detect_encoding,
    read_file,
    sniff_delimiter,
)
from revintel.ingest._table_source import TableSource, read_table_source
from revintel.ingest._typing import parse_booleans, parse_dates, parse_numbers
from revintel.ingest._undo import UndoRefusedError, UndoReport, UnknownBatchError, undo_import

__all__ = [
    "BATCH_COLUMNS",
    "DECISIONS_TABLE",
    "FieldSpec",
    "FileLimits",
    "FileReport",
    "ImportBusyError",
    "ImportReport",
    "IngestError",
    "MatchQuality",
    "NothingImportedError",
    "ObjectSpec",
    "QualityReport",
    "RawTable",
    "SourceMapping",
    "StageSpec",
    "StrictImportError",
    "TableSource",
    "TooManyRejectionsError",
    "UndoRefusedError",
    "UndoReport",
    "UnknownBatchError",
    "UnknownPairError",
    "account_candidates",
    "current_rejections",
    "detect_encoding",
    "detect_object",
    "evaluate_pairs",
    "history_sources",
    "import_files",
    "list_batches",
    "load_decisions",
    "load_mapping",
    "load_preset",
    "normalise_domains",
    "normalise_names",
    "pair_id",
    "parse_booleans",
    "parse_dates",
    "parse_mapping",
    "parse_numbers",
    "preset_names",
    "quality_report",
    "read_file",
    "read_table_source",
    "record_decision",
    "resolve_mapping",
    "score_account_pairs",
    "sniff_delimiter",
    "undo_import",
]
