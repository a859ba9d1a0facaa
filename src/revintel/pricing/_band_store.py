"""Price bands in the store: each fit's bands (``price_bands``) and where every deal sits in
them (``price_band_deals``), written through the store's engine-neutral interface (DuckDB,
PostgreSQL, Spark); and the open quotes whose positions are shown beside the deals'.

A band's key in the store is ``<fit_id>/<band_id>`` (``price_bands`` is keyed by the band
alone, and each fit numbers its bands from ``B01``); :func:`stored_bands` and
:func:`stored_band_deals` give the short band id back beside the fit id.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import pandas as pd

from revintel.metrics import MetricSources
from revintel.pricing._bands import PriceBands, band_positions
from revintel.store import Store, store_now

BANDS_TABLE = "price_bands"
BAND_DEALS_TABLE = "price_band_deals"
#: Columns of :func:`stored_bands`.
STORED_COLUMNS = (
    "fit_id",
    "band_id",
    "segment",
    "rules",
    "floor",
    "target",
    "stretch",
    "won_deals",
    "deals",
    "fitted_at",
)
#: Quote statuses that are still open (sent and awaiting an answer).
OPEN_QUOTE_STATUSES = ("sent",)
_SEPARATOR = "/"


def new_fit_id(now: datetime) -> str:
    """A readable, unique fit id: ``PF`` + the time + four random hex digits."""
    return f"PF{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def store_bands(store: Store, bands: PriceBands, deals: pd.DataFrame, fit_id: str) -> int:
    """Write the bands of fit ``fit_id`` and the band and position of every deal (open and
    closed) in one transaction; rows stored earlier for the same fit are replaced.

    Returns
    -------
    int
        The deals written to ``price_band_deals``.

    Raises
    ------
    ValueError
        An empty fit id or one containing ``/``.
    """
    if not fit_id or _SEPARATOR in fit_id:
        raise ValueError(f"fit_id must be non-empty and free of {_SEPARATOR!r}, got {fit_id!r}")
    fitted_at = store_now(store)
    band_rows = bands.table.drop(columns=["median_list_price"]).assign(
        band_id=lambda t: fit_id + _SEPARATOR + t["band_id"], fit_id=fit_id, fitted_at=fitted_at
    )
    positions = band_positions(deals, bands)
    deal_rows = positions.drop(columns=["percentile"]).assign(
        band_id=lambda t: fit_id + _SEPARATOR + t["band_id"], fit_id=fit_id
    )
    deal_rows = deal_rows.drop_duplicates("opportunity_id")
    with store.transaction():
        _remove_fit(store, fit_id)
        store.insert(BANDS_TABLE, band_rows)
        written = store.insert(BAND_DEALS_TABLE, deal_rows)
    return written


def stored_bands(store: Store, fit_id: str | None = None) -> pd.DataFrame:
    """The bands of fit ``fit_id`` (default: the latest fit), :data:`STORED_COLUMNS`.

    Empty when no bands are stored.

    Raises
    ------
    LookupError
        ``fit_id`` is given and no bands of that fit are stored.
    """
    t = store.table(BANDS_TABLE)
    chosen = fit_id if fit_id is not None else _latest_fit(store)
    if chosen is None:
        return pd.DataFrame(columns=list(STORED_COLUMNS))
    frame = t.filter(t.fit_id == chosen).to_pandas()
    if frame.empty:
        raise LookupError(f"no price bands are stored for fit {chosen!r}")
    frame["band_id"] = frame["band_id"].str.split(_SEPARATOR, n=1).str[1]
    return frame[list(STORED_COLUMNS)].sort_values("band_id", ignore_index=True)


def stored_band_deals(store: Store, fit_id: str | None = None) -> pd.DataFrame:
    """The deals of fit ``fit_id`` (default: the latest fit): ``fit_id``, ``opportunity_id``,
    ``band_id`` (short), ``price_ratio``, ``position``; empty when nothing is stored."""
    chosen = fit_id if fit_id is not None else _latest_fit(store)
    columns = ["fit_id", "opportunity_id", "band_id", "price_ratio", "position"]
    if chosen is None:
        return pd.DataFrame(columns=columns)
    t = store.table(BAND_DEALS_TABLE)
    frame = t.filter(t.fit_id == chosen).to_pandas()
    frame["band_id"] = frame["band_id"].str.split(_SEPARATOR, n=1).str[1]
    return frame[columns].sort_values("opportunity_id", ignore_index=True)


def open_quotes(store: Store | MetricSources) -> pd.DataFrame:
    """Quotes still open (:data:`OPEN_QUOTE_STATUSES`) that belong to a deal: ``quote_id``,
    ``opportunity_id``, ``created_at``, ``list_price``, ``discount``, ``amount`` (store
    currency)."""
    sources = store if isinstance(store, MetricSources) else MetricSources.from_store(store)
    q = sources.table("quotes")
    chosen = q.filter(q.opportunity_id.notnull() & q.status.lower().isin(list(OPEN_QUOTE_STATUSES)))
    frame = chosen.select(
        "quote_id", "opportunity_id", "created_at", "list_price", "discount", "amount"
    ).to_pandas()
    return frame.sort_values("quote_id", ignore_index=True)


def _latest_fit(store: Store) -> str | None:
    t = store.table(BANDS_TABLE)
    frame = t.group_by("fit_id").aggregate(fitted_at=t.fitted_at.max()).to_pandas()
    if frame.empty:
        return None
    frame = frame.sort_values(["fitted_at", "fit_id"], ascending=[False, False])
    return str(frame["fit_id"].iloc[0])


def _remove_fit(store: Store, fit_id: str) -> None:
    bands = store.table(BANDS_TABLE)
    store.delete_keys(
        BANDS_TABLE, bands.filter(bands.fit_id == fit_id).select("band_id").to_pyarrow()
    )
    deals = store.table(BAND_DEALS_TABLE)
    old = deals.filter(deals.fit_id == fit_id).select("fit_id", "opportunity_id")
    store.delete_keys(BAND_DEALS_TABLE, old.to_pyarrow())
