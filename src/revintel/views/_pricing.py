"""Pricing as the dashboard and the analytics API show it: the price waterfall, price bands with
the deals in them, the price-response curve, leakage and the discount KPIs, for one user.

Deals, order lines and leakage are the user's (a sales rep's own, a manager's team's); the bands
and the price response are facts of the company-wide model and the same for everyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from revintel.auth import Permission, User
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue
from revintel.pricing._deals import deal_frame
from revintel.pricing._leakage import discount_outliers
from revintel.pricing._waterfall import waterfall
from revintel.store import Store
from revintel.views._analytics import KpiTile, metric_sources

#: The discount-discipline KPIs shown as tiles (those the catalogue holds).
PRICING_KPIS = ("average_discount", "pocket_margin_rate", "share_below_floor", "price_realisation")
#: Groups the leakage tables break the order lines down by.
LEAKAGE_LEVELS = ("segment", "rep", "family")
#: Whose discounts are compared with their peers'.
OUTLIER_LEVELS = ("account", "rep")
#: The group of lines without a value of the breakdown.
NO_GROUP = "—"
#: System tables pricing reads beside the model tables: off-invoice terms and stored bands.
PRICING_TABLES = ("price_terms", "price_bands", "price_band_deals")


class PricingRequestError(ValueError):
    """A pricing view was asked for with a value it does not know; ``field`` names the
    parameter at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PricingFilter:
    """Which deals and order lines a view covers: an account segment, a product family and a
    calendar year (each optional)."""

    segment: str | None = None
    family: str | None = None
    period: str | None = None

    def params(self) -> dict[str, str | None]:
        """The fields as query parameters."""
        return {"segment": self.segment, "family": self.family, "period": self.period}

    def where(self) -> dict[str, str]:
        """The filter of :func:`revintel.pricing._waterfall.waterfall`."""
        where = {"segment": self.segment, "family": self.family}
        span = self.years()
        found = {k: v for k, v in where.items() if v}
        return found | ({"year": span[0].date().isoformat()} if span else {})

    def years(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """Start and end (exclusive) of the chosen year; ``None`` for every period."""
        if self.period is None:
            return None
        if not (self.period.isdigit() and len(self.period) == 4):
            raise PricingRequestError(
                f"period {self.period!r} is not a year such as 2025", "period"
            )
        start = pd.Timestamp(int(self.period), 1, 1)
        return start, start + pd.DateOffset(years=1)


def pricing_sources(store: Store, user: User) -> MetricSources:
    """The model tables ``user`` sees, with the company's price terms and stored bands (the
    order lines they apply to are the user's)."""
    seen = metric_sources(store, user)
    tables = {**seen.tables, **{name: store.table(name) for name in PRICING_TABLES}}
    return MetricSources(tables, seen.funnel, seen.as_of, seen.currency)


def pricing_deals(store: Store, user: User) -> pd.DataFrame:
    """The deal frame (:func:`revintel.pricing._deals.deal_frame`) of the deals ``user`` sees."""
    return deal_frame(pricing_sources(store, user))


def filtered_deals(deals: pd.DataFrame, focus: PricingFilter) -> pd.DataFrame:
    """The deals of ``focus``: its segment, family and year (closed in it, or created in it
    while still open)."""
    kept = deals
    if focus.segment:
        kept = kept[kept["segment"] == focus.segment]
    if focus.family:
        kept = kept[kept["family"] == focus.family]
    span = focus.years()
    if span is not None:
        at = kept["closed_at"].where(kept["closed_at"].notna(), kept["created_at"])
        kept = kept[(at >= span[0]) & (at < span[1])]
    return kept


@dataclass(frozen=True)
class PricingOptions:
    """The values the page's selectors offer."""

    segments: tuple[str, ...]
    families: tuple[str, ...]
    periods: tuple[str, ...]


def options_of(deals: pd.DataFrame) -> PricingOptions:
    """Account segments, product families and years of ``deals`` (a deal frame)."""
    closed, created = pd.to_datetime(deals["closed_at"]), pd.to_datetime(deals["created_at"])
    at = closed.where(closed.notna(), created).dropna()
    return PricingOptions(
        segments=tuple(sorted(deals["segment"].dropna().astype(str).unique())),
        families=tuple(sorted(f for f in deals["family"].dropna().astype(str).unique() if f)),
        periods=tuple(str(y) for y in sorted(at.dt.year.unique(), reverse=True)),
    )


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def pricing_tiles(store: Store, user: User) -> list[KpiTile]:
    """The discount KPIs of :data:`PRICING_KPIS` on the rows ``user`` sees: each one's latest
    complete period and the one before."""
    catalogue = load_catalogue()
    sources = pricing_sources(store, user)
    tiles = []
    for kpi in PRICING_KPIS:
        if kpi not in catalogue.ids:
            continue
        spec = catalogue.get(kpi)
        frame = evaluate_kpi(sources, spec, MetricQuery(), catalogue.settings)
        if "complete" in frame.columns:
            frame = frame[frame["complete"].fillna(False).astype(bool)]
        values = frame["value"].tolist()[-2:] if not frame.empty else []
        period = frame["period"].iloc[-1] if not frame.empty else None
        tiles.append(
            KpiTile(
                kpi=kpi,
                label_de=spec.label("de"),
                label_en=spec.label("en"),
                unit=spec.unit,
                good_direction=spec.good_direction,
                period=None if period is None else date.fromisoformat(str(period)[:10]),
                value=_number(values[-1]) if values else None,
                previous=_number(values[0]) if len(values) == 2 else None,
            )
        )
    return tiles


@dataclass(frozen=True)
class WaterfallView:
    """The price waterfall of the order lines of a filter.

    Attributes
    ----------
    steps
        ``step`` (list, on_invoice, invoice, rebate, …, pocket, cost, pocket_margin),
        ``role`` (``level`` or ``deduction``; deductions are positive amounts), ``amount``
        (store currency) and ``share_of_list``.
    lines
        Order lines behind it.
    """

    steps: pd.DataFrame
    lines: int


def waterfall_frame(store: Store, user: User, by: str | None, focus: PricingFilter) -> pd.DataFrame:
    """:func:`revintel.pricing._waterfall.waterfall` of the order lines ``user`` sees,
    restricted to ``focus``, in total (``by`` ``None``) or per group of one of
    :data:`LEAKAGE_LEVELS`."""
    if by is not None and by not in LEAKAGE_LEVELS:
        raise PricingRequestError(
            f"unknown breakdown {by!r}; choose one of {', '.join(LEAKAGE_LEVELS)}", "by"
        )
    return waterfall(pricing_sources(store, user), by=by, where=focus.where())


def pricing_waterfall(store: Store, user: User, focus: PricingFilter) -> WaterfallView:
    """List price → invoice → pocket price → pocket margin of the order lines ``user`` sees,
    restricted to ``focus``."""
    frame = waterfall_frame(store, user, None, focus)
    lines = int(frame["lines"].iloc[0]) if len(frame) else 0
    return WaterfallView(frame[["step", "role", "amount", "share_of_list"]], lines)


#: Columns of :func:`pricing_leakage`.
LEAKAGE_COLUMNS = (
    "group",
    "lines",
    "list_amount",
    "invoice_amount",
    "pocket_amount",
    "on_invoice",
    "off_invoice",
    "leakage",
    "leakage_rate",
    "pocket_margin_rate",
)


def pricing_leakage(store: Store, user: User, level: str, focus: PricingFilter) -> pd.DataFrame:
    """Per group of ``level`` (one of :data:`LEAKAGE_LEVELS`) of the order lines ``user`` sees
    in ``focus``: ``group``, ``lines``, ``list_amount``, ``invoice_amount``, ``pocket_amount``,
    ``on_invoice``, ``off_invoice``, ``leakage`` (list − pocket), ``leakage_rate`` (of list)
    and ``pocket_margin_rate`` (pocket margin / pocket amount), largest leakage first; the
    figures of :func:`revintel.pricing._leakage.leakage`, restricted to ``focus``."""
    long = waterfall_frame(store, user, level, focus)
    if long.empty:
        return pd.DataFrame(columns=list(LEAKAGE_COLUMNS))
    # Lines without a group (a product without family) form a group of their own, as in
    # :func:`revintel.pricing._leakage.leakage`.
    long[level] = long[level].astype(object).where(long[level].notna(), NO_GROUP)
    wide = long.pivot_table(index=level, columns="step", values="amount", sort=False)
    lines = long.groupby(level, sort=False)["lines"].first()
    frame = pd.DataFrame(
        {
            "group": wide.index,
            "lines": lines.reindex(wide.index).to_numpy(),
            "list_amount": wide["list"].to_numpy(),
            "invoice_amount": wide["invoice"].to_numpy(),
            "pocket_amount": wide["pocket"].to_numpy(),
        }
    )
    frame["on_invoice"] = wide["on_invoice"].to_numpy()
    frame["off_invoice"] = frame["invoice_amount"] - frame["pocket_amount"]
    frame["leakage"] = frame["list_amount"] - frame["pocket_amount"]
    listed = frame["list_amount"].where(frame["list_amount"] != 0)
    frame["leakage_rate"] = frame["leakage"] / listed
    pocket = wide["pocket"].where(wide["pocket"] != 0)
    frame["pocket_margin_rate"] = (wide["pocket_margin"] / pocket).to_numpy()
    ordered = frame.sort_values("leakage", ascending=False, kind="stable")
    return ordered.reset_index(drop=True)


def pricing_outliers(store: Store, user: User, level: str) -> pd.DataFrame:
    """The accounts or reps (``level``, one of :data:`OUTLIER_LEVELS`) whose on-invoice
    discounts sit furthest above their peers' in the same segment × family cells, among the
    order lines ``user`` sees (:func:`revintel.pricing._leakage.discount_outliers`): ``group``
    (the id), ``name``, ``deals``, ``list_amount``, ``discount``, ``peer_discount``,
    ``excess_points``, ``excess_amount`` and ``z``."""
    if level not in OUTLIER_LEVELS:
        raise PricingRequestError(
            f"unknown level {level!r}; choose one of {', '.join(OUTLIER_LEVELS)}", "level"
        )
    if level == "rep" and not user.can(Permission.view_all_rows):
        # A sales rep sees their own lines only: no peers to compare with.
        columns = ["group", "name", "deals", "list_amount", "discount", "peer_discount"]
        return pd.DataFrame(columns=[*columns, "excess_points", "excess_amount", "z"])
    found = discount_outliers(pricing_sources(store, user), level)
    return found.rename(columns={level: "group"})
