"""What every KPI computation receives, and the helpers they share to group by period and dims."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, pairwise

import ibis
import ibis.expr.types as ir

from revintel.metrics._catalogue import Grain, KpiSettings, KpiSpec, Steps
from revintel.metrics._query import MetricQuery, in_range, period_columns
from revintel.metrics._sources import MetricSources, prepared


@dataclass(frozen=True)
class KpiContext:
    """One KPI to compile: its spec, the query, the effective grain and the catalogue settings."""

    sources: MetricSources
    spec: KpiSpec
    query: MetricQuery
    grain: Grain
    settings: KpiSettings

    @property
    def window_days(self) -> int:
        """Conversion window of this KPI: its own ``window_days`` or the catalogue's."""
        own = getattr(self.spec.params, "window_days", None)
        return int(own or self.settings.conversion_window_days)

    @property
    def by(self) -> list[str]:
        """Breakdown columns."""
        return list(self.query.by)

    def rows(self, base: ir.Table) -> ir.Table:
        """``base`` with the query's dimensions and filters applied."""
        return prepared(self.sources, base, self.query)

    def keyed(self, table: ir.Table, ts: ir.TimestampValue) -> ir.Table:
        """Rows of ``table`` with ``ts`` set and in range, plus ``period`` columns of ``ts``."""
        keep = ts.notnull() & in_range(ts, self.query)
        return table.filter(keep).mutate(**period_columns(ts, self.grain))

    def group_keys(self, *extra: str) -> list[str]:
        """Grouping keys: period columns (unless grain ``all``), breakdowns, then ``extra``."""
        period = [] if self.grain == "all" else ["period", "period_index"]
        return [*period, *self.by, *extra]


def milestone_pairs(
    sources: MetricSources, steps: Steps | tuple[str, ...]
) -> list[tuple[str, str]]:
    """Milestone pairs (A, B) of the funnel path ending in ``won``, as selected by ``steps``."""
    chain = (*sources.funnel.path_ids, sources.funnel.won.id)
    if isinstance(steps, tuple):
        return [(a, b) for a, _, b in (step.partition("->") for step in steps)]
    if steps == "consecutive":
        return list(pairwise(chain))
    if steps == "to_won":
        return [(a, chain[-1]) for a in chain[:-1]]
    return list(combinations(chain, 2))


def indicator(flag: ir.BooleanValue) -> ir.IntegerValue:
    """1 where ``flag`` is true, 0 where false, null where null (to sum; a cast from boolean to
    a 64-bit integer is not valid SQL on every engine)."""
    return ibis.cases((flag, 1), (~flag, 0)).cast("int64")


def ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """``numerator / denominator`` as float, null when the denominator is zero."""
    den = denominator.cast("float64")
    return ibis.ifelse(den == 0, ibis.null().cast("float64"), numerator.cast("float64") / den)


def grouped(table: ir.Table, keys: list[str]) -> ir.Table | ir.GroupedTable:
    """``table`` grouped by ``keys``; the table itself when there are none (one total row)."""
    return table.group_by(keys) if keys else table


def union_all(tables: list[ir.Table]) -> ir.Table:
    """Stack tables with identical columns."""
    result = tables[0]
    for other in tables[1:]:
        result = result.union(other, distinct=False)
    return result
