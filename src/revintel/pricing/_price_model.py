"""Fitted price models: bands, price response and comparable deals, fitted and stored together.

A price model is what deal guidance reads: the price bands of the fit, the price-response model
(P(win | discount, context)) and the closed deals to compare with. It is stored as one row of
``price_models`` whose ``artifact`` is JSON (no pickled objects), and its bands as rows of
``price_bands`` / ``price_band_deals``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from revintel.pricing._comparables import ComparableDeals, comparable_deals
from revintel.pricing._deals import deal_frame
from revintel.store import Store, store_currency, store_now

logger = logging.getLogger(__name__)

MODELS_TABLE = "price_models"
#: Version of the artifact's layout; a stored model of another version is refused.
ARTIFACT_VERSION = 1


class PriceModelError(ValueError):
    """A price model cannot be fitted (too few deals) or a stored one cannot be read."""


@dataclass
class PriceModel:
    """Bands, price response and comparable deals of one fit.

    Attributes
    ----------
    fit_id
        Key of the fit (in ``price_models``, ``price_bands`` and ``price_band_deals``).
    fitted_at
        When it was fitted (store wall clock).
    as_of
        Deals closed up to this day were used.
    bands
        The price bands (:class:`revintel.pricing._bands.PriceBands`).
    response
        The price response (:class:`revintel.pricing._response.PriceResponse`).
    comparables
        Closed deals to compare with.
    min_won, seed
        The settings of the fit.
    deals
        The deal frame fitted on (kept after fitting to store the band of each deal; not
        stored).
    """

    fit_id: str
    fitted_at: datetime
    as_of: date
    bands: Any
    response: Any
    comparables: ComparableDeals
    min_won: int = 30
    seed: int = 0
    deals: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def algorithm(self) -> str:
        """The price-response model's algorithm."""
        return str(getattr(self.response, "algorithm", ""))

    @property
    def evaluation(self) -> dict[str, Any]:
        """The price response's out-of-time evaluation."""
        return dict(getattr(self.response, "evaluation", {}) or {})

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state; :meth:`from_state` restores an equal model."""
        return {
            "version": ARTIFACT_VERSION,
            "fit_id": self.fit_id,
            "fitted_at": self.fitted_at.isoformat(),
            "as_of": self.as_of.isoformat(),
            "min_won": self.min_won,
            "seed": self.seed,
            "bands": self.bands.to_state(),
            "response": self.response.to_state(),
            "comparables": self.comparables.to_state(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> PriceModel:
        """The model saved by :meth:`to_state`.

        Raises
        ------
        PriceModelError
            The state was written by another artifact version.
        """
        from revintel.pricing._bands import PriceBands
        from revintel.pricing._response import PriceResponse

        if state.get("version") != ARTIFACT_VERSION:
            raise PriceModelError(
                f"price model {state.get('fit_id')!r} has artifact version "
                f"{state.get('version')!r}; this revintel reads version {ARTIFACT_VERSION}: "
                "fit it again with `revintel pricing fit`"
            )
        return cls(
            fit_id=state["fit_id"],
            fitted_at=datetime.fromisoformat(state["fitted_at"]),
            as_of=date.fromisoformat(state["as_of"]),
            bands=PriceBands.from_state(state["bands"]),
            response=PriceResponse.from_state(state["response"]),
            comparables=ComparableDeals.from_state(state["comparables"]),
            min_won=int(state.get("min_won", 30)),
            seed=int(state.get("seed", 0)),
        )


def fit_price_model(
    store: Store, as_of: date | None = None, min_won: int = 30, seed: int = 0, bootstrap: int = 30
) -> PriceModel:
    """Fit bands, price response and comparable deals on the store's deals.

    Parameters
    ----------
    store
        The store.
    as_of
        Use deals as the store knew them on this day (default: everything).
    min_won
        Least won deals behind each band.
    seed
        Seed of the price response's bootstrap.
    bootstrap
        Refits on resamples behind each curve's band and the recommended discount's interval.

    Raises
    ------
    PriceModelError
        The store holds no closed deal with a list price.
    """
    from revintel.pricing._band_store import new_fit_id
    from revintel.pricing._bands import fit_bands
    from revintel.pricing._response import fit_price_response

    deals = deal_frame(store, as_of)
    closed = deals[deals["won"].notna()]
    if closed.empty:
        raise PriceModelError("no closed deal with a list price: nothing to fit prices on")
    bands = fit_bands(deals, min_won=min_won, currency=store_currency(store))
    response = fit_price_response(
        deals, bands.target_discount(deals), seed=seed, bootstrap=bootstrap
    )
    band_ids = band_ids_of(bands, deals)
    fitted_at = store_now(store).replace(microsecond=0)
    last_close = pd.to_datetime(closed["closed_at"]).max()
    return PriceModel(
        fit_id=new_fit_id(fitted_at),
        fitted_at=fitted_at,
        as_of=as_of or last_close.date(),
        bands=bands,
        response=response,
        comparables=comparable_deals(deals, band_ids),
        min_won=min_won,
        seed=seed,
        deals=deals,
    )


def band_ids_of(bands: Any, deals: pd.DataFrame) -> list[str]:
    """The band of each deal of ``deals``."""
    assign = getattr(bands.segmentation, "assign", None)
    if assign is not None:
        return [str(b) for b in assign(deals)]
    band_of = bands.segmentation.band_of
    return [str(band_of(record)) for record in deals.to_dict(orient="records")]


def store_price_model(store: Store, model: PriceModel) -> str:
    """Write ``model`` (one ``price_models`` row, its bands and each deal's band); its fit id.

    The bands are written first and the model row last, each in one transaction, so a stored
    model always has its bands (DuckDB has no nested transactions to join both).
    """
    from revintel.pricing._band_store import store_bands

    deals = model.deals if model.deals is not None else deal_frame(store, model.as_of)
    store_bands(store, model.bands, deals, model.fit_id)
    row = pd.DataFrame(
        [
            {
                "fit_id": model.fit_id,
                "fitted_at": model.fitted_at,
                "as_of": pd.Timestamp(model.as_of),
                "algorithm": model.algorithm,
                "metrics": json.dumps(_plain(model.evaluation)),
                "artifact": json.dumps(_plain(model.to_state()), separators=(",", ":")),
            }
        ]
    )
    with store.transaction():
        store.delete_keys(MODELS_TABLE, row[["fit_id"]])
        store.insert(MODELS_TABLE, row)
    logger.info("stored price model %s", model.fit_id)
    return model.fit_id


def latest_fit_id(store: Store) -> str | None:
    """The fit id of the most recently fitted stored model, or ``None``."""
    t = store.table(MODELS_TABLE)
    found = t.order_by([t.fitted_at.desc(), t.fit_id.desc()]).limit(1).select("fit_id").to_pyarrow()
    return str(found.column("fit_id")[0].as_py()) if found.num_rows else None


def load_price_model(store: Store, fit_id: str | None = None) -> PriceModel | None:
    """The stored model ``fit_id`` (default: the latest), or ``None`` when there is none.

    Raises
    ------
    PriceModelError
        The stored artifact cannot be read.
    """
    fit_id = fit_id if fit_id is not None else latest_fit_id(store)
    if fit_id is None:
        return None
    t = store.table(MODELS_TABLE)
    found = t.filter(t.fit_id == fit_id).select("artifact").to_pyarrow()
    if found.num_rows == 0:
        return None
    try:
        state = json.loads(found.column("artifact")[0].as_py())
    except json.JSONDecodeError as exc:
        raise PriceModelError(f"price_models row {fit_id!r}, column artifact: {exc}") from None
    return PriceModel.from_state(state)


def _plain(value: Any) -> Any:
    """``value`` with numpy and pandas scalars turned into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.isoformat()
    return value
