"""Links from a figure of the dashboard to the list of rows it was computed from: URLs of
:class:`revintel.views._drilldown.RowsLink` and charts whose bars open them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from revintel.forecast import OPEN
from revintel.views._drilldown import RowsLink, open_deals_by_period
from revintel.web._context import PageContext


def rows_url(link: RowsLink | None) -> str | None:
    """The list URL of ``link`` (filters with a value only), ``None`` without a link."""
    if link is None:
        return None
    kept = {k: v for k, v in link.params.items() if v not in (None, "")}
    return link.path + ("?" + urlencode(kept) if kept else "")


def list_url(path: str, **params: Any) -> str:
    """``path`` with the non-empty ``params`` (dates as ISO days) as query string."""
    kept = {k: str(v) for k, v in params.items() if v not in (None, "", False)}
    return path + ("?" + urlencode(kept) if kept else "")


@dataclass(frozen=True)
class LinkedChart:
    """A chart whose bars carry the URL of their rows (Plotly ``customdata``): ``/static/
    charts.js`` opens it on a click. ``links`` gives per trace name the URL of each bar, in the
    order of the trace's x values; the page lists the same links for keyboard users."""

    chart: Any
    links: Mapping[str, Sequence[str | None]]

    @property
    def chart_id(self) -> str:
        """The inner chart's id."""
        return str(self.chart.chart_id)

    def figure_json(self) -> str:
        """The inner chart's figure with ``customdata`` on the linked traces."""
        figure = json.loads(self.chart.figure_json())
        for trace in figure["data"]:
            urls = self.links.get(str(trace.get("name")))
            if urls is not None:
                trace["customdata"] = list(urls)
        return json.dumps(figure)

    def csv_text(self) -> str:
        """The inner chart's rows as CSV."""
        return str(self.chart.csv_text())


def link_open_pipeline(
    page: PageContext, charts: dict[str, Any], rows: list[dict[str, Any]]
) -> list[tuple[str, str | None, int]]:
    """Let the open-pipeline bars of the forecast's sources chart open the open deals expected
    to close in their period; (period, URL, deals) per period for the page's link list."""
    labels = tuple(r["period"] for r in rows if r["source"] == OPEN and r["group"] == "all")
    found = page.query(open_deals_by_period, labels)
    urls = [rows_url(p.rows) for p in found]
    chart = charts.get("forecast-sources")
    if chart is not None:
        charts["forecast-sources"] = LinkedChart(chart, {page.t(f"forecast.source.{OPEN}"): urls})
    return [(p.label, url, p.count) for p, url in zip(found, urls, strict=True)]
