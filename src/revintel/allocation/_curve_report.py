"""What an hour of selling buys: the store's response curve, with its intervals and how it was
read, and a table of what each weekly level of service earns a typical customer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from revintel.allocation._potential import estimate_potential
from revintel.allocation._response_curve import PARAMETERS, ResponseCurve
from revintel.allocation._rules import AllocationRules, read_rules
from revintel.allocation._store_history import contact_history, history_years
from revintel.allocation._store_inputs import fit_history_curve, history_end
from revintel.store import Store

#: Weekly hours the table shows.
CURVE_LEVELS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)
POINT_COLUMNS = (
    "hours_per_week",
    "hours_per_year",
    "share_of_potential",
    "intake",
    "lift",
    "next_hour",
)


@dataclass(frozen=True)
class CurveReport:
    """The response curve of a store and the customer it is read for.

    Attributes
    ----------
    curve
        The fitted curve (hours a year → share of potential), with 95 % bootstrap intervals.
    as_of
        Last day of the history.
    customer_years
        Account-years it was fitted to.
    typical_potential
        Median estimated potential of those accounts (EUR a year): the customer of the table.
    weeks_per_year
        Weeks a weekly level is given in a year (the rules' ``weeks_per_year``).
    """

    curve: ResponseCurve
    as_of: date
    customer_years: int
    typical_potential: float
    weeks_per_year: float

    def points(self, levels: tuple[float, ...] = CURVE_LEVELS) -> pd.DataFrame:
        """Per weekly level: the yearly hours, the share of potential ordered, the intake of
        the typical customer, its lift over no contact and what the next hour a year adds."""
        weekly = np.asarray(levels, dtype=float)
        yearly = weekly * self.weeks_per_year
        share = np.asarray(self.curve.share(yearly), dtype=float)
        decay = np.exp(-yearly / self.curve.h_half)
        slope = (self.curve.s_max - self.curve.s0) * decay / self.curve.h_half
        frame = pd.DataFrame(
            {
                "hours_per_week": weekly,
                "hours_per_year": yearly,
                "share_of_potential": share,
                "intake": share * self.typical_potential,
                "lift": np.asarray(self.curve.lift(yearly), dtype=float) * self.typical_potential,
                "next_hour": slope * self.typical_potential,
            }
        )
        return frame[list(POINT_COLUMNS)]

    def parameters(self) -> pd.DataFrame:
        """``parameter``, ``value``, ``low``, ``high`` (95 % interval; empty without one)."""
        rows = []
        for name in PARAMETERS:
            low, high = self.curve.intervals.get(name, (np.nan, np.nan))
            rows.append((name, float(getattr(self.curve, name)), low, high))
        return pd.DataFrame(rows, columns=["parameter", "value", "low", "high"])


def response_curve_report(
    store: Store,
    as_of: date | datetime | str | None = None,
    *,
    rules: AllocationRules | None = None,
    bootstrap: int = 200,
) -> CurveReport:
    """The response curve :func:`plan_allocation` plans with, fitted to ``store``'s history
    with ``bootstrap`` resamples for the intervals.

    Raises
    ------
    AllocationInputError
        No sales activities, too little history, or none that can carry a curve.
    """
    rules = rules if rules is not None else read_rules()
    day = history_end(store, as_of)
    history_years(store, day)  # what is missing is said before the potential is fitted
    estimate = estimate_potential(store, day).by_account()
    history = contact_history(store, day, estimate[["account_id", "potential"]])
    curve = fit_history_curve(history, bootstrap=bootstrap)
    return curve_report_of(curve, history, day, rules)


def curve_report_of(
    curve: ResponseCurve, history: pd.DataFrame, as_of: date, rules: AllocationRules
) -> CurveReport:
    """The report of a ``curve`` fitted to ``history`` (the account-years of
    :func:`~revintel.allocation._store_history.contact_history`), e.g. that of
    :class:`~revintel.allocation.AllocationInputs`."""
    usable = history[history["potential"] > 0]
    typical = float(usable.groupby("account_id")["potential"].first().median())
    return CurveReport(curve, as_of, len(usable), typical, rules.weeks_per_year)
