"""Render the KPI catalogue as Markdown: ``docs/metrics.md`` is this function's output."""

from __future__ import annotations

from revintel.metrics._catalogue import AlertRule, KpiSpec, MetricCatalogue

_HEADER = """# KPI catalogue

<!-- Generated from src/revintel/conf/metrics.yaml by revintel.metrics.render_metrics_doc;
     edit the YAML, then regenerate with `python -m revintel.metrics docs/metrics.md`. -->

Every KPI revintel reports is declared once in `conf/metrics.yaml`, with its meaning in German
and English, its formula, unit, default grain and the direction that counts as good. A company
adds or overrides KPIs in its own file (`--metrics FILE`); entries with an existing id are merged
field by field. Terms are defined in the [glossary](glossary.md).

Breakdowns (`--by`): {dims}. Grains (`--grain`): week, month, quarter, year
or all. Filters: `--where DIM=VALUE[,VALUE…]` or `DIM!=VALUE`; date range: `--from/--to`;
`--compare` adds the previous period and the same period last year.

## Commands

```
revintel kpi --list                                   # the catalogue
revintel kpi lvr mqls --grain quarter --compare       # KPIs by period, with last period/year
revintel kpi win_rate --by segment --where region=Süd --from 2024-01-01 --to 2024-12-31 -f csv
revintel funnel                                       # per milestone: reached, conversion,
                                                      # P(won) with Wilson interval, default, days
revintel funnel --view report --grain month --by channel  # cohort × channel × milestone
revintel funnel --view cohort|period|probability|durations|stage|leakage --by channel
revintel alerts --lang de -f json                     # every alert with numbers and reason
revintel targets import targets.csv                   # order-intake targets for coverage
```

The same numbers come from Python (`revintel.metrics.evaluate_kpis`, `funnel_overview`,
`evaluate_alerts`) on any Ibis backend; a test compares every KPI on DuckDB and Spark.

## How entries are counted

- A **journey** is one lead's path through the funnel; an opportunity exported without its lead
  forms a journey of its own. A milestone is reached at its first event, and a later milestone
  proves the earlier ones: a lead won without a recorded SAL counts as accepted, at the time of
  the next milestone it reached. So counts never rise from one milestone to the next.
- The **as-of date** is the day of the last milestone event unless `--as-of` sets it. Rows of a
  period not finished by then carry `complete = false`; cohorts whose conversion window has not
  closed carry `mature = false` and may still rise.
- **Win probability** counts only mature leads (created at least `maturity_days` before the
  as-of date) and carries a Wilson interval (`lower`, `upper`) next to the funnel's `default`.
- Every result row has `value`, and where it is a ratio its `numerator` and `denominator`;
  `--compare` adds `previous`, `last_year` and `change`.
- On Spark, call `MetricSources.materialize()` before evaluating many KPIs so journeys are
  computed once.

## The maturity window

A lead needs time to be won or lost, so **win probabilities** count only leads created at least
`maturity_days` before the as-of date; younger leads would pull every probability down. The
funnel overview, `--view probability` and the KPIs `win_probability` and
`weighted_pipeline_measured` depend on it. For one run, `revintel funnel` and `revintel kpi` take
`--maturity-days N` instead of the setting; in Python the same is `MetricQuery(maturity_days=N)`,
passed to `funnel_view`, `funnel_overview`, `evaluate_kpis` or `evaluate_kpi`; in the REST API the
query parameter `maturity_days` of `/api/v1/kpis/values` and `/api/v1/funnel/{{view}}`.
`--maturity-days 0` counts every lead created before the as-of day.

Example: the public Olist marketing funnel has 8,000 MQLs (June 2017 to May 2018) and 842 closed
deals; its as-of date is the last deal, 14.11.2018, so the default window of 365 days keeps only
the MQLs of June to mid-November 2017. MQL→won per channel over all leads is

```
revintel import olist olist_marketing_qualified_leads_dataset.csv olist_closed_deals_dataset.csv
revintel funnel --by channel --maturity-days 0             # P(won) in the MQL row of each channel
revintel kpi win_probability --by channel --maturity-days 0 -f csv
```

and equals, per `origin` of the MQL file, the MQLs that appear in the deals file divided by all
MQLs of that origin (a test checks this against the CSV files):

| channel | MQLs | won | won / MQLs |
|---|---:|---:|---:|
| organic_search | 2,296 | 271 | 11.8 % |
| paid_search | 1,586 | 195 | 12.3 % |
| social | 1,350 | 75 | 5.6 % |
| none (`unknown` or empty) | 1,159 | 193 | 16.7 % |
| direct_traffic | 499 | 56 | 11.2 % |
| email | 493 | 15 | 3.0 % |
| referral | 284 | 24 | 8.5 % |
| other | 150 | 4 | 2.7 % |
| display | 118 | 6 | 5.1 % |
| other_publicities | 65 | 3 | 4.6 % |

## Orders, returns and net revenue

The KPIs of kind `order_revenue` read the `orders` table by order date (`ordered_at`). An order
whose `kind` is `return` is a return, cancellation or credit note (the `order_lines` preset marks
invoices starting with "C" and lines with a negative quantity so; see
[import-order-lines.md](import-order-lines.md)); it counts with its absolute amount, whatever sign
the source wrote. So `gross_revenue` (orders), `returns`, `net_revenue` = gross − returns and
`return_rate` = returns / gross are consistent in every period; `numerator` holds the number of
orders behind a value (for `returns` the returns, out of all orders and returns in
`denominator`, so a period without returns shows 0 of n). Orders of guests (placeholder
accounts) are included. The order-intake *forecast* of the overview and the report projects won
opportunities, not orders: returns do not enter it.

`average_order_value` is gross revenue / orders (`numerator` and `denominator`). Broken down by
`product_family`, the order KPIs read the net amounts of the order lines (`order_lines` →
`products.family`) instead of the order amounts, and an order counts once in each family it has
a line of: the families add up to the order totals when an order's lines add up to its amount.
`country` is the account's country.

## Customers and cohorts

A **customer** is an account with at least one order (returns left out); guests (placeholder
accounts) are not customers, though their orders count in the revenue KPIs. `active_customers`
ordered in the period; `new_customers` placed their first order ever (in all stored history, not
only the range asked for) in it; `returning_customers` had ordered before it, so active = new +
returning in every period and group; `repeat_purchase_rate` = returning / active. Broken down by
an order's `channel`, `rep` or `team`, a customer counts in each group it ordered through, and is
new there only when its first order ever lies in the period. `inter_purchase_days` (mean) and
`inter_purchase_days_median` measure the days between consecutive orders of one customer, in the
period of the later order (`numerator`: the number of gaps).

`cohort_retention` is a matrix in the long shape of every KPI: `period` is the cohort (the
period of the customers' first order), `step` the number of periods since (`+00`, `+01`, …; three
digits at grain week) and `value` = `numerator` (customers of the cohort ordering in that period)
/ `denominator` (customers of the cohort); `+00` is always 100 %. `--from/--to` select cohorts,
whose orders count to the end of the history; it breaks down by attributes of the customer only
and needs a grain other than `all`. `complete` refers to the cohort's period: the cell of the
latest period may still rise.

```
revintel kpi net_revenue average_order_value --by product_family --grain year
revintel kpi new_customers repeat_purchase_rate --grain quarter --by country
revintel kpi cohort_retention --grain month --from 2024-01-01 -f csv   # cohort × months since
```

## Breakdowns by custom fields

A source's own attributes, declared as custom fields in an import mapping (see "Custom fields" in
[import.md](import.md)), are dimensions named `custom.<field>`: `--by custom.last_activity`,
`--where custom.do_not_email=false` on the command line, the same in the `by` and `where`
parameters of `/api/v1/kpis/values` and `/api/v1/funnel/{{view}}`, and
`MetricQuery(by=("custom.last_activity",))` in Python. Text fields group by their value, flag
fields by `true` and `false`; a record without a value forms the empty group. Number and date
fields do not break down (every value would be a group) and are refused with a message, as is an
unknown field; the API answers 400 naming `by` or `where`. A KPI reaches the custom fields of the
records its rows belong to: funnel KPIs those of leads and of the lead's account, pipeline KPIs
(`win_rate`, `sales_cycle`, pipeline and velocity) also those of opportunities, order KPIs those
of accounts; `pipeline_coverage` compares with targets per team, rep and segment only. The
breakdown uses each record's current value (the latest import); the scores use the value known at
each prediction time (see [scoring.md](scoring.md)).

## Settings

| setting | value | meaning |
|---|---|---|
| `maturity_days` | {maturity} | leads count as mature this many days after creation |
| `conversion_window_days` | {window} | cohort conversion counts later milestones within it |
| `confidence` | {confidence} | level of the Wilson intervals around measured probabilities |

## Overview

| id | Deutsch | English | unit | grain | good |
|---|---|---|---|---|---|
"""

