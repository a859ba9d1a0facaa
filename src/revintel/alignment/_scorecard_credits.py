"""The scorecard's targets against actuals and the contribution of marketing and of sales per
milestone, read from the stored targets and attribution credits."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

import ibis
import pandas as pd

from revintel.alignment._scorecard_config import ContributionSettings
from revintel.alignment._scorecard_parts import ContributionLine, TargetLine, TargetOwner
from revintel.attribution import BASELINE
from revintel.metrics import MetricSources, target_attainment
from revintel.metrics._query import MetricQueryError

Side = Literal["marketing", "sales"]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _owner(row: dict[str, object]) -> TargetOwner:
    if _text(row["rep_id"]):
        return "person"
    if _text(row["team"]):
        return "team"
    return "segment" if _text(row["segment"]) else "company"


def target_lines(sources: MetricSources, period: tuple[date, date]) -> tuple[TargetLine, ...]:
    """Every target of ``period`` next to its actual (see
    :func:`revintel.metrics.target_attainment`): company first, then teams, then persons."""
    frame = target_attainment(sources, *period)
    if frame.empty:
        return ()
    frame = frame[(frame["period_start"] >= period[0]) & (frame["period_end"] <= period[1])]
    reps = sources.table("reps").select("rep_id", "name").to_pandas()
    names = {str(r): n for r, n in zip(reps["rep_id"], reps["name"], strict=True)}
    order = {"company": 0, "team": 1, "person": 2, "segment": 3}
    lines = []
    for row in frame.to_dict("records"):
        target, actual = float(row["target"]), float(row["actual"])
        rep = _text(row["rep_id"])
        lines.append(
            TargetLine(
                target_id=str(row["target_id"]),
                owner=_owner(row),
                measure=str(row["measure"]),
                team=_text(row["team"]),
                rep_id=rep,
                rep_name=_text(names.get(rep)) if rep else None,
                segment=_text(row["segment"]),
                period_start=row["period_start"],
                period_end=row["period_end"],
                target=target,
                actual=actual,
                attainment=actual / target if target > 0 and math.isfinite(actual) else None,
            )
        )
    key = [(order[x.owner], x.measure, x.team or "", x.rep_name or x.rep_id or "") for x in lines]
    return tuple(line for _, line in sorted(zip(key, lines, strict=True), key=lambda p: p[0]))


def channel_sides(
    sources: MetricSources, settings: ContributionSettings, channels: list[str]
) -> dict[str, Side]:
    """The side of each of ``channels``: as the settings list it, else sales when most of the
    channel's touches are of the settings' sales kinds, else marketing."""
    sides: dict[str, Side] = {}
    unlisted = []
    for channel in channels:
        side = settings.side_of(channel)
        if side is None:
            unlisted.append(channel)
        else:
            sides[channel] = side
    if unlisted:
        t = sources.table("touchpoints", amounts=False)
        t = t.filter(t.channel.isin(unlisted))
        counts = (
            t.group_by("channel")
            .aggregate(n=t.count(), sales=t.kind.isin(settings.sales_kinds).sum())
            .to_pandas()
        )
        found = {str(c): 2 * s > n for c, n, s in counts.itertuples(index=False)}
        for channel in unlisted:
            sides[channel] = "sales" if found.get(channel, False) else "marketing"
    return sides


def contribution_lines(
    sources: MetricSources, settings: ContributionSettings, month: date
) -> tuple[bool, tuple[ContributionLine, ...]]:
    """Whether credits of the settings' model and level are stored at all, and per milestone
    credited in ``month`` (funnel order) its conversions split into marketing, sales and
    unattributed."""
    try:
        credits = sources.table("attribution_credits")
    except MetricQueryError:
        return False, ()
    mine = credits.filter((credits.model == settings.model) & (credits.level == settings.level))
    if int(mine.count().execute()) == 0:
        return False, ()
    month_rows = mine.filter(mine.period == ibis.date(month.isoformat()))
    frame = (
        month_rows.group_by(["milestone", "channel"])
        .aggregate(conversions=month_rows.conversions.sum())
        .to_pandas()
    )
    credited = [c for c in frame["channel"].astype(str).unique() if c != BASELINE]
    sides = channel_sides(sources, settings, sorted(credited))
    frame["side"] = [
        "unattributed" if c == BASELINE else sides[str(c)] for c in frame["channel"].astype(str)
    ]
    funnel = sources.funnel
    lines = []
    for milestone in funnel.ids:
        part = frame[frame["milestone"] == milestone]
        if part.empty:
            continue
        by_side = part.groupby("side")["conversions"].sum()
        label = funnel.get(milestone).label
        lines.append(
            ContributionLine(
                milestone=milestone,
                label_de=label.de,
                label_en=label.en,
                conversions=float(pd.to_numeric(part["conversions"]).sum()),
                marketing=float(by_side.get("marketing", 0.0)),
                sales=float(by_side.get("sales", 0.0)),
                unattributed=float(by_side.get("unattributed", 0.0)),
            )
        )
    return True, tuple(lines)
