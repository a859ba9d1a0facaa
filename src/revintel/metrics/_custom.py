"""Breakdowns and filters by custom fields: ``custom.<name>`` dimensions from ``custom_values``.

A KPI's rows reach a custom field through their own keys: an opportunity's fields through
``opportunity_id``, a lead's through ``lead_id``, an account's through ``account_id``. Text fields
group by their value, flags by ``true`` and ``false``; a record without a value groups as empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import ibis
import ibis.expr.types as ir

from revintel.metrics._catalogue import CUSTOM_PREFIX, is_custom_dimension
from revintel.metrics._query import MetricQueryError

TableOf = Callable[[str], ir.Table]
#: Field types a breakdown groups by (numbers and dates would give a group per value).
GROUPABLE = ("text", "flag")
#: The key of a KPI's rows that reaches a table's custom values, most specific first.
LINKS = (("opportunities", "opportunity_id"), ("leads", "lead_id"), ("accounts", "account_id"))


def custom_dimensions(table_of: TableOf) -> dict[str, dict[str, str]]:
    """Every declared custom field as a dimension: ``custom.<name>`` → {table: field type}."""
    t = table_of("custom_fields").select("table_name", "field_name", "field_type")
    found: dict[str, dict[str, str]] = {}
    for row in t.to_pyarrow().to_pylist():
        dim = CUSTOM_PREFIX + row["field_name"]
        found.setdefault(dim, {})[row["table_name"]] = row["field_type"]
    return found


def check_custom_dimensions(
    dims: tuple[str, ...], known: Mapping[str, Mapping[str, str]]
) -> str | None:
    """Why ``dims`` cannot be used (an unknown custom field, or one that does not group), or
    ``None`` when every custom dimension among them can."""
    for dim in (d for d in dims if is_custom_dimension(d)):
        tables = known.get(dim)
        if not tables:
            names = ", ".join(sorted(known)) or "none declared"
            return f"{dim}: no such custom field; known: {names}"
        if not any(kind in GROUPABLE for kind in tables.values()):
            kinds = " and ".join(sorted(set(tables.values())))
            return f"{dim}: a {kinds} field; breakdowns and filters take text and flag fields"
    return None


def _values(table_of: TableOf, table_name: str, dim: str) -> ir.Table:
    v = table_of("custom_values")
    v = v.filter(v.table_name == table_name, v.field_name == dim.removeprefix(CUSTOM_PREFIX))
    flag = ibis.cases((v.flag_value, "true"), (~v.flag_value, "false"), else_=None)
    return v.select(k__custom=v.record_id, **{dim: ibis.coalesce(v.text_value, flag)})


def with_custom_dimensions(table_of: TableOf, base: ir.Table, dims: tuple[str, ...]) -> ir.Table:
    """``base`` with one text column per custom dimension in ``dims``.

    Raises :class:`MetricQueryError` for an unknown field, a number or date field, or a field
    of a table the rows of ``base`` do not reach.
    """
    wanted = [d for d in dims if is_custom_dimension(d)]
    if not wanted:
        return base
    known = custom_dimensions(table_of)
    problem = check_custom_dimensions(tuple(wanted), known)
    if problem is not None:
        raise MetricQueryError(problem)
    table = base
    for dim in wanted:
        tables = {t for t, kind in known[dim].items() if kind in GROUPABLE}
        link = next(((t, c) for t, c in LINKS if t in tables and c in table.columns), None)
        if link is None:
            raise MetricQueryError(
                f"{dim}: a field of {', '.join(sorted(tables))}, which this KPI's rows do not reach"
            )
        right = _values(table_of, link[0], dim)
        table = table.left_join(right, table[link[1]] == right.k__custom).drop("k__custom")
    return table