_ALERTS = {
    "below_threshold": "fires when the value of a complete period in the last {lookback} "
    "falls under {threshold} (at least {min_count} decided entries)",
    "negative_streak": "fires when the value is negative in each of the last {periods} "
    "complete periods",
    "conversion_drop": "fires when the latest mature cohort converts worse than the pooled "
    "{trailing} cohorts before it, by a one-sided two-proportion z-test at α = {alpha} "
    "(at least {min_count} entries)",
    "stalled": "fires when open entries have spent longer in their stage than the "
    "{quantile_pct} % quantile of completed stays in that stage in their segment "
    "(at least {min_count} per group)",
    "discount_drift": "fires when the won deals' discounts of the last complete period lie above "
    "those of the {trailing} periods before it, by a one-sided Welch t-test with Holm's "
    "correction over all groups tested at α = {alpha} (at least {min_count} deals in each)",
    "sla_breach": "fires when the share of MQLs of the last complete period handled within "
    "their service level (conf/sla.yaml) is under {threshold_or_default}, listing the leads "
    "that missed it with their hours waited and rep (at least {min_count} MQLs due)",
}


def _alert_text(alert: AlertRule) -> str:
    text = _ALERTS[alert.rule].format(
        lookback=f"{alert.lookback_periods} period(s)",
        threshold=alert.threshold,
        threshold_or_default=alert.threshold or "the `alert_threshold` of conf/sla.yaml",
        min_count=alert.min_count,
        periods=alert.periods,
        trailing=alert.trailing_periods,
        alpha=alert.alpha,
        quantile_pct=round(alert.quantile * 100),
    )
    where = f"; evaluated overall and by {', '.join(alert.by)}" if alert.by else ""
    grain = f" at grain {alert.grain}" if alert.grain else ""
    return f"`{alert.rule}`: {text}{grain}{where}."


