"""The closed deals most like a given one: what similar customers paid, won and lost.

Closed deals are held as numpy arrays built once per fitted price model, so finding the five
nearest won and five nearest lost deals is a few vector operations (about 0.1 ms for thousands
of deals) and needs no store query.

Nearness: a deal of the same price band always comes before one of another band; within that,
the distance adds the gap in standardised log list price and in standardised discount, a fixed
step for each of product family, segment, industry and region that differs, and an age term
so that recent deals win ties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Context columns compared for equality; each mismatch adds :data:`MISMATCH_STEP`.
MATCH_COLUMNS = ("family", "segment", "industry", "region")
#: Distance added for each context column that differs (one standard deviation of price).
MISMATCH_STEP = 0.75
#: Distance added per year between the deal's date and the comparable deal's close.
AGE_STEP_PER_YEAR = 0.25
#: Distance that puts a deal of another band behind every deal of the same band.
OTHER_BAND_STEP = 1_000.0
#: Comparable deals shown per outcome.
SHOWN = 5

_ROW_FIELDS = ("opportunity_id", "account_id", "status", "list_price", "discount", "amount")


@dataclass(frozen=True)
class ComparableDeals:
    """Closed deals, as arrays, to find the nearest ones from.

    Attributes
    ----------
    rows
        ``opportunity_id, account_id, closed_at (ISO date), status, list_price, discount,
        amount`` of each closed deal, as plain lists (what guidance shows).
    band
        Band id of each deal.
    won
        Whether each deal was won.
    log_price_z, discount_z
        Standardised log list price and discount.
    codes
        Integer codes of the :data:`MATCH_COLUMNS`, one array each.
    closed_days
        Close date as days since the epoch.
    scales
        ``(mean, std)`` of log list price and of discount, to standardise a new deal alike.
    vocabulary
        Value → code per match column.
    band_codes, band_vocabulary
        Integer code of each deal's band, and band id → code (comparing strings of thousands
        of deals per lookup would cost milliseconds).
    positions
        Opportunity id → row.
    band_rows
        Band code → its rows (a lookup reads only the deal's band when that suffices).
    last_day
        The latest close, in days (ages count from it by default).
    """

    rows: dict[str, list[Any]]
    band: np.ndarray
    won: np.ndarray
    log_price_z: np.ndarray
    discount_z: np.ndarray
    codes: dict[str, np.ndarray]
    closed_days: np.ndarray
    scales: dict[str, tuple[float, float]]
    vocabulary: dict[str, dict[str, int]]
    band_codes: np.ndarray
    band_vocabulary: dict[str, int]
    positions: dict[str, int]
    band_rows: dict[int, np.ndarray]
    last_day: float

    def __len__(self) -> int:
        return len(self.band)

    def nearest(self, deal: Mapping[str, Any], band_id: str | None, as_of: Any = None) -> dict:
        """The :data:`SHOWN` nearest won and lost deals to ``deal``.

        Parameters
        ----------
        deal
            A record with ``list_price``, ``discount`` (or ``current_discount``) and the
            :data:`MATCH_COLUMNS`; ``opportunity_id`` is never compared with itself.
        band_id
            The deal's band (deals of it come first).
        as_of
            The day ages are counted from (default: the latest close).

        Returns
        -------
        dict
            ``{"won": [...], "lost": [...]}``, each nearest first, each row with
            ``opportunity_id, account_id, closed_at, status, list_price, discount, amount,
            similarity`` (1 for an identical deal, towards 0 for distant ones).
        """
        if len(self) == 0:
            return {"won": [], "lost": []}
        own = self.positions.get(str(deal.get("opportunity_id")))
        members = self.band_rows.get(self.band_vocabulary.get(str(band_id), -1))
        if members is not None:  # the band alone, unless it lacks won or lost deals
            distance = self._distances(deal, as_of, members)
            distance[members == own] = np.inf
            won = self._pick(distance, self.won[members], members)
            lost = self._pick(distance, ~self.won[members], members)
            if len(won) == len(lost) == SHOWN:
                return {"won": won, "lost": lost}
        distance = self.distances(deal, band_id, as_of)
        if own is not None:
            distance[own] = np.inf
        everyone = np.arange(len(self))
        return {
            "won": self._pick(distance, self.won, everyone),
            "lost": self._pick(distance, ~self.won, everyone),
        }

    def distances(
        self, deal: Mapping[str, Any], band_id: str | None, as_of: Any = None
    ) -> np.ndarray:
        """Distance of every closed deal to ``deal`` (see the module)."""
        distance = self._distances(deal, as_of, slice(None))
        code = self.band_vocabulary.get(str(band_id), -1)
        distance += OTHER_BAND_STEP * (self.band_codes != code)
        return distance

    def _distances(self, deal: Mapping[str, Any], as_of: Any, rows: Any) -> np.ndarray:
        """Distance without the band step to the deals ``rows`` (an index or a slice)."""
        mean, std = self.scales["log_price"]
        log_price = (np.log(max(float(deal["list_price"]), 1e-9)) - mean) / std
        d_mean, d_std = self.scales["discount"]
        discount = (_discount_of(deal) - d_mean) / d_std
        distance = np.hypot(self.log_price_z[rows] - log_price, self.discount_z[rows] - discount)
        for column in MATCH_COLUMNS:
            code = self.vocabulary[column].get(str(deal.get(column) or ""), -1)
            distance += MISMATCH_STEP * (self.codes[column][rows] != code)
        day = _day(as_of) if as_of is not None else self.last_day
        distance += AGE_STEP_PER_YEAR * np.abs(day - self.closed_days[rows]) / 365.25
        return distance

    def _pick(
        self, distance: np.ndarray, among: np.ndarray, rows: np.ndarray
    ) -> list[dict[str, Any]]:
        """The nearest :data:`SHOWN` of ``rows`` (deals whose ``distance`` is given) that are
        ``among``."""
        candidates = np.flatnonzero(among & np.isfinite(distance))
        if len(candidates) > SHOWN:
            part = np.argpartition(distance[candidates], SHOWN)[:SHOWN]
            candidates = candidates[part]
        chosen = candidates[np.argsort(distance[candidates], kind="stable")]
        picked = []
        for local in chosen:
            i = int(rows[local])
            row = {field: self.rows[field][i] for field in ("opportunity_id", "account_id")}
            row["closed_at"] = self.rows["closed_at"][i]
            row.update({field: self.rows[field][i] for field in _ROW_FIELDS[2:]})
            # Similarity compares the deals themselves: the band step is left out.
            gap = float(distance[local]) % OTHER_BAND_STEP
            row["similarity"] = round(1.0 / (1.0 + gap), 4)
            picked.append(row)
        return picked

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state (see :meth:`from_state`)."""
        return {
            "rows": self.rows,
            "band": self.band.tolist(),
            "won": self.won.astype(int).tolist(),
            "context": {c: self._values(c) for c in MATCH_COLUMNS},
            "closed_days": self.closed_days.tolist(),
        }

    def _values(self, column: str) -> list[str]:
        names = {code: value for value, code in self.vocabulary[column].items()}
        return [names[int(code)] for code in self.codes[column]]

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> ComparableDeals:
        """The deals saved by :meth:`to_state`."""
        frame = pd.DataFrame(state["rows"])
        for column in MATCH_COLUMNS:
            frame[column] = state["context"][column]
        frame["band_id"] = state["band"]
        frame["won"] = np.asarray(state["won"], dtype=float)
        frame["closed_days"] = np.asarray(state["closed_days"], dtype=float)
        return _build(frame)


def comparable_deals(deals: pd.DataFrame, band_ids: Sequence[str]) -> ComparableDeals:
    """The closed deals of ``deals`` (a :func:`~revintel.pricing._deals.deal_frame`) as arrays.

    Parameters
    ----------
    deals
        Deals with ``won`` set (open ones are left out).
    band_ids
        Band id of each row of ``deals``.
    """
    frame = deals.assign(band_id=list(band_ids))
    frame = frame[frame["won"].notna() & frame["closed_at"].notna()].copy()
    closed = pd.to_datetime(frame["closed_at"])
    frame["closed_days"] = (closed - pd.Timestamp("1970-01-01")).dt.days.astype(float)
    frame["closed_at"] = closed.dt.strftime("%Y-%m-%d")
    return _build(frame)


def _build(frame: pd.DataFrame) -> ComparableDeals:
    frame = frame.reset_index(drop=True)
    rows: dict[str, list[Any]] = {
        "opportunity_id": frame["opportunity_id"].astype(str).tolist(),
        "account_id": frame["account_id"].astype(str).tolist(),
        "closed_at": frame["closed_at"].astype(str).tolist(),
        "status": frame["status"].astype(str).tolist(),
        "list_price": [round(float(v), 2) for v in frame["list_price"]],
        "discount": [round(float(v), 4) for v in frame["discount"]],
        "amount": [round(float(v), 2) for v in frame["amount"]],
    }
    log_price = np.log(np.maximum(frame["list_price"].to_numpy(float), 1e-9))
    discount = frame["discount"].to_numpy(float)
    scales = {"log_price": _scale(log_price), "discount": _scale(discount)}
    vocabulary: dict[str, dict[str, int]] = {}
    codes: dict[str, np.ndarray] = {}
    for column in MATCH_COLUMNS:
        values = frame[column].fillna("").astype(str)
        vocabulary[column] = {v: i for i, v in enumerate(sorted(set(values)))}
        codes[column] = values.map(vocabulary[column]).to_numpy(np.int64)
    band = frame["band_id"].astype(str)
    band_vocabulary = {v: i for i, v in enumerate(sorted(set(band)))}
    return ComparableDeals(
        rows=rows,
        band=band.to_numpy(object),
        won=frame["won"].to_numpy(float) == 1.0,
        log_price_z=(log_price - scales["log_price"][0]) / scales["log_price"][1],
        discount_z=(discount - scales["discount"][0]) / scales["discount"][1],
        codes=codes,
        closed_days=frame["closed_days"].to_numpy(float),
        scales=scales,
        vocabulary=vocabulary,
        band_codes=band.map(band_vocabulary).to_numpy(np.int64),
        band_vocabulary=band_vocabulary,
        positions={oid: i for i, oid in enumerate(rows["opportunity_id"])},
        band_rows={
            code: np.flatnonzero(band.to_numpy(object) == value)
            for value, code in band_vocabulary.items()
        },
        last_day=float(frame["closed_days"].max()) if len(frame) else 0.0,
    )


def _scale(values: np.ndarray) -> tuple[float, float]:
    if len(values) == 0:
        return 0.0, 1.0
    std = float(np.std(values))
    return float(np.mean(values)), std if std > 1e-12 else 1.0


def _discount_of(deal: Mapping[str, Any]) -> float:
    for key in ("current_discount", "discount"):
        value = deal.get(key)
        if value is not None and not pd.isna(value):
            return float(value)
    return 0.0


def _day(value: Any) -> float:
    return float((pd.Timestamp(value) - pd.Timestamp("1970-01-01")).days)
