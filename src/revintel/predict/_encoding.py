"""Turning a feature frame into the numeric matrix a model reads, with state learned at fit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from revintel.predict._custom import PREFIX, top_categories
from revintel.predict._price_features import PriceBandFeatures
from revintel.predict._spec import FeatureSpec, Relative

MISSING = "∅"  # key of a missing group value in the learned medians


def _group_key(frame: pd.DataFrame, by: tuple[str, ...]) -> pd.Series:
    parts = [frame[c].astype("object").where(frame[c].notna(), MISSING).astype(str) for c in by]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key


def learn_medians(frame: pd.DataFrame, relative: Relative) -> dict[str, float]:
    """Median of ``relative.value`` per group (key ``"*"`` holds the overall median)."""
    values = pd.to_numeric(frame[relative.value], errors="coerce")
    medians = values.groupby(_group_key(frame, relative.by)).median().dropna()
    out = {str(k): float(v) for k, v in medians.items()}
    overall = values.median()
    out["*"] = float(overall) if pd.notna(overall) else float("nan")
    return out


def apply_relative(frame: pd.DataFrame, relative: Relative, medians: dict[str, float]) -> pd.Series:
    """``value`` minus (or divided by) its group median; the overall median for unseen groups."""
    norm = _group_key(frame, relative.by).map(medians).astype(float).fillna(medians["*"])
    values = pd.to_numeric(frame[relative.value], errors="coerce").astype(float)
    if relative.op == "minus":
        return values - norm
    return values / norm.where(norm > 0)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _float(value: Any) -> float:
    return np.nan if _missing(value) else float(value)


class FrameEncoder:
    """Categories and relative-feature medians learned from training rows.

    Categorical values become integer codes (NaN when missing or unseen), so LightGBM can split
    on them natively; numeric columns pass through as floats. The price-band features of
    ``spec.bands`` are read from a frame or record that holds them (training rows carry them
    point in time), else computed from :attr:`price_bands` (NaN without bands).
    """

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self.categories: dict[str, list[str]] = {}
        self.medians: dict[str, dict[str, float]] = {}
        self.price_bands: PriceBandFeatures | None = None

    def use_price_bands(self, bands: PriceBandFeatures | None) -> FrameEncoder:
        """Score rows without price-band features against ``bands`` from now on."""
        self.price_bands = bands
        return self

    def fit(self, frame: pd.DataFrame) -> FrameEncoder:
        """Learn categories and medians from ``frame``."""
        for col in self.spec.categorical:
            if col.startswith(PREFIX):
                # A source's own text field may hold free text: its rare values teach nothing.
                self.categories[col] = top_categories(frame[col])
                continue
            values = frame[col].dropna().astype(str)
            self.categories[col] = sorted(values.unique().tolist())
        for rel in self.spec.relative:
            self.medians[rel.name] = learn_medians(frame, rel)
        return self

    def derived(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the relative and price-band features added."""
        out = frame.copy()
        for rel in self.spec.relative:
            out[rel.name] = apply_relative(frame, rel, self.medians[rel.name])
        missing = [b for b in self.spec.bands if b not in frame.columns]
        if missing:
            computed = (
                self.price_bands.frame(frame)
                if self.price_bands is not None
                else pd.DataFrame(np.nan, index=frame.index, columns=missing)
            )
            for name in missing:
                out[name] = computed[name]
        return out

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """The float matrix of :attr:`FeatureSpec.names` for ``frame``."""
        full = self.derived(frame)
        columns = []
        for col in self.spec.categorical:
            raw = full[col].astype("object")
            values = raw.where(raw.isna(), raw.astype(str))
            known = self.categories[col]
            cat = pd.Categorical(values.where(values.isin(known)), categories=known)
            codes = cat.codes.astype(float)
            codes[codes < 0] = np.nan
            columns.append(codes)
        for col in (*self.spec.numeric, *(r.name for r in self.spec.relative), *self.spec.bands):
            columns.append(pd.to_numeric(full[col], errors="coerce").to_numpy(dtype=float))
        return np.column_stack(columns) if columns else np.empty((len(frame), 0))

    def encode_record(self, values: dict[str, Any]) -> np.ndarray:
        """The ``(1, n_features)`` matrix of one record, without pandas (for real-time use)."""
        if not hasattr(self, "_codes"):
            self._codes = {c: {v: i for i, v in enumerate(vs)} for c, vs in self.categories.items()}
        row = []
        for col in self.spec.categorical:
            value = values.get(col)
            row.append(
                float(self._codes[col].get(str(value), np.nan)) if value is not None else np.nan
            )
        for col in self.spec.numeric:
            row.append(_float(values.get(col)))
        for rel in self.spec.relative:
            key = "|".join(MISSING if _missing(values.get(c)) else str(values[c]) for c in rel.by)
            medians = self.medians[rel.name]
            norm = medians.get(key, medians["*"])
            value = _float(values.get(rel.value))
            if rel.op == "minus":
                row.append(value - norm)
            else:
                row.append(value / norm if norm > 0 else np.nan)
        if self.spec.bands:
            computed = self.price_bands.record(values) if self.price_bands is not None else {}
            for name in self.spec.bands:
                row.append(_float(values[name]) if name in values else computed.get(name, np.nan))
        return np.array([row], dtype=float)

    def to_state(self) -> dict[str, Any]:
        """JSON-ready learned state."""
        bands = None if self.price_bands is None else self.price_bands.to_state()
        return {"categories": self.categories, "medians": self.medians, "price_bands": bands}

    @classmethod
    def from_state(cls, spec: FeatureSpec, state: dict[str, Any]) -> FrameEncoder:
        """Rebuild an encoder from :meth:`to_state`."""
        encoder = cls(spec)
        encoder.categories = {k: list(v) for k, v in state["categories"].items()}
        encoder.medians = {k: dict(v) for k, v in state["medians"].items()}
        bands = state.get("price_bands")
        if bands is not None:
            encoder.price_bands = PriceBandFeatures.from_state(bands)
        return encoder
