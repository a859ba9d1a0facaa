"""The ``generic`` preset's default mapping: files whose headers are the model's column names.

Declared as plain data, like a preset's YAML, and parsed by :mod:`revintel.ingest._mapping`.
"""

from __future__ import annotations

from typing import Any

from revintel.model import IMPORT_BATCH_ID, SOURCE_ID, SOURCE_SYSTEM, TABLES

#: Not read from files named like the model: bookkeeping, stage history (own object below),
#: custom fields (declared in a mapping's objects instead) and exchange rates (own import).
_SKIPPED = {
    "import_batches",
    "rejected_rows",
    "milestones",
    "custom_fields",
    "custom_values",
    "fx_rates",
}
_DERIVED_FROM_STAGE = {"stage", "status"}


def _object(name: str) -> dict[str, Any]:
    spec = next(t for t in TABLES if t.name == name)
    key = spec.key[0]
    fields: dict[str, Any] = {}
    for column in spec.column_names():
        if column in {key, SOURCE_SYSTEM, SOURCE_ID, IMPORT_BATCH_ID}:
            continue
        if name == "opportunities" and column in _DERIVED_FROM_STAGE:
            continue
        ref = spec.references.get(column)
        fields[column] = {"column": column, "ref": ref} if ref else {"column": column}
    obj: dict[str, Any] = {"table": name, "detect": [key], "id": key, "fields": fields}
    if name == "opportunities":
        obj["stage"] = {
            "column": "stage",
            "dated_by": {"won": "closed_at", "lost": "closed_at"},
        }
    return obj


def generic_mapping_data() -> dict[str, Any]:
    """A mapping reading every model table from files that use the model's column names.

    Opportunities carry their current stage in ``stage`` (a milestone id or a generic stage
    name); stage history files have ``entity_id``, ``milestone`` and ``occurred_at``.
    """
    objects = {t.name: _object(t.name) for t in TABLES if t.lineage and t.name not in _SKIPPED}
    objects["opportunity_history"] = {
        "table": "milestones",
        "entity": "opportunity",
        "detect": ["entity_id", "milestone", "occurred_at"],
        "fields": {
            "entity_id": {"column": "entity_id", "ref": "opportunities"},
            "occurred_at": "occurred_at",
            "actor": "actor",
            "reason": "reason",
        },
        "stage": {"column": "milestone"},
    }
    return {"system": "generic", "objects": objects}
