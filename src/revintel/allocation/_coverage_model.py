"""The coverage model per account: field sales, inside sales or digital self-service, whichever
earns the most margin after its cost, from the account's potential, the complexity of its deals
and how digitally it buys.

A model ``m`` gives ``hours_per_week`` of selling time; the response curve says what share of
the potential that wins. Complex accounts (large deals, many product families, long cycles)
need people: a model loses ``complexity_penalty`` of its intake on the most complex ones. An
account whose touchpoints are digital or self-service buys well without them: a model gains up
to ``digital_bonus`` on it and loses as much on one that never buys digitally::

    margin_m = margin_rate · potential · s(hours_m · weeks)
               · (1 − complexity_penalty_m · complexity) · (1 + digital_bonus_m · (2 · digital − 1))
               − hours_m · weeks · cost_per_hour_m − fixed_cost_per_year_m
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from revintel.allocation._potential import PotentialEstimate, estimate_potential
from revintel.allocation._potential_features import as_day, last_order_day
from revintel.allocation._response_curve import ResponseCurve, fit_response_curve
from revintel.allocation._rules import RULES_FILE, AllocationRules, AllocationRulesError, _checked
from revintel.allocation._store_history import contact_history
from revintel.metrics import in_store_currency
from revintel.model import read_yaml_mapping
from revintel.model._declarative import validation_messages
from revintel.store import Store

#: Columns of :func:`coverage_models`.
COVERAGE_COLUMNS = (
    "account_id",
    "segment",
    "potential",
    "mean_deal_size",
    "families",
    "cycle_days",
    "complexity",
    "digital_share",
    "model",
    "expected_margin",
    "margin_field",
    "margin_inside",
    "margin_digital",
    "cost",
    "reason",
)
#: The three coverage models, most personal first.
MODELS = ("field", "inside", "digital")
#: Complexity or digital share from which it is named as the reason.
HIGH = 2 / 3


class CoverageModel(BaseModel):
    """One way of serving an account and what it costs (see ``conf/allocation.yaml``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hours_per_week: float = Field(ge=0.0, le=40.0)
    cost_per_hour: float = Field(ge=0.0)
    fixed_cost_per_year: float = Field(default=0.0, ge=0.0)
    complexity_penalty: float = Field(default=0.0, ge=0.0, le=1.0)
    digital_bonus: float = Field(default=0.0, ge=0.0, le=1.0)


class CoverageModels(BaseModel):
    """The ``coverage_models`` section: one entry each for field, inside and digital."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: CoverageModel
    inside: CoverageModel
    digital: CoverageModel


def read_coverage_models(path: str | Path | None = None) -> tuple[CoverageModels, AllocationRules]:
    """The coverage models and the rules of ``path`` (default: the packaged rules file).

    Raises
    ------
    AllocationRulesError
        The file or its ``coverage_models`` section is invalid; the message names the file
        and the key, e.g. ``coverage_models.inside.cost_per_hour``.
    """
    data, origin = read_yaml_mapping(path, RULES_FILE, AllocationRulesError, "the rules")
    rules = _checked(data, origin)
    try:
        models = CoverageModels.model_validate(data.get("coverage_models") or {})
    except ValidationError as exc:
        lines = validation_messages(exc, f"{origin}: coverage_models")
        raise AllocationRulesError(
            "\n".join(m.replace(": coverage_models: ", ": coverage_models.") for m in lines)
        ) from None
    return models, rules


def coverage_models(
    store: Store,
    *,
    as_of: date | datetime | str | None = None,
    models: CoverageModels | None = None,
    rules: AllocationRules | None = None,
    curve: ResponseCurve | None = None,
    potential: PotentialEstimate | None = None,
) -> pd.DataFrame:
    """The best coverage model of every real account, with the margin of each and the reason.

    Parameters
    ----------
    store
        The store to read.
    as_of
        Last day of the history read (default: the day of the latest order).
    models, rules
        The coverage models and the rules (weeks a year, margin rate); default: the packaged
        ``conf/allocation.yaml``.
    curve
        The response curve in hours a year (default: fitted to the logged contact hours and
        the recurring revenue of the customers' complete years, as :func:`plan_allocation`).
    potential
        A potential estimated before (default: :func:`estimate_potential` as of ``as_of``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COVERAGE_COLUMNS`, largest potential first: the account's complexity
        inputs (``mean_deal_size`` of its closed deals, ``families`` bought in the twelve
        months, median ``cycle_days`` from created to closed; empty without), ``complexity``
        (mean of their percentile ranks, 0.5 for an input the account lacks), ``digital_share``
        (share of its touchpoints that were digital or self-service; 0.5 without touchpoints),
        the expected yearly margin of each model, the chosen ``model``, its ``expected_margin``
        and yearly ``cost``, and ``reason`` (``complexity``, ``potential``, ``digital`` or
        ``cost``).
    """
    if models is None or rules is None:
        packaged_models, packaged_rules = read_coverage_models()
        models, rules = models or packaged_models, rules or packaged_rules
    day = last_order_day(store) if as_of is None else as_day(as_of)
    estimate = potential if potential is not None else estimate_potential(store, day)
    by_account = estimate.by_account().set_index("account_id")
    if curve is None:
        history = contact_history(store, day, by_account["potential"].reset_index())
        curve = fit_response_curve(history[history["potential"] > 0], bootstrap=0)
    frame = _account_facts(store, day, estimate)
    frame["potential"] = by_account["potential"].reindex(frame["account_id"]).fillna(0.0).to_numpy()
    _score(frame, models, rules, curve)
    frame = frame.sort_values(["potential", "account_id"], ascending=[False, True])
    return frame[list(COVERAGE_COLUMNS)].reset_index(drop=True)


def _account_facts(store: Store, day: date, estimate: PotentialEstimate) -> pd.DataFrame:
    accounts = store.table("accounts")
    real = accounts.filter(~accounts.placeholder.fill_null(False))
    frame = real.select("account_id", "segment").to_pandas()
    end = pd.Timestamp(day) + pd.Timedelta(days=1)
    deals = in_store_currency(store, "opportunities")
    closed = deals.filter(deals.closed_at.notnull() & (deals.closed_at < end.to_pydatetime()))
    deal_rows = closed.select("account_id", "amount", "created_at", "closed_at").to_pandas()
    deal_rows["days"] = (
        deal_rows["closed_at"] - deal_rows["created_at"]
    ).dt.total_seconds() / 86_400
    per_deal = deal_rows.groupby("account_id").agg(
        mean_deal_size=("amount", "mean"), cycle_days=("days", "median")
    )
    bought = estimate.frame[estimate.frame["current_revenue"] > 0]
    families = bought.groupby("account_id").size().rename("families")
    touch = store.table("touchpoints")
    touch = touch.filter(touch.account_id.notnull() & (touch.occurred_at < end.to_pydatetime()))
    digital = touch.digital.fill_null(False) | touch.self_service.fill_null(False)
    shares = touch.group_by("account_id").aggregate(digital_share=digital.cast("float64").mean())
    frame = frame.join(per_deal, on="account_id").join(families, on="account_id")
    frame = frame.merge(shares.to_pandas(), on="account_id", how="left")
    frame["families"] = frame["families"].fillna(0).astype(int)
    frame["digital_share"] = frame["digital_share"].fillna(0.5).astype(float)
    ranks = [frame[c].rank(pct=True) for c in ("mean_deal_size", "families", "cycle_days")]
    frame["complexity"] = pd.concat(ranks, axis=1).fillna(0.5).mean(axis=1)
    return frame


def _score(
    frame: pd.DataFrame, models: CoverageModels, rules: AllocationRules, curve: ResponseCurve
) -> None:
    """Set each model's margin, the best model, its margin and cost and the reason in place."""
    weeks = rules.weeks_per_year
    potential, complexity = frame["potential"].to_numpy(), frame["complexity"].to_numpy()
    digital = frame["digital_share"].to_numpy()
    costs = {}
    for name in MODELS:
        m: CoverageModel = getattr(models, name)
        share = np.asarray(curve.share(m.hours_per_week * weeks))
        reach = (1 - m.complexity_penalty * complexity) * (1 + m.digital_bonus * (2 * digital - 1))
        costs[name] = m.hours_per_week * weeks * m.cost_per_hour + m.fixed_cost_per_year
        frame[f"margin_{name}"] = rules.margin_rate * potential * share * reach - costs[name]
    margins = frame[[f"margin_{n}" for n in MODELS]].to_numpy()
    best = margins.argmax(axis=1)
    frame["model"] = np.array(MODELS)[best]
    frame["expected_margin"] = margins[np.arange(len(frame)), best]
    frame["cost"] = frame["model"].map(costs)
    frame["reason"] = _reasons(frame["model"].to_numpy(), complexity, digital)


def _reasons(model: np.ndarray, complexity: np.ndarray, digital: np.ndarray) -> np.ndarray:
    """``complexity`` or ``potential`` for field sales; ``digital`` or ``cost`` for the rest."""
    personal = np.where(complexity >= HIGH, "complexity", "potential")
    remote = np.where(digital >= HIGH, "digital", "cost")
    return np.where(model == "field", personal, remote)
