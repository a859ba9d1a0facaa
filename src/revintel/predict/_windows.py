"""Out-of-time windows: training, validation and test periods separated by the horizon.

When the user gives no horizon or window lengths they are chosen from the data: the horizon
from the time the outcome took among the snapshots that reached it, the validation and test
windows as the shortest whole weeks holding enough conversions, training the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from revintel.predict._guards import check_minimum_data
from revintel.predict._sentences import Sentence, day_de

#: Conversions each of the training, validation and test windows must hold at least.
MIN_WINDOW_POSITIVES = 30
#: Share of all conversions each evaluation window aims to hold when the history allows it.
EVALUATION_SHARE = 0.15
#: Quantiles of the time to outcome tried as horizon, longest first.
HORIZON_QUANTILES = (0.9, 0.75, 0.5)
WEEK_DAYS = 7
MONTH_DAYS = 30


@dataclass(frozen=True)
class Windows:
    """Prediction times ``[train_from, train_to]``, ``[validation_from, validation_to]`` and
    ``[test_from, test_to]``, each window one horizon after the end of the previous one.

    A label is known one horizon after its prediction time, so every training label is known
    when the validation window begins, every validation label when the test window begins, and
    every test label by the as-of instant.
    """

    train_from: datetime
    train_to: datetime
    validation_from: datetime
    validation_to: datetime
    test_from: datetime
    test_to: datetime
    horizon_days: int

    def describe(self) -> Sentence:
        """One line naming the windows, e.g. for the registry's message."""

        def span(a: datetime, b: datetime) -> str:
            return f"{a:%Y-%m-%d}…{b:%Y-%m-%d}"

        def span_de(a: datetime, b: datetime) -> str:
            return f"{day_de(a)}–{day_de(b)}"

        return Sentence(
            f"horizon {self.horizon_days} days; train {span(self.train_from, self.train_to)}, "
            f"validation {span(self.validation_from, self.validation_to)}, "
            f"test {span(self.test_from, self.test_to)}",
            f"Horizont {self.horizon_days} Tage; Training "
            f"{span_de(self.train_from, self.train_to)}, Validierung "
            f"{span_de(self.validation_from, self.validation_to)}, Test "
            f"{span_de(self.test_from, self.test_to)}",
        )


def _windows(stamps: tuple[datetime | pd.Timestamp, ...], horizon_days: int) -> Windows:
    train_from, train_to, validation_from, validation_to, test_from, test_to = (
        pd.Timestamp(s).to_pydatetime() for s in stamps
    )
    return Windows(
        train_from, train_to, validation_from, validation_to, test_from, test_to, horizon_days
    )


def round_horizon(days: float) -> int:
    """Whole weeks up to four weeks, whole 30-day months above.

    Examples
    --------
    >>> round_horizon(3.2), round_horizon(15), round_horizon(55), round_horizon(162)
    (7, 21, 60, 180)
    """
    if days <= 4 * WEEK_DAYS:
        return max(WEEK_DAYS, WEEK_DAYS * math.ceil(days / WEEK_DAYS))
    return MONTH_DAYS * math.ceil(days / MONTH_DAYS)


def horizon_candidates(frame: pd.DataFrame) -> list[tuple[float, int]]:
    """(quantile, rounded days) of the time from ``at`` to ``outcome_at``, longest first."""
    delay = (pd.to_datetime(frame["outcome_at"]) - pd.to_datetime(frame["at"])).dropna()
    days = delay.dt.total_seconds().to_numpy() / 86_400
    if len(days) == 0:
        return []
    out: list[tuple[float, int]] = []
    for q in HORIZON_QUANTILES:
        rounded = round_horizon(float(np.quantile(days, q)))
        if rounded not in {d for _, d in out}:
            out.append((q, rounded))
    return out


def _last_known(at: pd.Series, as_of: datetime, horizon_days: int) -> pd.Timestamp:
    """End of the test window: the last prediction time whose label is known at ``as_of``."""
    return min(pd.Timestamp(as_of) - pd.Timedelta(days=horizon_days), at.max())


def _window_back(
    at: pd.Series, labels: np.ndarray, end: pd.Timestamp, need: int
) -> pd.Timestamp | None:
    """Start of the shortest whole-week window ending at ``end`` with ``need`` positives."""
    times = np.sort(at.to_numpy()[(labels == 1) & (at <= end).to_numpy()])[::-1]
    if len(times) < need:
        return None
    days = (end - pd.Timestamp(times[need - 1])) / pd.Timedelta(days=1)
    weeks = max(1, math.ceil(days / WEEK_DAYS))
    return end - pd.Timedelta(days=WEEK_DAYS * weeks)


def fit_windows(
    at: pd.Series, labels: np.ndarray, as_of: datetime, horizon_days: int, need: int
) -> Windows | None:
    """Validation and test windows with ``need`` positives each, or ``None`` if they do not fit
    (including when training keeps fewer positives than an evaluation window)."""
    gap = pd.Timedelta(days=horizon_days)
    test_to = _last_known(at, as_of, horizon_days)
    test_from = _window_back(at, labels, test_to, need)
    if test_from is None:
        return None
    validation_to = test_from - gap
    validation_from = _window_back(at, labels, validation_to, need)
    if validation_from is None:
        return None
    train_to = validation_from - gap
    if int(labels[(at <= train_to).to_numpy()].sum()) < max(need, MIN_WINDOW_POSITIVES):
        return None
    return _windows(
        (at.min(), train_to, validation_from, validation_to, test_from, test_to), horizon_days
    )


