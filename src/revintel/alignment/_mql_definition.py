"""A proposal for the MQL definition: the lowest lead-score threshold at which sales would have
accepted enough MQLs, and what it would have cost in later wins.

For each candidate threshold the leads that reached MQL are split into those still MQLs (score
at the MQL time at or above the threshold) and those excluded. The trade-off curve shows, per
threshold, the acceptance rate (MQL→SAL, of the decided MQLs kept), the share of MQLs kept, and
the wins and won amount of the excluded leads (lost with them). The threshold is *chosen* on the
earlier MQLs and *reported* on the later ones, which had no say in choosing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Acceptance rate the proposal keeps by default (the KPI catalogue's alert threshold).
TARGET_ACCEPTANCE = 0.5
#: Share of the scored MQLs (the latest ones) the proposal is reported on.
REPORT_SHARE = 1 / 3
#: Fewest decided MQLs a threshold must keep to be proposed.
MIN_DECIDED = 30
#: Up to this many distinct scores every one is a candidate; else the percentiles are.
MAX_DISTINCT = 100


class NoScoresError(ValueError):
    """No MQL carries a lead score from its MQL time."""


def candidate_thresholds(scores: pd.Series) -> list[float]:
    """0 and every distinct score, or the 1st to 99th percentile when there are many.

    Examples
    --------
    >>> candidate_thresholds(pd.Series([0.3, 0.1, 0.3]))
    [0.0, 0.1, 0.3]
    """
    values = pd.to_numeric(scores, errors="coerce").dropna().to_numpy(dtype=float)
    distinct = np.unique(values)
    if len(distinct) > MAX_DISTINCT:
        distinct = np.unique(np.quantile(values, np.arange(1, 100) / 100))
    return sorted({0.0, *(float(v) for v in distinct)})


def tradeoff_curve(leads: pd.DataFrame, thresholds: Sequence[float]) -> pd.DataFrame:
    """Per threshold: what keeping only the MQLs scored at or above it would have meant.

    Parameters
    ----------
    leads
        Scored MQLs: ``score``, ``decision`` (accepted, rejected, open), ``won`` and
        ``won_amount``.
    thresholds
        Candidate thresholds.

    Returns
    -------
    pandas.DataFrame
        ``threshold``, ``mqls_kept``, ``share_kept``, ``decided_kept``, ``accepted_kept``,
        ``acceptance`` (``NaN`` without decided MQLs), ``wins_kept``, ``wins_lost``,
        ``share_wins_lost``, ``won_amount_lost`` and ``share_amount_lost``.
    """
    score = leads["score"].to_numpy(dtype=float)
    accepted = (leads["decision"] == "accepted").to_numpy()
    decided = accepted | (leads["decision"] == "rejected").to_numpy()
    won = leads["won"].to_numpy(dtype=bool)
    amount = leads["won_amount"].to_numpy(dtype=float)
    total_wins, total_amount = int(won.sum()), float(amount[won].sum())
    rows = []
    for threshold in thresholds:
        kept = score >= threshold
        n_decided, n_accepted = int((kept & decided).sum()), int((kept & accepted).sum())
        lost = ~kept & won
        rows.append(
            {
                "threshold": float(threshold),
                "mqls_kept": int(kept.sum()),
                "share_kept": float(kept.mean()) if len(kept) else np.nan,
                "decided_kept": n_decided,
                "accepted_kept": n_accepted,
                "acceptance": n_accepted / n_decided if n_decided else np.nan,
                "wins_kept": int((kept & won).sum()),
                "wins_lost": int(lost.sum()),
                "share_wins_lost": lost.sum() / total_wins if total_wins else np.nan,
                "won_amount_lost": float(amount[lost].sum()),
                "share_amount_lost": amount[lost].sum() / total_amount if total_amount else np.nan,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class MqlProposal:
    """The proposed MQL threshold, chosen on earlier MQLs and reported on later ones.

    Attributes
    ----------
    target
        The acceptance rate to keep.
    threshold
        Lowest score threshold whose acceptance on the choosing period reaches ``target``
        (with at least :data:`MIN_DECIDED` decided MQLs kept); ``None`` when none does.
    chosen_from, chosen_to, reported_from, reported_to
        MQL times of the choosing and the reporting period (``reported_from`` is the split).
    curve
        :func:`tradeoff_curve` of both periods, with ``period`` (``chosen`` or ``reported``).
    open_reported
        MQLs of the reporting period not yet decided by sales: their wins are not known yet,
        so the wins lost there are a lower bound.
    unscored
        MQLs without a score at their MQL time (left out).
    """

    target: float
    threshold: float | None
    chosen_from: pd.Timestamp
    chosen_to: pd.Timestamp
    reported_from: pd.Timestamp
    reported_to: pd.Timestamp
    curve: pd.DataFrame
    open_reported: int
    unscored: int

    def at(self, period: str, threshold: float) -> dict[str, float]:
        """The curve's row of ``period`` at ``threshold``."""
        rows = self.curve[
            (self.curve["period"] == period) & np.isclose(self.curve["threshold"], threshold)
        ]
        return {str(k): float(v) for k, v in rows.iloc[0].items() if k != "period"}


