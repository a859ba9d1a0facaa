"""How well estimated potentials hold: deciles of the estimate against the spend they bound.

A potential at the 80th percentile of comparable accounts' spend should be exceeded by about one
buyer in five, in every decile of the estimate; with a demo company's planted truth the table
also shows whether a higher estimate means a higher true potential.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from revintel.allocation._potential import PotentialEstimate

DECILES = 10


def _true_potentials(frame: pd.DataFrame, truth: Mapping[str, Mapping[str, float]]) -> np.ndarray:
    """The planted potential of each row of ``frame``; a ValueError names a missing pair."""
    values = np.empty(len(frame))
    for i, (account, family) in enumerate(zip(frame["account_id"], frame["family"], strict=True)):
        try:
            values[i] = float(truth[account][family])
        except KeyError:
            raise ValueError(
                f"the truth has no potential for account {account} in family {family}"
            ) from None
    return values


def calibration_table(
    result: PotentialEstimate,
    truth: Mapping[str, Mapping[str, float]] | None = None,
    *,
    buyers_only: bool = True,
) -> pd.DataFrame:
    """Deciles of the estimated potential with how often current spend exceeds it.

    Parameters
    ----------
    result
        Potentials from :func:`estimate_potential` or :func:`fit_potential`.
    truth
        Optional planted potentials, ``{account_id: {family: yearly potential}}`` (the demo
        company's truth under ``"allocation"`` → ``"potential"``).
    buyers_only
        Rows with current revenue only (the rows the quantile was fitted on, where the exceed
        share should be about 1 − quantile); False adds the prospects of each family.

    Returns
    -------
    pandas.DataFrame
        One row per decile (1 = lowest estimates): ``decile``, ``rows``, ``mean_estimate``,
        ``mean_current``, ``exceed_share`` (share of rows whose current revenue exceeds the
        cross-fitted estimate) and, with ``truth``, ``mean_true_potential``.
    """
    frame = result.frame
    if buyers_only:
        frame = frame[frame["current_revenue"] > 0]
    if len(frame) < DECILES:
        raise ValueError(f"{len(frame)} rows are too few for deciles of the potential")
    ranks = frame["estimate"].rank(method="first").to_numpy()
    decile = np.ceil(ranks * DECILES / len(frame)).astype(int)
    table = pd.DataFrame(
        {
            "decile": decile,
            "estimate": frame["estimate"].to_numpy(),
            "current": frame["current_revenue"].to_numpy(),
            "exceeds": (frame["current_revenue"] > frame["estimate"]).to_numpy(dtype=float),
        }
    )
    if truth is not None:
        table["true_potential"] = _true_potentials(frame, truth)
    grouped = table.groupby("decile", sort=True)
    out = pd.DataFrame(
        {
            "rows": grouped.size(),
            "mean_estimate": grouped["estimate"].mean(),
            "mean_current": grouped["current"].mean(),
            "exceed_share": grouped["exceeds"].mean(),
        }
    )
    if truth is not None:
        out["mean_true_potential"] = grouped["true_potential"].mean()
    return out.reset_index()


def exceed_share(result: PotentialEstimate) -> float:
    """Share of buying rows whose current revenue exceeds the cross-fitted estimate."""
    buyers = result.frame[result.frame["current_revenue"] > 0]
    if buyers.empty:
        raise ValueError("no account buys any family: nothing to compare the estimate with")
    return float((buyers["current_revenue"] > buyers["estimate"]).mean())
