"""Custom fields as point-in-time features: a source's own attributes of the scored record and
of its account, as they were known at each snapshot.

A value counts for a snapshot only when it was observed at or before the prediction time
(``observed_at`` ≤ ``at``); the latest observation read is reported in a ``*_recorded_at`` column,
so the leakage check covers custom features like every other aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from revintel.predict._snapshots import days_between
from revintel.predict._spec import FeatureSpec
from revintel.store import Store

#: Prefix of every custom feature: ``custom.<field name>``.
PREFIX = "custom."
#: Categories of a custom text field kept by a model (the most frequent in training).
TOP_CATEGORIES = 20


@dataclass(frozen=True)
class CustomField:
    """One declared custom field of a model table."""

    table: str
    name: str
    type: str
    label: str

    @property
    def feature(self) -> str:
        """Its feature name."""
        return PREFIX + self.name


def declared_fields(store: Store, tables: tuple[str, ...]) -> list[CustomField]:
    """Custom fields of ``tables``, in the order of ``tables``, then by name.

    A name declared on the scored table and on the account is kept once, for the scored table.
    """
    t = store.table("custom_fields")
    rows = t.filter(t.table_name.isin(list(tables))).to_pandas()
    found: dict[str, CustomField] = {}
    for name in tables:
        own = rows.loc[rows["table_name"] == name].sort_values("field_name")
        for r in own.itertuples():
            label = r.label if isinstance(r.label, str) and r.label else r.field_name
            found.setdefault(r.field_name, CustomField(name, r.field_name, r.field_type, label))
    return list(found.values())


def _value(j: ir.Table, field: CustomField) -> ir.Value:
    """The feature value of one custom value row at the snapshot's time."""
    if field.type == "number":
        return j.number_value.cast("float64")
    if field.type == "flag":
        # A cast from boolean to a number is not valid SQL on every engine.
        return ibis.cases((j.flag_value, 1.0), (~j.flag_value, 0.0))
    if field.type == "date":
        return days_between(j.at, j.date_value)
    return j.text_value


def custom_features(store: Store, snaps: ir.Table, links: dict[str, str]) -> ir.Table | None:
    """Custom features of ``snaps`` (``entity_id``, ``at``), one column per declared field.

    ``links`` maps a table to the column of ``snaps`` holding its record id (``{"leads":
    "entity_id", "accounts": "account_id"}``). ``None`` when none of the tables has a custom
    field. Numbers stay numbers, flags become 1/0, dates days before the snapshot, texts
    categories.
    """
    fields = declared_fields(store, tuple(links))
    if not fields:
        return None
    values = store.table("custom_values")
    out: ir.Table | None = None
    for table_name, column in links.items():
        mine = [f for f in fields if f.table == table_name]
        if not mine:
            continue
        v = values.filter(
            values.table_name == table_name, values.field_name.isin([f.name for f in mine])
        )
        s = snaps.select("entity_id", "at", cv_record=snaps[column])
        j = s.join(v, [s.cv_record == v.record_id, v.observed_at <= s.at], how="left")
        aggregates = {f.feature: _value(j, f).max(where=j.field_name == f.name) for f in mine}
        aggregates[f"custom_{table_name}_recorded_at"] = j.observed_at.max()
        part = j.group_by(["entity_id", "at"]).aggregate(**aggregates)
        out = part if out is None else out.join(part, ["entity_id", "at"], how="left")
    return out


def with_custom(
    store: Store, features: ir.Table, snaps: ir.Table, links: dict[str, str]
) -> ir.Table:
    """``features`` (keyed by ``entity_id`` and ``at``) with the custom features of ``snaps``."""
    custom = custom_features(store, snaps, links)
    if custom is None:
        return features
    return features.join(custom, ["entity_id", "at"], how="left")


def spec_with_custom(spec: FeatureSpec, frame: pd.DataFrame) -> FeatureSpec:
    """``spec`` plus the custom features ``frame`` carries with at least one value.

    Text columns become categorical inputs, every other custom column a numeric one.
    """
    known = set(spec.names)
    custom = [c for c in frame.columns if c.startswith(PREFIX) and c not in known]
    custom = [c for c in custom if frame[c].notna().any()]
    text = [c for c in custom if not pd.api.types.is_numeric_dtype(frame[c])]
    numbers = [c for c in custom if c not in text]
    return FeatureSpec(
        categorical=(*spec.categorical, *text),
        numeric=(*spec.numeric, *numbers),
        relative=spec.relative,
        monotone=dict(spec.monotone),
        points=spec.points,
    )


def custom_labels(store: Store) -> dict[str, tuple[str, str]]:
    """Feature name → (the source's header, field type), for the sentences of score reasons."""
    fields = declared_fields(store, ("leads", "opportunities", "accounts"))
    return {f.feature: (f.label, f.type) for f in fields}


def top_categories(values: pd.Series) -> list[str]:
    """The :data:`TOP_CATEGORIES` most frequent values (ties by name), sorted by name."""
    counts = values.dropna().astype(str).value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CATEGORIES]
    return sorted(k for k, _ in ranked)
