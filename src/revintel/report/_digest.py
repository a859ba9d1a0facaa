"""The weekly digest: the overview's figures, new alerts and open deals of one user, composed
from the same view functions as the dashboard's overview page so that their numbers agree.

Composing is pure (store and user in, :class:`Digest` out); :mod:`._digest_render` writes it
as HTML, plain text or webhook JSON and :mod:`._digest_send` delivers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from revintel.auth import Permission, Role, User
from revintel.i18n import Language, Translator
from revintel.metrics import MissingRateError
from revintel.model import load_funnel
from revintel.report._digest_alerts import DigestAlert, cockpit_link, fired_alerts, new_alerts
from revintel.store import Store, store_currency
from revintel.views import (
    Attainment,
    KpiTile,
    RecordQuery,
    Slice,
    deal_totals,
    kpi_tiles,
    list_records,
    milestone_labels,
    monthly_counts,
    record_counts,
    target_attainment,
)
from revintel.views._analytics import metric_sources

R = TypeVar("R")
#: Who a digest is made for when no user is named: the whole company.
COMPANY_USER = User("digest", "", Role.admin)
#: Days an alert counts as new when no ``since`` is given: one week, the digest's rhythm.
DEFAULT_SINCE_DAYS = 7
#: Open deals listed at most (the digest links to the full list).
DEFAULT_MAX_DEALS = 50


@dataclass(frozen=True)
class Figure:
    """One tile of the overview: its label, the value as the page writes it, and the number.

    KPI tiles also carry the previous period's value and the trend against it.
    """

    key: str
    label: str
    text: str
    value: float | None
    previous: float | None = None
    previous_text: str | None = None
    trend: str = "flat"
    good: bool | None = None


@dataclass(frozen=True)
class DigestDeal:
    """One open deal as the digest lists it (texts formatted in the digest's language)."""

    opportunity_id: str
    name: str
    stage: str
    amount: float | None
    amount_text: str
    expected_close: date | None
    expected_close_text: str
    score: float | None
    score_text: str
    url: str


@dataclass(frozen=True)
class AttainmentLine:
    """The current quarter's order-intake target against booked intake and the forecast."""

    period: str
    scope: str
    group: str
    label: str
    target: float
    booked: float
    p10: float
    p50: float
    p90: float
    gap: float
    p_reach: float
    target_text: str
    booked_text: str
    p50_text: str
    range_text: str
    gap_text: str
    p_reach_text: str


@dataclass(frozen=True)
class Digest:
    """Everything one recipient's digest shows, in one language."""

    username: str
    display_name: str
    #: ``company`` (manager, admin, marketing), ``team`` (a team lead's) or ``own`` (a rep's).
    scope: str
    language: Language
    currency: str
    as_of: date
    since: date
    base_url: str
    figures: list[Figure]
    kpis: list[Figure]
    alerts: list[DigestAlert]
    deals: list[DigestDeal]
    open_deals: int
    #: The current quarter's target attainment (empty: no target is set for it).
    attainment: list[AttainmentLine] = field(default_factory=list)
    #: Section (``deals``, ``kpis``, ``alerts``, ``attainment``) → why its amounts are not shown.
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def t(self) -> Translator:
        """The translator of the digest's language and store currency."""
        return Translator(self.language, self.currency)

    def link(self, path: str, **params: Any) -> str:
        """``path`` in the cockpit with the non-empty ``params`` as query string."""
        return cockpit_link(self.base_url, path, **params)


def compose_digest(
    store: Store,
    user: User = COMPANY_USER,
    *,
    language: Language = "de",
    base_url: str = "http://localhost:8000",
    since: date | None = None,
    max_deals: int = DEFAULT_MAX_DEALS,
) -> Digest:
    """The digest of ``user``: the figures of their overview page, alerts new since ``since``
    (default: a week before the data's last event) and their open deals, best score first.

    Parameters
    ----------
    store
        The data store.
    user
        Whose rights apply: a sales rep sees their own rows, a manager or admin the company's.
    language
        ``de`` or ``en``; numbers and dates are written in its format.
    base_url
        The cockpit's address; every link of the digest starts with it.
    since
        Alerts about periods completed on or after this day (and current stalled deals) are new.
    max_deals
        Open deals listed at most.
    """
    if max_deals < 0:
        raise ValueError(f"max_deals must not be negative, got {max_deals}")
    t = Translator(language, store_currency(store))
    as_of = metric_sources(store, user).as_of
    since = since if since is not None else as_of - timedelta(days=DEFAULT_SINCE_DAYS)
    refused: dict[str, str] = {}
    totals = _or_refusal(t, refused, "deals", {}, lambda: deal_totals(store, user, RecordQuery()))
    tiles = _or_refusal(t, refused, "kpis", [], lambda: kpi_tiles(store, user, Slice()))
    fired = _or_refusal(t, refused, "alerts", [], lambda: fired_alerts(store, user))
    page = list_records(
        store, user, "opportunities", RecordQuery(filters={"status": "open"}, limit=max_deals)
    )
    labels = milestone_labels(load_funnel(), language)
    quarter = _or_refusal(t, refused, "attainment", [], lambda: _quarter_attainment(store, user, t))
    return Digest(
        username=user.username,
        display_name=user.display_name,
        scope=digest_scope(user),
        language=language,
        currency=t.currency,
        as_of=as_of,
        since=since,
        base_url=base_url,
        figures=_overview_figures(store, user, t, totals, refused),
        kpis=[_kpi_figure(tile, t) for tile in tiles],
        alerts=new_alerts(base_url, fired, since, language),
        deals=[_deal(base_url, t, labels, row) for row in page.rows],
        open_deals=page.total,
        attainment=quarter,
        refused=refused,
    )


def digest_scope(user: User) -> str:
    """``company`` for users who see every row, ``team`` for a team lead, else ``own``."""
    if user.can(Permission.view_all_rows):
        return "company"
    return "team" if user.role is Role.team_lead else "own"


def _or_refusal(
    t: Translator, refused: dict[str, str], part: str, empty: Any, fn: Callable[[], R]
) -> R | Any:
    """``fn()``, or ``empty`` with the reason in ``refused[part]`` when amounts cannot be
    converted into the store currency (as the overview page does)."""
    try:
        return fn()
    except MissingRateError as exc:
        refused[part] = t.missing_rates(exc.gaps)
        return empty


def _overview_figures(
    store: Store,
    user: User,
    t: Translator,
    deals: dict[str, tuple[int, float]],
    refused: dict[str, str],
) -> list[Figure]:
    """The overview page's six headline tiles, computed and written as the page does."""
    leads = sum(n for _, n in monthly_counts(store, user, "leads", RecordQuery()))
    accounts = record_counts(store, user)["accounts"]
    won, lost = deals.get("won", (0, 0.0)), deals.get("lost", (0, 0.0))
    open_deals = deals.get("open", (0, 0.0))
    closed = won[0] + lost[0]
    win_rate = won[0] / closed if closed else None
    reason = refused.get("deals")

    def amount(value: float) -> str:
        return reason if reason else t.money(value)

    return [
        Figure("leads", t("tile.leads"), t.number(leads), float(leads)),
        Figure("accounts", t("tile.accounts"), t.number(accounts), float(accounts)),
        Figure(
            "open_deals",
            t("tile.open_deals"),
            "–" if reason else t.number(open_deals[0]),
            None if reason else float(open_deals[0]),
        ),
        Figure(
            "open_pipeline",
            t("tile.open_pipeline"),
            amount(open_deals[1]),
            None if reason else open_deals[1],
        ),
        Figure("won_amount", t("tile.won_amount"), amount(won[1]), None if reason else won[1]),
        Figure(
            "win_rate",
            t("tile.win_rate"),
            t.percent(win_rate) if win_rate is not None else "–",
            win_rate,
        ),
    ]


def _kpi_figure(tile: KpiTile, t: Translator) -> Figure:
    label = tile.label_de if t.lang == "de" else tile.label_en
    if tile.period is not None:
        label = f"{label} · {t.date(tile.period)}"
    return Figure(
        key=tile.kpi,
        label=label,
        text=t.measure(tile.value, tile.unit),
        value=tile.value,
        previous=tile.previous,
        previous_text=t.measure(tile.previous, tile.unit),
        trend=tile.trend,
        good=tile.good,
    )


def _deal(base_url: str, t: Translator, labels: dict[str, str], row: dict[str, Any]) -> DigestDeal:
    stage = row.get("stage")
    closes = row.get("expected_close_at")
    close_day = None if closes is None else date.fromisoformat(str(closes)[:10])
    score = row.get("score")
    key = str(row["opportunity_id"])
    return DigestDeal(
        opportunity_id=key,
        name=str(row.get("name") or key),
        stage=labels.get(stage, stage or "") if stage else "",
        amount=row.get("amount"),
        amount_text=t.money(row.get("amount"), row.get("currency")),
        expected_close=close_day,
        expected_close_text=t.date(close_day) if close_day else "–",
        score=score,
        score_text=t.percent(score) if score is not None else "–",
        url=cockpit_link(base_url, f"/deals/{quote(key, safe='')}"),
    )


def _quarter_attainment(store: Store, user: User, t: Translator) -> list[AttainmentLine]:
    """The attainment of the first quarter the forecast covers (the quarter the overview
    page's attainment tile shows, with the Forecast page's numbers)."""
    quarters = [a for a in target_attainment(store, user) if a.grain == "quarter"]
    return [_attainment_line(a, t, digest_scope(user)) for a in quarters[:1]]


def _attainment_line(a: Attainment, t: Translator, scope: str) -> AttainmentLine:
    whose = t(f"digest.attainment.{scope}")
    label = f"{whose} · {a.period}" if a.group in ("all", "") else f"{a.group} · {a.period}"
    return AttainmentLine(
        period=a.period,
        scope=a.scope,
        group=a.group,
        label=label,
        target=a.target,
        booked=a.booked,
        p10=a.p10,
        p50=a.p50,
        p90=a.p90,
        gap=a.gap,
        p_reach=a.p_reach,
        target_text=t.money(a.target),
        booked_text=t.money(a.booked),
        p50_text=t.money(a.p50),
        range_text=f"{t.money(a.p10)} – {t.money(a.p90)}",
        gap_text=t.money(a.gap),
        p_reach_text=t.percent(a.p_reach),
    )
