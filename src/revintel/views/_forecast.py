"""The order-intake forecast, what-if scenarios and backtests on the rows a user may see."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from revintel.auth import Permission, User, scoped_store
from revintel.forecast import (
    FORECAST_DIMENSIONS,
    TOTAL,
    Forecast,
    ForecastSettings,
    FunnelModel,
    History,
    attach_targets,
    backtest,
    compare_with_baseline,
    fit_funnel_model,
    forecast,
    forecast_gap,
    load_history,
    parse_scenario,
    period_bounds,
)
from revintel.metrics import DataGap, MetricSources, stored_targets
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store
from revintel.views._gaps import forecast_is_empty
from revintel.views._targets import visible_targets

#: Breakdowns a forecast can be split by.
FORECAST_BREAKDOWNS: tuple[str, ...] = tuple(FORECAST_DIMENSIONS)
#: Monte Carlo draws of a forecast unless the caller asks for others.
FORECAST_SIMULATIONS = 1_000
#: A backtest replays a forecast per origin: small defaults keep a request within seconds.
BACKTEST_ORIGINS = 3
BACKTEST_SIMULATIONS = 200
BACKTEST_MONTHS = 3


@dataclass(frozen=True)
class ForecastView:
    """A forecast as the caller may see it: the cut-off date and the quantile rows."""

    as_of: date
    by: str | None
    frame: pd.DataFrame
    #: What the history lacks when every amount is zero (``None`` otherwise).
    gap: DataGap | None = None

    def records(self) -> list[dict[str, Any]]:
        """Rows as plain dicts, the breakdown column renamed to ``group``."""
        frame = self.frame.rename(columns={self.by: "group"}) if self.by else self.frame
        if "group" not in frame.columns:
            frame = frame.assign(group="all")
        return [
            {str(k): None if _missing(v) else v for k, v in r.items()}
            for r in frame.to_dict(orient="records")
        ]


def _missing(value: Any) -> bool:
    return isinstance(value, float) and value != value  # NaN: no target, no chance


def _store_as_of(store: Store) -> date:
    # A rep's forecast is cut at the whole store's last event, like every rep's KPIs.
    return MetricSources.from_store(store).as_of


def forecast_view(
    store: Store,
    user: User,
    by: str | None,
    months: int,
    simulations: int,
    seed: int,
    what_if: tuple[str, ...] = (),
) -> ForecastView:
    """P10/P50/P90 of order intake per month and quarter, by source, on ``user``'s rows.

    A sales rep's forecast covers their own deals (open pipeline) and their own leads (pipeline
    not yet created); other roles see the whole company. With ``what_if`` scenarios the rows
    are the scenario's, with the baseline's P50 and the change against it.

    Each row also carries the period's booked intake, its order-intake target among those
    ``user`` sees, the chance of reaching it and the gap (see
    :func:`revintel.forecast.attach_targets`).
    """
    if by is not None and by not in FORECAST_BREAKDOWNS:
        raise ValueError(f"cannot split a forecast by {by!r}; use one of {FORECAST_BREAKDOWNS}")
    funnel = load_funnel()
    history = load_history(scoped_store(store, user), funnel)
    settings = ForecastSettings(months=months, by=by, simulations=simulations, seed=seed)
    targets = visible_targets(store, user)
    result, frame = forecast_what_if(
        history, _store_as_of(store), settings, what_if, funnel, targets
    )
    gap = forecast_gap(history) if forecast_is_empty(frame) else None
    return ForecastView(result.model.as_of, by, frame, gap)


def forecast_what_if(
    history: History,
    as_of: date | None,
    settings: ForecastSettings,
    what_if: tuple[str, ...] | list[str],
    funnel: FunnelDefinition,
    targets: pd.DataFrame | None = None,
) -> tuple[Forecast, pd.DataFrame]:
    """The baseline forecast and the rows to show: the baseline's, or with ``what_if``
    scenarios (:func:`revintel.forecast.parse_scenario`) the scenario's rows beside the
    baseline's P50 and the change against it.

    With ``targets`` (rows of the ``targets`` table) the rows gain booked, target,
    p_reach_target and gap, read from the draws of the forecast they show.
    The scenarios are parsed before anything is simulated, so a wrong one fails at once.
    """
    scenario = parse_scenario(list(what_if), funnel) if what_if else None
    base = forecast(history, as_of, settings)
    shown, frame = base, base.frame
    if scenario is not None:
        shown = forecast(history, as_of, dataclasses.replace(settings, scenario=scenario))
        frame = compare_with_baseline(base.frame, shown.frame)
    if targets is not None:
        frame = attach_targets(frame, shown, history, targets)
    return base, frame


def order_intake_targets(store: Store) -> pd.DataFrame:
    """Every target of ``store`` (amounts in the store currency) for :func:`forecast_what_if`."""
    return stored_targets(store)


def funnel_model(store: Store, user: User) -> FunnelModel:
    """The funnel measured on ``user``'s rows as of the whole store's last event: the weighted
    pipeline and the win probabilities of ``revintel forecast pipeline`` / ``probabilities``."""
    history = load_history(scoped_store(store, user), load_funnel())
    return fit_funnel_model(history, _store_as_of(store))


@dataclass(frozen=True)
class BacktestView:
    """A backtest as the caller may see it: per-origin points and the summary per method."""

    origins: int
    months: int
    simulations: int
    points: pd.DataFrame
    summary: pd.DataFrame


def backtest_view(
    store: Store, user: User, origins: int, months: int, simulations: int, seed: int
) -> BacktestView:
    """Forecasts replayed as of ``origins`` past month-ends and scored, on ``user``'s rows."""
    history = load_history(scoped_store(store, user), load_funnel())
    settings = ForecastSettings(months=months, simulations=simulations, seed=seed)
    result = backtest(history, origins, settings, last=_store_as_of(store))
    return BacktestView(origins, months, simulations, result.points, result.summary)


