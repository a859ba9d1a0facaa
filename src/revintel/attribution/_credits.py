"""Stored attribution credits: what each model credits per milestone, month, channel, campaign
and segment, kept in the ``attribution_credits`` table for the attributed pipeline, revenue and
ROI KPIs.

The journeys of every transition are read once (:func:`store_journeys`) and attributed with
each model; the per-touch credits are summed by the conversion month of their journey, the
touch's channel and campaign and the journey's segment. What no touch earned (a data-driven
model's baseline, and conversions of journeys without touches) is stored as the channel
``(baseline)`` without a campaign, so the stored conversions of one model and milestone add
up to the converted journeys.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from revintel.attribution._credits_rows import AMOUNTS, credit_rows, journey_keys
from revintel.attribution._journey_times import LEVELS, milestone_chain
from revintel.attribution._journeys import StoreJourneys, store_journeys
from revintel.attribution._models import MODELS, attribute
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store, store_now

logger = logging.getLogger(__name__)

#: The table the credits are stored in.
CREDITS_TABLE = "attribution_credits"
#: Models stored when none are named: every model.
DEFAULT_MODELS: tuple[str, ...] = MODELS
#: Columns a credit is keyed by (its id is derived from them).
KEY_COLUMNS = ("model", "milestone", "level", "period", "channel", "campaign_id", "segment")


@dataclass(frozen=True)
class CreditsSummary:
    """What :func:`store_credits` stored.

    Attributes
    ----------
    level
        The journeys' level (lead, opportunity or account).
    as_of
        The day the journeys were evaluated at.
    totals
        One row per model and milestone stored: ``model``, ``milestone``, ``journeys``,
        ``conversions``, ``revenue``, ``margin`` and ``rows`` (credit rows written).
    skipped
        ``"model → milestone"`` → why that model could not attribute those journeys (its
        earlier rows are removed all the same: they no longer describe the data).
    rows
        Credit rows written in all.
    computed_at
        When the credits were computed (the store's wall clock).
    """

    level: str
    as_of: date
    totals: pd.DataFrame
    rows: int
    computed_at: datetime
    skipped: dict[str, str] = field(default_factory=dict)


def credit_id(key: Sequence[object]) -> str:
    """A stable id for one credit row from its :data:`KEY_COLUMNS` values.

    Examples
    --------
    >>> credit_id(("linear", "won", "lead", "2024-04-01", "search", None, "Enterprise"))
    'ac-8e83cf8889405daa357f813f'
    """
    text = "\x1f".join("" if v is None or v is pd.NA else str(v) for v in key)
    return "ac-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def store_credits(
    store: Store,
    *,
    models: Sequence[str] = DEFAULT_MODELS,
    milestones: Sequence[str] | None = None,
    level: str = "lead",
    as_of: date | None = None,
    funnel: FunnelDefinition | None = None,
) -> CreditsSummary:
    """Attribute the journeys of every milestone with every model and store the credits.

    The rows of ``attribution_credits`` for these models, milestones and level are replaced in
    one transaction: running it twice stores the same rows once, and a failure leaves the table
    as it was.

    Parameters
    ----------
    store
        The store (DuckDB, PostgreSQL or Spark).
    models
        Models of :data:`revintel.attribution._models.MODELS` (default: all).
    milestones
        Milestones converted to (default: every path milestone and won; at opportunity level
        those an opportunity reaches).
    level
        ``lead``, ``opportunity`` or ``account``.
    as_of
        Evaluate the journeys as of this day (default: the day of the latest milestone event).
    funnel
        The funnel definition (default: the built-in funnel).

    Returns
    -------
    CreditsSummary
        Totals per model and milestone, and the models that could not run.

    Raises
    ------
    ValueError
        An unknown model, milestone or level, or no model at all.
    """
    funnel = funnel or load_funnel()
    chosen_models, chosen_milestones = _checked(funnel, models, milestones, level)
    computed_at = store_now(store)
    frames: list[pd.DataFrame] = []
    totals: list[dict[str, object]] = []
    skipped: dict[str, str] = {}
    evaluated: date | None = as_of
    for milestone in chosen_milestones:
        journeys = store_journeys(store, milestone, level=level, as_of=as_of, funnel=funnel)
        evaluated = journeys.as_of
        keys = journey_keys(journeys)
        for model in chosen_models:
            try:
                rows = credit_rows(journeys, attribute(journeys.paths, model), keys)
            except ValueError as exc:
                skipped[f"{model} → {milestone}"] = str(exc)
                logger.warning("attribution credits: %s → %s skipped: %s", model, milestone, exc)
                continue
            rows = rows.assign(model=model, milestone=milestone, level=level)
            frames.append(rows)
            totals.append(_total(journeys, model, milestone, rows))
    table = _credit_table(frames, computed_at)
    _replace(store, table, chosen_models, chosen_milestones, level)
    return CreditsSummary(
        level=level,
        as_of=evaluated or date.today(),
        totals=pd.DataFrame(
            totals,
            columns=["model", "milestone", "journeys", *AMOUNTS, "rows"],
        ),
        rows=table.num_rows,
        computed_at=computed_at,
        skipped=skipped,
    )


def _checked(
    funnel: FunnelDefinition,
    models: Sequence[str],
    milestones: Sequence[str] | None,
    level: str,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    chosen = tuple(dict.fromkeys([models] if isinstance(models, str) else models))
    if not chosen:
        raise ValueError(f"no attribution model given; choose from: {', '.join(MODELS)}")
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        raise ValueError(
            f"unknown attribution model {', '.join(map(repr, unknown))}; "
            f"choose from: {', '.join(MODELS)}"
        )
    if level not in LEVELS:
        raise ValueError(f"unknown journey level {level!r}; choose one of: {', '.join(LEVELS)}")
    chain = milestone_chain(funnel)
    if milestones is None:
        wanted = tuple(
            m for m in chain if level != "opportunity" or funnel.get(m).entity == "opportunity"
        )
    else:
        wanted = tuple(dict.fromkeys([milestones] if isinstance(milestones, str) else milestones))
        strange = [m for m in wanted if m not in chain]
        if strange or not wanted:
            raise ValueError(
                f"unknown milestone {', '.join(map(repr, strange)) or '(none)'}; "
                f"choose from: {', '.join(chain)}"
            )
    return chosen, wanted


def _total(
    journeys: StoreJourneys, model: str, milestone: str, rows: pd.DataFrame
) -> dict[str, object]:
    margin = rows["margin"].sum(min_count=1)
    return {
        "model": model,
        "milestone": milestone,
        "journeys": len(journeys.paths),
        "conversions": float(rows["conversions"].sum()),
        "revenue": float(rows["revenue"].sum()),
        "margin": float(margin) if pd.notna(margin) else np.nan,
        "rows": len(rows),
    }


def _credit_table(frames: list[pd.DataFrame], computed_at: datetime) -> pa.Table:
    columns = ["credit_id", *KEY_COLUMNS, *AMOUNTS, "computed_at"]
    if not frames:
        return pa.Table.from_pandas(pd.DataFrame(columns=columns), preserve_index=False)
    rows = pd.concat(frames, ignore_index=True)
    rows["credit_id"] = _credit_ids(rows[list(KEY_COLUMNS)])
    rows["computed_at"] = pd.Timestamp(computed_at)
    rows["period"] = pd.to_datetime(rows["period"])
    return pa.Table.from_pandas(rows[columns], preserve_index=False)


def _credit_ids(keys: pd.DataFrame) -> list[str]:
    """:func:`credit_id` of every row of ``keys`` (the :data:`KEY_COLUMNS`)."""
    columns = [keys[c].astype(object).where(keys[c].notna(), None).tolist() for c in KEY_COLUMNS]
    return [credit_id(k) for k in zip(*columns, strict=True)]


def _replace(
    store: Store,
    table: pa.Table,
    models: tuple[str, ...],
    milestones: tuple[str, ...],
    level: str,
) -> None:
    """Remove the stored credits of ``models``/``milestones``/``level`` and write ``table``, in
    one transaction (the store's engine-neutral writes: DuckDB, PostgreSQL, Spark)."""
    with store.transaction():
        t = store.table(CREDITS_TABLE)
        old = t.filter(
            t.model.isin(list(models)) & t.milestone.isin(list(milestones)) & (t.level == level)
        ).select("credit_id")
        store.delete_keys(CREDITS_TABLE, old.to_pyarrow())
        store.insert(CREDITS_TABLE, table)
