"""Service levels for answering leads, per lead and per group.

Each MQL has two levels (``conf/sla.yaml``, see :mod:`revintel.metrics._sla_levels`): hours to
be accepted or rejected, and hours to a first sales contact. A level is ``met`` when the lead
was handled within it, ``breached`` when it was handled late or is still waiting past its due
time, and ``open`` while it is still waiting within it. Attainment is met ÷ (met + breached):
the share handled in time among the MQLs whose level is due.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from revintel.metrics import MetricSources
from revintel.metrics._sla_kpis import DUE_COLUMN, HOURS_COLUMN, sla_leads
from revintel.metrics._sla_levels import LEVELS, Level, SlaLevels, load_sla_levels

SlaGroup = Literal["segment", "channel", "rep", "team"]
#: Columns of :func:`sla_summary`.
SUMMARY_COLUMNS = (
    "level", "due", "met", "breached", "open", "attainment", "median_hours", "target_hours",
)  # fmt: skip
#: Columns of :func:`sla_breaches`.
BREACH_COLUMNS = (
    "lead_id", "level", "mql_at", "due_at", "waited_hours", "due_hours", "rep_id", "team",
    "segment", "channel",
)  # fmt: skip


def lead_status(sources: MetricSources, levels: SlaLevels | None = None) -> pd.DataFrame:
    """One row per MQL: ``lead_id``, ``rep_id``, ``team``, ``segment``, ``channel``,
    ``mql_at``, ``decided_at``, ``decision``, ``first_contact_at``, ``waited_hours`` and per
    level (``accept``, ``first_contact``) the hours taken (``<level>_hours``), allowed
    (``<level>_due_hours``), the due time (``<level>_due_at``) and ``<level>_status``."""
    levels = levels or load_sla_levels()
    frame = sla_leads(sources, levels).to_pandas().rename(columns={"sla_segment": "segment"})
    reps = sources.table("reps").select("rep_id", "team").to_pandas()
    frame = frame.merge(reps.drop_duplicates("rep_id"), on="rep_id", how="left")
    frame["mql_at"] = pd.to_datetime(frame["mql_at"])
    out = frame[["lead_id", "rep_id", "team", "segment", "channel", "mql_at", "decided_at",
                 "decision", "first_contact_at", "waited_hours"]].copy()  # fmt: skip
    for level in LEVELS:
        taken = frame[HOURS_COLUMN[level]].astype(float)
        allowed = frame[DUE_COLUMN[level]].astype(float)
        out[f"{level}_hours"] = taken
        out[f"{level}_due_hours"] = allowed
        out[f"{level}_due_at"] = frame["mql_at"] + pd.to_timedelta(allowed, unit="h")
        out[f"{level}_status"] = np.select(
            [
                taken.notna() & (taken <= allowed),
                taken.notna() | (frame["waited_hours"] >= allowed),
            ],
            ["met", "breached"],
            default="open",
        )
    return out


def sla_summary(status: pd.DataFrame, by: SlaGroup | None = None) -> pd.DataFrame:
    """Per level (and group of ``by``; ``rep`` is the ``rep_id``): MQLs due, met, breached
    and open, attainment (met ÷ due, null without any due), median hours taken and the median
    level in hours."""
    rows = []
    keys = [by] if by else []
    for level in LEVELS:
        frame = status.assign(_s=status[f"{level}_status"])
        if by == "rep":
            frame = frame.assign(rep=frame["rep_id"])
        parts = frame.groupby(keys, dropna=False) if keys else [((), frame)]
        for key, part in parts:
            met = int((part["_s"] == "met").sum())
            breached = int((part["_s"] == "breached").sum())
            due = met + breached
            row: dict[str, object] = {by: key[0] if isinstance(key, tuple) else key} if by else {}
            row.update(
                level=level,
                due=due,
                met=met,
                breached=breached,
                open=int((part["_s"] == "open").sum()),
                attainment=met / due if due else None,
                median_hours=_median(part[f"{level}_hours"]),
                target_hours=_median(part[f"{level}_due_hours"]),
            )
            rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, *SUMMARY_COLUMNS])


def _median(values: pd.Series) -> float | None:
    clean = values.dropna()
    return float(clean.median()) if len(clean) else None


def sla_breaches(
    status: pd.DataFrame, level: Level | None = None, within_days: float = 30.0
) -> pd.DataFrame:
    """MQLs still waiting past their due time (not handled yet), longest waiting first, among
    those that became MQL within ``within_days`` of the latest MQL's waiting clock (older
    leads waiting for months are no longer a matter of response)."""
    parts = []
    for lvl in [level] if level else LEVELS:
        waiting = status[(status[f"{lvl}_status"] == "breached") & status[f"{lvl}_hours"].isna()]
        waiting = waiting[waiting["waited_hours"] <= within_days * 24.0]
        parts.append(
            waiting.assign(
                level=lvl,
                due_at=waiting[f"{lvl}_due_at"],
                due_hours=waiting[f"{lvl}_due_hours"],
            )
        )
    out = pd.concat(parts, ignore_index=True) if parts else status.iloc[0:0]
    out = out.sort_values(["waited_hours", "lead_id"], ascending=[False, True])
    return out.reindex(columns=list(BREACH_COLUMNS)).reset_index(drop=True)