@dataclass(frozen=True)
class Attainment:
    """A period's order-intake target against booked intake plus the forecast of the rest.

    ``p10`` / ``p50`` / ``p90`` are of the whole period (booked + simulated rest); ``gap`` is
    the target minus ``p50`` (positive: short); ``p_reach`` the chance of reaching the target,
    from the same simulation runs. ``scope`` is ``company`` (or ``own`` for a sales rep's own
    targets) or the breakdown (``team``, ``segment``) with ``group`` its value.
    """

    period: str
    grain: str
    period_start: date
    period_end: date
    as_of: date
    scope: str
    group: str
    target: float
    booked: float
    p10: float
    p50: float
    p90: float
    gap: float
    p_reach: float

    @property
    def attainment(self) -> float:
        """Booked + median of the rest, as a share of the target."""
        return self.p50 / self.target


def target_attainment(
    store: Store, user: User, as_of: date | None = None, by: str | None = None
) -> list[Attainment]:
    """Every period of the default forecast (the Forecast page's and the API's: six months,
    :data:`FORECAST_SIMULATIONS` runs, seed 42) that has an order-intake target ``user`` sees,
    quarters first, then months, each in time order; per group of ``by`` when given.

    ``as_of`` must be ``None`` or the store's cut-off (the forecast always starts there).
    """
    view = forecast_view(store, user, by, 6, FORECAST_SIMULATIONS, 42)
    if as_of is not None and as_of != view.as_of:
        raise ValueError(f"the forecast starts after {view.as_of:%Y-%m-%d}, not {as_of}")
    return attainment_of(view, user)


def attainment_of(view: ForecastView, user: User) -> list[Attainment]:
    """:func:`target_attainment` of a forecast already made (``user``'s view of it)."""
    by = view.by
    own = not user.can(Permission.view_all_rows)
    found = []
    for row in view.records():
        if row["source"] != TOTAL or row.get("p_reach_target") is None:
            continue
        if pd.isna(row["p_reach_target"]) or (by is not None and row["group"] == "all"):
            continue
        start, end = period_bounds(str(row["period"]))
        booked = float(row["booked"])
        found.append(
            Attainment(
                period=str(row["period"]),
                grain=str(row["grain"]),
                period_start=start,
                period_end=end,
                as_of=view.as_of,
                scope=by or ("own" if own else "company"),
                group=str(row["group"]),
                target=float(row["target"]),
                booked=booked,
                p10=booked + float(row["p10"]),
                p50=booked + float(row["p50"]),
                p90=booked + float(row["p90"]),
                gap=float(row["gap"]),
                p_reach=float(row["p_reach_target"]),
            )
        )
    found.sort(key=lambda a: (a.grain != "quarter", a.period_start, a.group))
    return found