def plan_windows(
    first: datetime,
    as_of: datetime,
    horizon_days: int,
    test_days: int,
    validation_days: int | None = None,
    last: datetime | None = None,
) -> Windows:
    """Windows of given lengths ending at the last known label; ``ValueError`` if too short.

    The test window ends one horizon before ``as_of`` (or at ``last``, the latest prediction
    time, if earlier); the validation window (as long as the test window unless given) ends one
    horizon before the test window begins, and training one horizon before validation begins.
    """
    validation_days = test_days if validation_days is None else validation_days
    test_to = pd.Timestamp(as_of) - pd.Timedelta(days=horizon_days)
    if last is not None:
        test_to = min(test_to, pd.Timestamp(last))
    test_from = test_to - pd.Timedelta(days=test_days)
    validation_to = test_from - pd.Timedelta(days=horizon_days)
    validation_from = validation_to - pd.Timedelta(days=validation_days)
    train_to = validation_from - pd.Timedelta(days=horizon_days)
    if train_to <= pd.Timestamp(first):
        span = (pd.Timestamp(as_of) - pd.Timestamp(first)).days
        raise ValueError(
            f"the history covers {span} days; an out-of-time evaluation with a {horizon_days}-day "
            f"horizon, a {validation_days}-day validation and a {test_days}-day test period needs "
            f"more than {3 * horizon_days + validation_days + test_days} days (try smaller "
            "--horizon-days, --validation-days or --test-days, or leave them out to choose them "
            "from the data)"
        )
    return _windows(
        (first, train_to, validation_from, validation_to, test_from, test_to), horizon_days
    )


def labels_within(frame: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """1 where the outcome happened within ``horizon_days`` of ``at``."""
    outcome = pd.to_datetime(frame["outcome_at"])
    limit = pd.to_datetime(frame["at"]) + timedelta(days=horizon_days)
    return (outcome.notna() & (outcome <= limit)).to_numpy(dtype=int)


def _largest_windows(
    at: pd.Series, labels: np.ndarray, as_of: datetime, horizon_days: int, most: int
) -> tuple[int, Windows] | None:
    """The windows with the most positives per evaluation window, between the minimum and
    ``most``; larger evaluation windows leave less for training, so the search is a bisection."""
    low, high = MIN_WINDOW_POSITIVES, most
    best: tuple[int, Windows] | None = None
    while low <= high:
        need = (low + high) // 2
        windows = fit_windows(at, labels, as_of, horizon_days, need)
        if windows is None:
            high = need - 1
        else:
            best, low = (need, windows), need + 1
    return best


def _choice(quantile: float, need: int, windows: Windows) -> Sentence:
    given = math.isnan(quantile)
    horizon = (
        "given"
        if given
        else f"{round(quantile * 100)}th percentile of the days to the outcome, rounded up"
    )
    horizon_de = (
        "vorgegeben"
        if given
        else f"{round(quantile * 100)}. Perzentil der Tage bis zum Ergebnis, aufgerundet"
    )
    described = windows.describe()
    return Sentence(
        f"windows chosen from the data (horizon {horizon}; at least {need} conversions per "
        f"evaluation window): {described}",
        f"Fenster aus den Daten gewählt (Horizont {horizon_de}; mindestens {need} Konversionen "
        f"je Bewertungsfenster): {described.de}",
    )


def choose_windows(
    kind: str, frame: pd.DataFrame, as_of: datetime, horizon_days: int | None
) -> tuple[Windows, Sentence]:
    """Horizon and windows chosen from the data, and a sentence saying how.

    Tries the horizons of :func:`horizon_candidates` (or ``horizon_days`` if given), longest
    first, and keeps the first that leaves enough training rows for a learned model (else the
    first that fits at all). Each evaluation window holds as many conversions as
    possible between :data:`MIN_WINDOW_POSITIVES` and :data:`EVALUATION_SHARE` of all of them,
    with at least as many left for training. Raises ``ValueError`` naming the minimum
    data when no honest evaluation fits.
    """
    at = pd.to_datetime(frame["at"])
    candidates = (
        [(math.nan, horizon_days)] if horizon_days is not None else horizon_candidates(frame)
    )
    found = "no conversions at all"
    fitting: list[tuple[bool, Sentence, Windows]] = []
    for quantile, days in candidates:
        labels = labels_within(frame, days)
        known = (at <= _last_known(at, as_of, days)).to_numpy()
        total = int(labels[known].sum())
        share = max(MIN_WINDOW_POSITIVES, math.ceil(EVALUATION_SHARE * total))
        largest = _largest_windows(at, labels, as_of, days, share)
        if largest is not None:
            need, windows = largest
            train = (at <= windows.train_to).to_numpy()
            learnable = check_minimum_data(int(train.sum()), int(labels[train].sum())).enough
            fitting.append((learnable, _choice(quantile, need, windows), windows))
        span = (at[known].max() - at.min()).days if known.any() else 0
        found = f"{total:,} conversions within {days} days over {span} days"
    # A horizon leaving enough training rows for a learned model beats a longer one that does not.
    if fitting:
        _, how, windows = min(fitting, key=lambda f: not f[0])
        return windows, how
    shortest = candidates[-1][1] if candidates else 1
    raise ValueError(
        f"{kind}: an honest out-of-time evaluation needs at least {3 * MIN_WINDOW_POSITIVES} "
        f"conversions ({MIN_WINDOW_POSITIVES} in each of the training, validation and test "
        f"windows) over at least {2 * shortest + 3 * WEEK_DAYS} days of prediction times "
        f"(windows separated by the {shortest}-day horizon); found {found}"
    )