def split_time(times: pd.Series, report_share: float = REPORT_SHARE) -> pd.Timestamp:
    """The MQL time from which the latest ``report_share`` of ``times`` begins."""
    ordered = pd.to_datetime(times).sort_values(ignore_index=True)
    return pd.Timestamp(ordered.iloc[int(len(ordered) * (1 - report_share))])


def propose_threshold(
    leads: pd.DataFrame,
    target: float = TARGET_ACCEPTANCE,
    *,
    split_at: pd.Timestamp | None = None,
    report_share: float = REPORT_SHARE,
    min_decided: int = MIN_DECIDED,
) -> MqlProposal:
    """Choose the lowest threshold keeping acceptance ≥ ``target`` on the MQLs before
    ``split_at`` (default: the latest ``report_share`` of scored MQLs are held out) and report it
    on the MQLs from ``split_at`` on.

    Raises
    ------
    NoScoresError
        No lead carries a score, or one of the periods holds no scored MQL.
    """
    if not 0 < target < 1:
        raise ValueError(f"the target acceptance must lie between 0 and 1, got {target}")
    scored = leads[leads["score"].notna()]
    if len(scored) < 2:
        raise NoScoresError(
            "no MQL has a lead score from its MQL time; train one (revintel score train leads)"
        )
    times = pd.to_datetime(scored["t_mql"])
    split = split_time(times, report_share) if split_at is None else pd.Timestamp(split_at)
    chosen, reported = scored[times < split], scored[times >= split]
    if chosen.empty or reported.empty:
        raise NoScoresError(f"the split at {split} leaves a period without scored MQLs")
    thresholds = candidate_thresholds(chosen["score"])
    curve_chosen = tradeoff_curve(chosen, thresholds)
    fits = curve_chosen[
        (curve_chosen["acceptance"] >= target) & (curve_chosen["decided_kept"] >= min_decided)
    ]
    threshold = float(fits["threshold"].min()) if len(fits) else None
    curve = pd.concat(
        [curve_chosen.assign(period="chosen"),
         tradeoff_curve(reported, thresholds).assign(period="reported")],
        ignore_index=True,
    )  # fmt: skip
    chosen_times, reported_times = (
        pd.to_datetime(chosen["t_mql"]),
        pd.to_datetime(reported["t_mql"]),
    )
    return MqlProposal(
        target=target,
        threshold=threshold,
        chosen_from=chosen_times.min(),
        chosen_to=chosen_times.max(),
        reported_from=split,
        reported_to=reported_times.max(),
        curve=curve,
        open_reported=int((reported["decision"] == "open").sum()),
        unscored=int(leads["score"].isna().sum()),
    )


def channel_rules(leads: pd.DataFrame) -> pd.DataFrame:
    """The simple rule "no MQLs from channel X", for every channel, on all MQLs: ``channel``,
    ``mqls``, ``acceptance`` (of the channel's decided MQLs), ``acceptance_without`` (of the
    rest), ``share_kept``, ``wins_lost`` and ``won_amount_lost``; lowest acceptance first."""
    accepted = leads["decision"] == "accepted"
    decided = accepted | (leads["decision"] == "rejected")
    rows = []
    channels = leads["channel"].astype(object).where(leads["channel"].notna(), "—")
    for channel in sorted(channels.unique(), key=str):
        inside = (channels == channel).to_numpy()
        rest_decided = int((decided & ~inside).sum())
        own_decided = int((decided & inside).sum())
        rows.append(
            {
                "channel": str(channel),
                "mqls": int(inside.sum()),
                "acceptance": (accepted & inside).sum() / own_decided if own_decided else np.nan,
                "acceptance_without": (
                    (accepted & ~inside).sum() / rest_decided if rest_decided else np.nan
                ),
                "share_kept": float((~inside).mean()),
                "wins_lost": int((leads["won"] & inside).sum()),
                "won_amount_lost": float(leads["won_amount"][inside & leads["won"]].sum()),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.sort_values(["acceptance", "channel"], ignore_index=True) if len(frame) else frame
