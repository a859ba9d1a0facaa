"""Marketing cost, cost per MQL/SQL/won deal and CAC against pandas on a hand-made store.

Six leads in two channels (search, webinar) and two segments, touchpoint costs, and period
costs as a marketing department books them: a month of search, a webinar campaign running from
16 January to 15 February (split 16 : 15 days), a month of a search campaign and one month in
US dollars. Every expected figure is computed here with pandas, from the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.auth import add_user, create_token
from revintel.cli import app
from revintel.metrics import (
    MetricQuery,
    MetricQueryError,
    MetricSources,
    MissingRateError,
    evaluate_kpi,
    load_catalogue,
    parse_filter,
)
from revintel.metrics._marketing_costs import cost_rows
from revintel.server import Settings
from revintel.store import Store, open_store
from tests.web.conftest import SECRET, serve_in_thread

AS_OF = date(2024, 3, 31)
USD_RATE = 0.9
ACCOUNTS = pd.DataFrame(
    {
        "account_id": ["A1", "A2", "A3"],
        "name": ["Alpha AG", "Beta GmbH", "Gamma KG"],
        "segment": ["Enterprise", "Mittelstand", "Enterprise"],
    }
)
CAMPAIGNS = pd.DataFrame(
    {
        "campaign_id": ["CMP-S", "CMP-W"],
        "name": ["Suche Frühjahr", "Webinarreihe"],
        "channel": ["search", "webinar"],
    }
)
#: lead, channel, campaign, account, created, {milestone: day}
LEADS = [
    ("L1", "search", "CMP-S", "A1", "2024-01-03", {"mql": "01-05", "sql": "01-20", "won": "02-10"}),
    ("L2", "search", "CMP-S", "A2", "2024-01-10", {"mql": "01-12", "sql": "02-01", "won": "03-05"}),
    ("L3", "webinar", "CMP-W", "A2", "2024-01-20", {"mql": "01-25"}),
    ("L4", "webinar", None, "A3", "2024-02-05", {"mql": "02-06", "sql": "02-20", "won": "03-10"}),
    ("L5", "search", None, "A1", "2024-02-12", {"mql": "02-15", "sql": "03-01", "won": "03-20"}),
    ("L6", "search", "CMP-S", "A3", "2024-03-02", {"mql": "03-03"}),
]
TOUCHES = pd.DataFrame(
    [
        ("T1", "L1", "A1", "search", "CMP-S", "2024-01-04 09:00", 50.0),
        ("T2", "L3", "A2", "webinar", "CMP-W", "2024-01-21 10:00", 200.0),
        ("T3", "L4", "A3", "webinar", None, "2024-02-05 11:00", 120.0),
        ("T4", "L5", "A1", "phone", None, "2024-02-13 12:00", None),
    ],
    columns=["touchpoint_id", "lead_id", "account_id", "channel", "campaign_id", "at", "cost"],
)
#: cost_id, channel, campaign, first day, last day, amount, currency
PERIOD_COSTS = pd.DataFrame(
    [
        ("K1", "search", None, "2024-01-01", "2024-01-31", 3720.0, "EUR"),
        ("K2", None, "CMP-W", "2024-01-16", "2024-02-15", 3100.0, "EUR"),
        ("K3", "search", "CMP-S", "2024-02-01", "2024-02-29", 2900.0, None),
        ("K4", "webinar", None, "2024-03-01", "2024-03-31", 1000.0, "USD"),
    ],
    columns=["cost_id", "channel", "campaign_id", "start", "end", "amount", "currency"],
)


def _lineage(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.assign(source_system="test", source_id=frame[key], import_batch_id="b1")


def _milestones() -> pd.DataFrame:
    rows = []
    for lead, _, _, account, _, events in LEADS:
        for milestone, day in events.items():
            won = milestone == "won"
            rows.append(
                {
                    "milestone_event_id": f"{lead}-{milestone}",
                    "entity_type": "opportunity" if won else "lead",
                    "entity_id": f"O{lead[1:]}" if won else lead,
                    "lead_id": lead,
                    "account_id": account,
                    "milestone": milestone,
                    "occurred_at": pd.Timestamp(f"2024-{day}"),
                }
            )
    return pd.DataFrame(rows)


def build_store(location: str = ":memory:") -> Store:
    """The hand-made company with its touchpoint and period costs."""
    store = open_store(location)
    leads = pd.DataFrame(
        [(lead, ch, cmp, acc, pd.Timestamp(at)) for lead, ch, cmp, acc, at, _ in LEADS],
        columns=["lead_id", "channel", "campaign_id", "account_id", "created_at"],
    )
    touches = TOUCHES.rename(columns={"at": "occurred_at"}).assign(
        occurred_at=lambda f: pd.to_datetime(f["occurred_at"]), kind="ad", digital=True
    )
    costs = PERIOD_COSTS.rename(columns={"start": "period_start", "end": "period_end"})
    for column in ("period_start", "period_end"):
        costs[column] = pd.to_datetime(costs[column]).dt.date
    rates = pd.DataFrame(
        {"currency": ["USD"], "valid_from": [date(2023, 1, 1)], "rate": [USD_RATE]}
    )
    store.insert("accounts", _lineage(ACCOUNTS, "account_id"))
    store.insert("campaigns", _lineage(CAMPAIGNS, "campaign_id"))
    store.insert("leads", _lineage(leads, "lead_id"))
    store.insert("milestones", _lineage(_milestones(), "milestone_event_id"))
    store.insert("touchpoints", _lineage(touches, "touchpoint_id"))
    store.insert("marketing_costs", _lineage(costs, "cost_id"))
    store.insert("fx_rates", _lineage(rates, "currency"))
    return store


# ---- the expected figures, computed with pandas -------------------------------------------


def daily_costs() -> pd.DataFrame:
    """Every cost as (day, channel, campaign, amount in EUR), period costs split by days."""
    parts = []
    campaign_channel = CAMPAIGNS.set_index("campaign_id")["channel"]
    for row in PERIOD_COSTS.itertuples():
        days = pd.date_range(row.start, row.end, freq="D")
        rate = USD_RATE if row.currency == "USD" else 1.0
        channel = campaign_channel[row.campaign_id] if pd.isna(row.channel) else row.channel
        parts.append(
            pd.DataFrame(
                {
                    "day": days,
                    "channel": channel,
                    "campaign": row.campaign_id,
                    "amount": row.amount * rate / len(days),
                }
            )
        )
    touches = TOUCHES.assign(day=pd.to_datetime(TOUCHES["at"]), amount=TOUCHES["cost"].fillna(0))
    parts.append(touches.rename(columns={"campaign_id": "campaign"})[list(parts[0].columns)])
    return pd.concat(parts, ignore_index=True)


def _leads_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        [(lead, ch, cmp, acc, pd.Timestamp(at)) for lead, ch, cmp, acc, at, _ in LEADS],
        columns=["lead_id", "channel", "campaign", "account_id", "created_at"],
    )
    return frame.merge(ACCOUNTS[["account_id", "segment"]], on="account_id")


def _reached(milestone: str) -> pd.DataFrame:
    frame = _leads_frame()
    days = {lead: events.get(milestone) for lead, *_, events in LEADS}
    frame["at"] = pd.to_datetime([f"2024-{days[x]}" if days[x] else None for x in frame.lead_id])
    return frame.dropna(subset=["at"])


def _quarter(series: pd.Series) -> pd.Series:
    return series.dt.to_period("Q").dt.start_time.dt.date


def _month(series: pd.Series) -> pd.Series:
    return series.dt.to_period("M").dt.start_time.dt.date


# ---- the tests ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sources() -> Iterator[MetricSources]:
    store = build_store()
    yield MetricSources.from_store(store, as_of=AS_OF)
    store.close()


def _kpi(sources: MetricSources, kpi: str, **query: object) -> pd.DataFrame:
    catalogue = load_catalogue()
    return evaluate_kpi(sources, catalogue.get(kpi), MetricQuery(**query), catalogue.settings)  # type: ignore[arg-type]


def test_period_costs_are_spread_over_their_days(sources: MetricSources) -> None:
    spread = cost_rows(sources).to_pandas()
    k2 = spread[spread["campaign_id"] == "CMP-W"].iloc[1:]  # T2 comes first, then K2
    assert len(k2) == 31 and set(k2["channel"]) == {"webinar"}  # the campaign's channel
    assert k2["amount"].tolist() == pytest.approx([100.0] * 31)  # 3,100 over 31 days
    got = _kpi(sources, "marketing_cost", grain="month", by=("channel",))
    costs = daily_costs()
    expected = costs.groupby([_month(costs["day"]), "channel"])["amount"].sum()
    assert {(r.period, r.channel): r.value for r in got.itertuples()} == pytest.approx(
        expected.to_dict()
    )
    january = got.set_index(["period", "channel"])["value"]
    assert january[(date(2024, 1, 1), "webinar")] == pytest.approx(200.0 + 1600.0)
    assert january[(date(2024, 2, 1), "webinar")] == pytest.approx(120.0 + 1500.0)
    assert january[(date(2024, 3, 1), "webinar")] == pytest.approx(900.0)  # 1,000 USD × 0.9


def test_marketing_cost_by_campaign_with_a_filter_and_range(sources: MetricSources) -> None:
    got = _kpi(
        sources,
        "marketing_cost",
        grain="all",
        by=("campaign",),
        where=(parse_filter("channel=search"),),
        start=date(2024, 1, 20),
        end=date(2024, 2, 10),
    )
    costs = daily_costs()
    kept = costs[
        (costs["channel"] == "search")
        & (costs["day"] >= "2024-01-20")
        & (costs["day"] < "2024-02-10")
    ]
    expected = kept.groupby("campaign", dropna=False)["amount"].sum()
    got_map = {(None if pd.isna(r.campaign) else r.campaign): r.value for r in got.itertuples()}
    want = {(None if pd.isna(k) else k): v for k, v in expected.items()}
    assert got_map == pytest.approx(want)
    assert want == pytest.approx({None: 1440.0, "CMP-S": 900.0})  # 12 × 120, 9 × 100


@pytest.mark.parametrize(
    ("kpi", "milestone"),
    [("cost_per_mql", "mql"), ("cost_per_sql", "sql"), ("cost_per_won", "won")],
)
def test_cost_per_milestone_by_quarter_and_channel(
    sources: MetricSources, kpi: str, milestone: str
) -> None:
    got = _kpi(sources, kpi, grain="quarter", by=("channel",))
    costs = daily_costs()
    spent = costs.groupby([_quarter(costs["day"]), "channel"])["amount"].sum()
    reached = _reached(milestone)
    counts = reached.groupby([_quarter(reached["at"]), "channel"]).size()
    both = pd.concat([spent.rename("cost"), counts.rename("n")], axis=1).fillna(0)
    both.index.names = ["period", "channel"]
    rows = got.set_index(["period", "channel"])
    assert set(rows.index) == set(both.index)
    for key, row in both.iterrows():
        assert rows.loc[key, "numerator"] == pytest.approx(row["cost"])
        assert rows.loc[key, "denominator"] == row["n"]
        value = rows.loc[key, "value"]
        if row["n"]:
            assert value == pytest.approx(row["cost"] / row["n"])
        else:  # phone: cost without leads (here 0) has no value
            assert pd.isna(value)


def test_cost_per_mql_by_month_and_campaign(sources: MetricSources) -> None:
    got = _kpi(sources, "cost_per_mql", grain="month", by=("campaign",))
    feb = got[(got["period"] == date(2024, 2, 1)) & (got["campaign"] == "CMP-S")].iloc[0]
    assert feb["numerator"] == pytest.approx(2900.0)
    assert feb["denominator"] == 0 and pd.isna(feb["value"])  # no MQL of CMP-S in February
    jan = got[(got["period"] == date(2024, 1, 1)) & (got["campaign"] == "CMP-W")].iloc[0]
    assert jan["value"] == pytest.approx((200.0 + 1600.0) / 1)  # L3


def test_cac_counts_accounts_with_their_first_won_deal(sources: MetricSources) -> None:
    got = _kpi(sources, "cac", grain="month")
    costs = daily_costs()
    spent = costs.groupby(_month(costs["day"]))["amount"].sum()
    won = _reached("won").sort_values(["at", "lead_id"]).drop_duplicates("account_id")
    new = won.groupby(_month(won["at"])).size()
    rows = got.set_index("period")
    assert new.to_dict() == {date(2024, 2, 1): 1, date(2024, 3, 1): 2}  # L5 wins A1 again
    for period, cost in spent.items():
        n = new.get(period, 0)
        assert rows.loc[period, "numerator"] == pytest.approx(cost)
        assert rows.loc[period, "denominator"] == n
        if n:
            assert rows.loc[period, "value"] == pytest.approx(cost / n)
    assert pd.isna(rows.loc[date(2024, 1, 1), "value"])


def test_cac_by_segment_allocates_cost_by_the_leads_of_each_segment(
    sources: MetricSources,
) -> None:
    got = _kpi(sources, "cac", grain="month", by=("segment",))
    costs = daily_costs()
    spent = costs.groupby(_month(costs["day"]))["amount"].sum()
    leads = _leads_frame()
    created = leads.groupby([_month(leads["created_at"]), "segment"]).size()
    share = created / created.groupby(level=0).transform("sum")
    won = _reached("won").sort_values(["at", "lead_id"]).drop_duplicates("account_id")
    new = won.groupby([_month(won["at"]), "segment"]).size()
    rows = got.set_index(["period", "segment"])
    for (period, segment), part in share.items():
        cost = spent[period] * part
        n = new.get((period, segment), 0)
        assert rows.loc[(period, segment), "numerator"] == pytest.approx(cost)
        assert rows.loc[(period, segment), "denominator"] == n
    # March: one lead (L6, Enterprise) was created, so Enterprise carries all of March's cost
    march = rows.loc[(date(2024, 3, 1), "Enterprise")]
    assert march["numerator"] == pytest.approx(spent[date(2024, 3, 1)])
    assert march["value"] == pytest.approx(spent[date(2024, 3, 1)])  # A3 (A2 is Mittelstand)
    total = got.groupby("period")["numerator"].sum()
    assert total.to_dict() == pytest.approx(spent.to_dict())  # allocation keeps every euro


def test_a_segment_filter_keeps_that_segments_share(sources: MetricSources) -> None:
    got = _kpi(
        sources, "marketing_cost", grain="quarter", where=(parse_filter("segment=Mittelstand"),)
    )
    # every cost and lead lies in the first quarter: its cost times the Mittelstand leads' share
    costs = daily_costs()
    leads = _leads_frame()
    share = (leads["segment"] == "Mittelstand").mean()
    assert share == pytest.approx(2 / 6)
    assert got["value"].tolist() == pytest.approx([costs["amount"].sum() * share])


def test_unknown_breakdowns_are_refused_clearly(sources: MetricSources) -> None:
    for kpi in ("marketing_cost", "cost_per_mql", "cac"):
        with pytest.raises(MetricQueryError, match=f"KPI '{kpi}' has no dimension product"):
            _kpi(sources, kpi, by=("product",))
    with pytest.raises(MetricQueryError, match="unknown dimension"):
        MetricQuery(by=("colour",))


def test_period_comparison(sources: MetricSources) -> None:
    got = _kpi(sources, "marketing_cost", grain="month", compare=True)
    rows = got.set_index("period")
    assert rows.loc[date(2024, 2, 1), "previous"] == pytest.approx(
        rows.loc[date(2024, 1, 1), "value"]
    )
    assert pd.isna(rows.loc[date(2024, 1, 1), "previous"])


# ---- command line and API -----------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("costs") / "costs.duckdb"
    build_store(str(path)).close()
    return path


def test_command_line_quarter_by_channel(db: Path, sources: MetricSources) -> None:
    args = ["kpi", "cost_per_mql", "--db", str(db), "--grain", "quarter", "--by", "channel"]
    result = CliRunner().invoke(app, [*args, "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["channel"]: r["value"] for r in json.loads(result.output)}
    direct = _kpi(sources, "cost_per_mql", grain="quarter", by=("channel",))
    assert rows.pop("phone") is None  # a cost (0) without MQLs
    expected = direct[direct["channel"] != "phone"]
    assert rows == pytest.approx(dict(zip(expected["channel"], expected["value"], strict=True)))
    wrong = CliRunner().invoke(app, [*args[:-1], "product"])
    assert isinstance(wrong.exception, MetricQueryError)
    assert "KPI 'cost_per_mql' has no dimension product" in str(wrong.exception)


def test_api_values(db: Path) -> None:
    with open_store(db) as store:
        add_user(store, "chef", "a-long-password-123", "admin")
        token = create_token(store, "chef", "tests")[0]
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET)):
        client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120
        )
        params = {"kpi": "cac", "grain": "quarter", "by": "segment"}
        response = client.get("/api/v1/kpis/values", params=params)
        assert response.status_code == 200, response.text
        got = {r["segment"]: (r["numerator"], r["denominator"]) for r in response.json()}
        costs = daily_costs()
        assert sum(n for n, _ in got.values()) == pytest.approx(costs["amount"].sum())
        assert {k: d for k, (_, d) in got.items()} == {"Enterprise": 2, "Mittelstand": 1}
        wrong = client.get("/api/v1/kpis/values", params={"kpi": "cac", "by": "product"})
        assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "by"
        assert "KPI 'cac' has no dimension 'product'" in wrong.json()["error"]["message"]


def test_a_cost_without_an_exchange_rate_is_refused_but_counts_are_not() -> None:
    store = build_store()
    extra = pd.DataFrame(
        {
            "touchpoint_id": ["T9"],
            "lead_id": ["L6"],
            "channel": ["search"],
            "kind": ["ad"],
            "digital": [True],
            "occurred_at": [pd.Timestamp("2024-03-04")],
            "cost": [10.0],
            "currency": ["GBP"],
        }
    )
    store.insert("touchpoints", _lineage(extra, "touchpoint_id"))
    sources = MetricSources.from_store(store, as_of=AS_OF)
    with pytest.raises(MissingRateError, match=r"in GBP from 04\.03\.2024 have no exchange rate"):
        _kpi(sources, "cost_per_mql", grain="month")
    shares = _kpi(sources, "digital_share", grain="all")  # reads no amount
    assert shares["denominator"].tolist() == [5]
    store.close()
