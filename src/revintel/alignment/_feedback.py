"""Why sales rejects marketing's leads: rejections and their reasons by channel, campaign and
lead attributes, with the groups whose rejection rate differs significantly from the rest.

A lead counts once it reached the MQL milestone. Sales *accepted* it when it reached SAL (or any
later milestone), *rejected* it when it was disqualified without reaching SAL; otherwise it is
still *open*. The rejection rate of a group is rejected / (accepted + rejected), the complement
of the MQL→SAL acceptance rate of the KPI catalogue. Rejections are read from the milestones
(``disqualified`` events and their ``reason``), so imported rejections and rejections made in
revintel count alike.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import pandas as pd

from revintel.alignment._feedback_stats import rate_table
from revintel.metrics import MetricSources

#: Breakdowns of the rejections.
FeedbackBy = Literal["channel", "campaign", "segment", "industry", "size", "score_band"]
FEEDBACK_BY: tuple[str, ...] = get_args(FeedbackBy)
#: The group of leads without a value of the breakdown.
NO_GROUP = "—"
#: The reason of rejections recorded without one.
NO_REASON = "—"
#: Company sizes by employees: lower bounds and names.
SIZE_BANDS = ((0, "1–49"), (50, "50–249"), (250, "250–999"), (1000, "1000+"))
#: Score bands: lower bounds (probabilities) of each band.
SCORE_BANDS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)
#: Milestones of the handover: the lead marketing qualified and the lead sales accepted.
MQL, SAL = "mql", "sal"


def mql_leads(sources: MetricSources, mql: str = MQL, sal: str = SAL) -> pd.DataFrame:
    """One row per lead that reached ``mql``, with its decision and what became of it.

    Returns
    -------
    pandas.DataFrame
        ``lead_id``, ``account_id``, ``rep_id``, ``channel``, ``campaign_id``,
        ``campaign`` (name), ``segment``, ``industry``, ``employees``, ``t_mql``,
        ``decision`` (accepted, rejected or open), ``decided_at``, ``reason`` (of a
        rejection), ``won`` (the journey was won), ``won_amount`` (store currency).
    """
    funnel = sources.funnel
    j = sources.journeys
    won_column = f"t_{funnel.won.id}"
    j = j.filter(j[f"t_{mql}"].notnull())
    frame = j.select(
        "lead_id", "account_id", "rep_id", "channel", "campaign_id", "t_disqualified", "reason",
        t_mql=j[f"t_{mql}"], t_sal=j[f"t_{sal}"], t_won=j[won_column],
    ).to_pandas()  # fmt: skip
    accepted = frame["t_sal"].notna()
    rejected = ~accepted & frame["t_disqualified"].notna()
    frame["decision"] = np.where(accepted, "accepted", np.where(rejected, "rejected", "open"))
    frame["decided_at"] = frame["t_sal"].where(accepted, frame["t_disqualified"].where(rejected))
    frame["reason"] = (
        frame["reason"].where(rejected).where(~rejected | frame["reason"].notna(), NO_REASON)
    )
    frame["won"] = frame["t_won"].notna()
    frame = frame.merge(_won_amounts(sources), on="lead_id", how="left")
    frame["won_amount"] = frame["won_amount"].fillna(0.0).where(frame["won"], 0.0)
    frame = frame.merge(_accounts(sources), on="account_id", how="left")
    frame = frame.merge(_campaigns(sources), on="campaign_id", how="left")
    columns = [
        "lead_id", "account_id", "rep_id", "channel", "campaign_id", "campaign", "segment",
        "industry", "employees", "t_mql", "decision", "decided_at", "reason", "won",
        "won_amount",
    ]  # fmt: skip
    return frame[columns].sort_values(["t_mql", "lead_id"], ignore_index=True)


def _won_amounts(sources: MetricSources) -> pd.DataFrame:
    opps = sources.table("opportunities")
    won = opps.filter((opps.status == "won") & opps.lead_id.notnull())
    out = won.group_by("lead_id").aggregate(won_amount=won.amount.sum()).to_pandas()
    return out.astype({"won_amount": float})


def _accounts(sources: MetricSources) -> pd.DataFrame:
    acc = sources.table("accounts")
    return acc.select("account_id", "segment", "industry", "employees").to_pandas()


def _campaigns(sources: MetricSources) -> pd.DataFrame:
    camps = sources.table("campaigns")
    return camps.select("campaign_id", campaign=camps.name).to_pandas()


def size_band(employees: pd.Series) -> pd.Series:
    """The company-size band of each employee count (:data:`SIZE_BANDS`); ``None`` if unknown.

    Examples
    --------
    >>> size_band(pd.Series([3, 50, 999, 5000])).tolist()
    ['1–49', '50–249', '250–999', '1000+']
    """
    values = pd.to_numeric(employees, errors="coerce").to_numpy(dtype=float)
    bounds = np.array([b for b, _ in SIZE_BANDS], dtype=float)
    names = np.array([n for _, n in SIZE_BANDS], dtype=object)
    index = np.clip(np.searchsorted(bounds, values, side="right") - 1, 0, len(names) - 1)
    return pd.Series(np.where(np.isnan(values), None, names[index]), index=employees.index)


def score_band(scores: pd.Series) -> pd.Series:
    """The score band of each probability, e.g. ``10–20 %``; ``None`` where unscored.

    Examples
    --------
    >>> score_band(pd.Series([0.01, 0.12, 0.7])).tolist()
    ['0–5 %', '10–20 %', '50–100 %']
    """
    values = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float)
    bounds = np.array(SCORE_BANDS)
    uppers = (*SCORE_BANDS[1:], 1.0)
    names = np.array(
        [
            f"{round(lo * 100)}–{round(hi * 100)} %"
            for lo, hi in zip(SCORE_BANDS, uppers, strict=True)
        ],
        dtype=object,
    )
    index = np.clip(np.searchsorted(bounds, values, side="right") - 1, 0, len(names) - 1)
    return pd.Series(np.where(np.isnan(values), None, names[index]), index=scores.index)


def group_values(leads: pd.DataFrame, by: str) -> pd.Series:
    """The value of breakdown ``by`` (one of :data:`FEEDBACK_BY`) for each lead; leads without
    one fall into :data:`NO_GROUP`. ``score_band`` needs a ``score`` column."""
    if by not in FEEDBACK_BY:
        raise ValueError(f"unknown breakdown {by!r}; choose one of {', '.join(FEEDBACK_BY)}")
    if by == "size":
        values = size_band(leads["employees"])
    elif by == "score_band":
        if "score" not in leads:
            raise ValueError(
                "the score bands need lead scores; train one: revintel score train leads"
            )
        values = score_band(leads["score"])
    elif by == "campaign":
        values = leads["campaign_id"]
    else:
        values = leads[by]
    return values.astype(object).where(values.notna(), NO_GROUP).astype(str)


def rejection_groups(leads: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rejections per group of breakdown ``by``, largest groups first.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``label`` (a campaign's name; else the group), ``mqls``, ``accepted``,
        ``rejected``, ``open``, ``decided``, ``rate``
        (rejection rate of the decided MQLs), ``rate_low``/``rate_high`` (95 % Wilson
        interval), ``p_value`` (against all other groups), ``p_adjusted`` (Holm),
        ``significant``, ``direction`` (``higher`` or ``lower`` than the rest, where
        significant) and ``top_reason``.
    """
    frame = leads.assign(group=group_values(leads, by))
    counts = pd.crosstab(frame["group"], frame["decision"])
    for decision in ("accepted", "rejected", "open"):
        if decision not in counts:
            counts[decision] = 0
    table = counts[["accepted", "rejected", "open"]].reset_index()
    table.columns.name = None
    table["mqls"] = table[["accepted", "rejected", "open"]].sum(axis=1)
    table["decided"] = table["accepted"] + table["rejected"]
    table = rate_table(table, "rejected", "decided")
    overall = table["rejected"].sum() / max(int(table["decided"].sum()), 1)
    table["direction"] = [
        ("higher" if rate > overall else "lower") if significant else None
        for rate, significant in zip(table["rate"], table["significant"], strict=True)
    ]
    table["top_reason"] = table["group"].map(_top_reasons(frame))
    table["label"] = table["group"]
    if by == "campaign" and "campaign" in frame:
        names = frame.dropna(subset=["campaign"]).drop_duplicates("group")
        table["label"] = table["group"].map(names.set_index("group")["campaign"])
        table["label"] = table["label"].where(table["label"].notna(), table["group"])
    columns = [
        "group", "label", "mqls", "accepted", "rejected", "open", "decided", "rate", "rate_low",
        "rate_high", "p_value", "p_adjusted", "significant", "direction", "top_reason",
    ]  # fmt: skip
    return table[columns].sort_values(["mqls", "group"], ascending=[False, True], ignore_index=True)


def _top_reasons(frame: pd.DataFrame) -> pd.Series:
    rejected = frame[frame["decision"] == "rejected"]
    if rejected.empty:
        return pd.Series(dtype=object)
    counts = rejected.groupby(["group", "reason"]).size().rename("n").reset_index()
    counts = counts.sort_values(["group", "n", "reason"], ascending=[True, False, True])
    return counts.drop_duplicates("group").set_index("group")["reason"]


def rejection_reasons(leads: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rejected MQLs per group of ``by`` and reason: ``group``, ``reason``, ``rejected`` and
    ``share`` (of the group's rejections), most frequent first within each group."""
    frame = leads.assign(group=group_values(leads, by))
    rejected = frame[frame["decision"] == "rejected"]
    counts = rejected.groupby(["group", "reason"]).size().rename("rejected").reset_index()
    totals = counts.groupby("group")["rejected"].transform("sum")
    counts["share"] = counts["rejected"] / totals
    return counts.sort_values(
        ["group", "rejected", "reason"], ascending=[True, False, True], ignore_index=True
    )