def _section(spec: KpiSpec) -> str:
    params = spec.params.model_dump(mode="json") if hasattr(spec.params, "model_dump") else {}
    lines = [
        f"### `{spec.id}` — {spec.name.en}",
        "",
        f"**{spec.name.de}.** {spec.definition.de}",
        "",
        f"**{spec.name.en}.** {spec.definition.en}",
        "",
        f"- formula: `{spec.formula}`",
        f"- kind: `{spec.kind}`"
        + (f" with {', '.join(f'`{k}` = `{v}`' for k, v in params.items())}" if params else ""),
        f"- unit: {spec.unit}; grain: {spec.grain}; good direction: {spec.good_direction}",
        f"- dimensions: {', '.join(spec.dimensions)}",
    ]
    if spec.alert is not None:
        lines.append(f"- alert: {_alert_text(spec.alert)}")
    return "\n".join(lines)


def render_metrics_doc(catalogue: MetricCatalogue) -> str:
    """The Markdown reference of ``catalogue`` (the content of ``docs/metrics.md``)."""
    s = catalogue.settings
    head = _HEADER.format(
        dims=", ".join(catalogue.kpis[0].dimensions) if catalogue.kpis else "",
        maturity=s.maturity_days,
        window=s.conversion_window_days,
        confidence=s.confidence,
    )
    rows = [
        f"| `{k.id}` | {k.name.de} | {k.name.en} | {k.unit} | {k.grain} | {k.good_direction} |"
        for k in catalogue.kpis
    ]
    sections = [_section(k) for k in catalogue.kpis]
    return head + "\n".join(rows) + "\n\n## KPIs\n\n" + "\n\n".join(sections) + "\n"
