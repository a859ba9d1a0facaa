"""Deals as rep matching sees them: who worked which deal, in which context, how far it got.

:func:`rep_deals` extends the pricing deal frame (:func:`revintel.pricing.deal_frame`: rep,
team, segment, industry, family, amounts, discount, status) by the origin ``channel`` of the
deal's lead, the cycle time of closed deals and ``depth``: how many steps of the opportunity
path (``opportunity_generated`` → … → ``won``) the deal has passed, read from the milestone log.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from revintel.metrics import MetricSources
from revintel.pricing import deal_frame
from revintel.store import Store

#: Label of a context value the store leaves empty.
UNKNOWN = "(unbekannt)"
#: Context columns the rep model adjusts for.
CONTEXT = ("segment", "industry", "family", "channel")


def opportunity_path(sources: MetricSources) -> tuple[str, ...]:
    """Milestones of the funnel path reached by opportunities, in order (``won`` not included)."""
    return tuple(m.id for m in sources.funnel.path if m.entity == "opportunity")


def rep_deals(store: Store, as_of: date | None = None) -> pd.DataFrame:
    """One row per opportunity created up to ``as_of`` (default: everything).

    Columns: those of :func:`revintel.pricing.deal_frame` plus ``channel``, ``cycle_days``
    (created → closed, closed deals only) and ``depth`` (steps passed along the opportunity path;
    the path's length for won deals, ``-1`` when the log does not tell).
    """
    sources = MetricSources.from_store(store)
    frame = deal_frame(sources, as_of)
    if frame.empty:
        return frame.assign(channel=pd.Series(dtype=str), cycle_days=[], depth=[])
    frame = frame.merge(_lead_channels(sources), on="opportunity_id", how="left")
    for column in (*CONTEXT, "team"):
        frame[column] = frame[column].fillna(UNKNOWN).astype(str).replace("", UNKNOWN)
    frame = frame[frame["rep_id"].notna()].reset_index(drop=True)
    closed = frame["status"].isin(["won", "lost"])
    days = (frame["closed_at"] - frame["created_at"]).dt.total_seconds() / 86_400.0
    frame["cycle_days"] = days.where(closed & (days >= 0))
    frame["depth"] = _depths(sources, frame, as_of)
    return frame


def _lead_channels(sources: MetricSources) -> pd.DataFrame:
    opps = sources.table("opportunities", amounts=False).select("opportunity_id", "lead_id")
    leads = sources.table("leads").select("lead_id", "channel")
    joined = opps.left_join(leads, "lead_id").select("opportunity_id", "channel")
    return joined.to_pandas().drop_duplicates("opportunity_id")


def _depths(sources: MetricSources, frame: pd.DataFrame, as_of: date | None) -> np.ndarray:
    """Steps passed: the rank of the deepest opportunity milestone reached (the log, else the
    deal's current stage), the full path for won deals, -1 when neither tells."""
    path = opportunity_path(sources)
    rank = {m: k for k, m in enumerate(path)}
    m = sources.table("milestones")
    events = m.filter((m.entity_type == "opportunity") & m.milestone.isin(list(path)))
    if as_of is not None:
        end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
        events = events.filter(events.occurred_at < end.to_pydatetime())
    log = events.select(opportunity_id=events.entity_id, milestone=events.milestone).to_pandas()
    log["rank"] = log["milestone"].map(rank)
    deepest = log.groupby("opportunity_id")["rank"].max()
    logged = frame["opportunity_id"].map(deepest)
    staged = frame["stage"].map(rank)
    depth = logged.fillna(staged).fillna(-1).to_numpy(dtype=int)
    return np.where(frame["status"].to_numpy() == "won", len(path), depth)
