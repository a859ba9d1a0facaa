"""What a metric is asked for: grain, breakdown, date range and filters, plus period arithmetic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from revintel.metrics._catalogue import QUERY_DIMENSIONS, Grain, is_custom_dimension

_UNIT = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}

#: Periods per year, used to find "the same period last year" (weeks: 52).
PERIODS_PER_YEAR = {"week": 52, "month": 12, "quarter": 4, "year": 1}

#: The dimensions a query may name, for messages.
_KNOWN = ", ".join(QUERY_DIMENSIONS)
_FILTER = re.compile(r"^\s*([a-z_][a-z0-9_.]*)\s*(!=|=)\s*(.*?)\s*$")


class MetricQueryError(ValueError):
    """A breakdown, filter or date range cannot be understood."""


@dataclass(frozen=True)
class Filter:
    """Keep rows whose ``dimension`` is (``=``) or is not (``!=``) one of ``values``."""

    dimension: str
    values: tuple[str, ...]
    negate: bool = False

    def apply(self, table: ir.Table) -> ir.Table:
        """``table`` restricted by this filter (the column ``dimension`` must exist)."""
        keep = table[self.dimension].isin(list(self.values))
        return table.filter(~keep if self.negate else keep)


def parse_filter(text: str) -> Filter:
    """Parse ``dimension=value[,value…]`` or ``dimension!=value[,value…]``.

    ``dimension`` is a known dimension or a custom field (``custom.<field name>``).

    Examples
    --------
    >>> parse_filter("segment=Enterprise,Mittelstand")
    Filter(dimension='segment', values=('Enterprise', 'Mittelstand'), negate=False)
    """
    match = _FILTER.match(text)
    if not match:
        raise MetricQueryError(f"--where {text!r}: expected DIMENSION=VALUE or DIMENSION!=VALUE")
    dimension, op, raw = match.groups()
    if dimension not in QUERY_DIMENSIONS and not is_custom_dimension(dimension):
        raise MetricQueryError(
            f"--where {text!r}: unknown dimension {dimension!r}; known: {_KNOWN} and custom.<field>"
        )
    values = tuple(v.strip() for v in raw.split(",") if v.strip())
    if not values:
        raise MetricQueryError(f"--where {text!r}: no value given")
    return Filter(dimension, values, negate=op == "!=")


@dataclass(frozen=True)
class MetricQuery:
    """Grain, breakdown dimensions, half-open date range ``[start, end)``, filters and maturity.

    ``grain=None`` uses each KPI's own grain; ``compare`` adds the previous period and the same
    period last year. ``maturity_days`` overrides the catalogue's ``maturity_days`` setting for
    this query: win probabilities then count the leads created at least that many days before
    the as-of date (``0``: every lead created before the as-of day).
    """

    grain: Grain | None = None
    by: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    where: tuple[Filter, ...] = ()
    compare: bool = False
    maturity_days: int | None = None

    def __post_init__(self) -> None:
        # A dimension named twice is one breakdown (``--by rep --by rep``).
        object.__setattr__(self, "by", tuple(dict.fromkeys(self.by)))
        unknown = [d for d in self.by if d not in QUERY_DIMENSIONS and not is_custom_dimension(d)]
        if unknown:
            raise MetricQueryError(
                f"--by {', '.join(unknown)}: unknown dimension; known: {_KNOWN} and custom.<field>"
            )
        if self.start and self.end and self.start >= self.end:
            raise MetricQueryError(f"--from {self.start} is not before --to {self.end}")
        if self.maturity_days is not None and self.maturity_days < 0:
            raise MetricQueryError(f"--maturity-days {self.maturity_days}: must not be negative")

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Dimensions the query needs: breakdowns and filtered ones."""
        return tuple(dict.fromkeys((*self.by, *(f.dimension for f in self.where))))


def period_start(ts: ir.TimestampValue, grain: Grain) -> ir.DateValue:
    """First day of the ``grain`` period containing ``ts``."""
    return ts.truncate(_UNIT[grain]).cast("date")


def period_index(ts: ir.TimestampValue, grain: Grain) -> ir.IntegerValue:
    """Consecutive integer per period, so that the previous period is ``index - 1``."""
    if grain == "month":
        return ts.year() * 12 + ts.month() - 1
    if grain == "quarter":
        return ts.year() * 4 + ts.quarter() - 1
    if grain == "year":
        return ts.year()
    # ISO weeks start on Monday; epoch day 0 was a Thursday, hence the 3-day shift.
    monday = ts.truncate("W").epoch_seconds()
    return ((monday + 3 * 86_400) / 604_800).floor().cast("int64")


def period_columns(ts: ir.TimestampValue, grain: Grain) -> dict[str, ir.Value]:
    """``period`` and ``period_index`` columns for ``ts`` (none for grain ``all``)."""
    if grain == "all":
        return {}
    return {"period": period_start(ts, grain), "period_index": period_index(ts, grain)}


def in_range(ts: ir.TimestampValue, query: MetricQuery) -> ir.BooleanValue:
    """Whether ``ts`` lies in the query's date range (always true without one)."""
    cond: ir.BooleanValue = ibis.literal(True)
    if query.start is not None:
        cond = cond & (ts >= ibis.timestamp(query.start.isoformat()))
    if query.end is not None:
        cond = cond & (ts < ibis.timestamp(query.end.isoformat()))
    return cond


def period_overlaps(period: ir.DateValue, query: MetricQuery, grain: Grain) -> ir.BooleanValue:
    """Whether the period starting at ``period`` overlaps the query's date range."""
    cond: ir.BooleanValue = ibis.literal(True)
    if query.start is not None and grain != "all":
        first = period_start(ibis.timestamp(query.start.isoformat()), grain)
        cond = cond & (period >= first)
    if query.end is not None:
        cond = cond & (period < ibis.date(query.end.isoformat()))
    return cond


def days_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """Days from ``start`` to ``end`` as a float, at whole-second resolution.

    Spark's epoch seconds drop fractions while DuckDB keeps them; flooring both agrees.
    """
    seconds = end.epoch_seconds().floor() - start.epoch_seconds().floor()
    return seconds.cast("float64") / 86_400.0
