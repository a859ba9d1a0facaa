"""The effect of response time on acceptance: a logistic regression of whether sales accepted
an MQL (SAL) on the log of the hours to its first sales contact, controlling for segment
and for channel by MQL quarter (a channel's acceptance may shift in time, e.g. in a campaign's
dip). The response is
the first touch of the ``response_kinds`` of ``conf/sla.yaml`` after the MQL.

The model is ``logit P(accepted) = β · log(hours) + controls``, fitted by Newton–Raphson on the
MQLs that were contacted and decided on; β is the change of the log-odds per log-unit of
response hours, so each doubling of the response time multiplies the acceptance odds by
``2 ** β``. The interval is the Wald interval of β from the inverse Fisher information. No model
is chosen from the data (the controls are fixed), so no hold-out is needed for the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit, ndtri

from revintel.metrics import MetricSources
from revintel.metrics._sla_kpis import sla_leads
from revintel.metrics._sla_levels import SlaLevels, load_sla_levels

#: Responses below this many hours count as this (the log needs a positive value).
MIN_HOURS = 0.25
#: Controls, each as dummies: the segment, and channel and MQL quarter as one cell (a channel's
#: acceptance may shift at a point in time, e.g. when a campaign floods it with weaker leads).
CONTROLS = ("sla_segment", "channel_quarter")


@dataclass(frozen=True)
class ResponseEffect:
    """Estimated log-odds effect of log(response hours) on acceptance, with its interval."""

    coefficient: float
    std_error: float
    lower: float
    upper: float
    confidence: float
    leads: int
    accepted: int
    median_hours: float

    @property
    def doubling_change(self) -> float:
        """Relative change of the acceptance odds per doubling of the response time
        (−0.1 = odds 10 % lower)."""
        return float(2.0**self.coefficient - 1.0)


def response_frame(sources: MetricSources, levels: SlaLevels | None = None) -> pd.DataFrame:
    """One row per contacted and decided MQL: ``hours`` to first contact, ``accepted`` (0/1)
        and the controls ``channel``, ``sla_segment``, ``quarter`` (of the MQL) and their cell
    ``channel_quarter``."""
    levels = levels or load_sla_levels()
    answer = levels.model_copy(update={"contact_kinds": levels.response_kinds})
    t = sla_leads(sources, answer)
    t = t.filter(t.contact_hours.notnull() & t.decision.notnull())
    frame = t.select("channel", "sla_segment", "mql_at", "decision", "contact_hours").to_pandas()
    mql = pd.to_datetime(frame["mql_at"])
    return pd.DataFrame(
        {
            "hours": frame["contact_hours"].astype(float).clip(lower=MIN_HOURS),
            "accepted": (frame["decision"] == "accepted").astype(int),
            "channel": frame["channel"].fillna("unknown").astype(str),
            "sla_segment": frame["sla_segment"].fillna("unknown").astype(str),
            "quarter": (mql.dt.year.astype(str) + "Q" + mql.dt.quarter.astype(str)),
        }
    ).assign(channel_quarter=lambda f: f["channel"] + "/" + f["quarter"])


def design_matrix(frame: pd.DataFrame) -> np.ndarray:
    """Columns: log(hours) centred, an intercept, and dummies of each control (first level
    dropped)."""
    log_hours = np.log(frame["hours"].to_numpy(float))
    columns = [log_hours - log_hours.mean(), np.ones(len(frame))]
    for control in CONTROLS:
        dummies = pd.get_dummies(frame[control], drop_first=True, dtype=float)
        columns.extend(dummies.to_numpy().T)
    return np.column_stack(columns)


def fit_logistic(
    x: np.ndarray, y: np.ndarray, iterations: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood logistic coefficients and their covariance (inverse Fisher
    information), by Newton–Raphson with a tiny ridge against separated dummies.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.column_stack([rng.normal(size=20_000), np.ones(20_000)])
    >>> y = (rng.random(20_000) < expit(x @ np.array([-0.5, 0.3]))).astype(float)
    >>> beta, _ = fit_logistic(x, y)
    >>> bool(abs(beta[0] + 0.5) < 0.05)
    True
    """
    beta = np.zeros(x.shape[1])
    ridge = 1e-6 * np.eye(x.shape[1])
    info = x.T @ x * 0.25 + ridge
    for _ in range(iterations):
        p = expit(x @ beta)
        info = (x * (p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(info, x.T @ (y - p) - ridge @ beta)
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-8:
            break
    return beta, np.linalg.inv(info)


def estimate_response_effect(
    sources: MetricSources, levels: SlaLevels | None = None, confidence: float = 0.95
) -> ResponseEffect:
    """The acceptance effect of log(response hours) measured from ``sources``.

    Raises ``ValueError`` when fewer than 50 MQLs were contacted and decided on, or all of them
    ended alike.
    """
    frame = response_frame(sources, levels)
    y = frame["accepted"].to_numpy(float)
    if len(frame) < 50 or y.min() == y.max():
        raise ValueError(f"too few contacted and decided MQLs to measure ({len(frame)})")
    beta, cov = fit_logistic(design_matrix(frame), y)
    se = math.sqrt(float(cov[0, 0]))
    z = float(ndtri(0.5 + confidence / 2))
    b = float(beta[0])
    return ResponseEffect(
        coefficient=b,
        std_error=se,
        lower=b - z * se,
        upper=b + z * se,
        confidence=confidence,
        leads=len(frame),
        accepted=int(y.sum()),
        median_hours=float(frame["hours"].median()),
    )
