"""Attributed pipeline, revenue and conversions and the marketing ROI, on stored credits.

The hand-made company of :mod:`tests.attribution.journey_store` wins one deal (L1's O1, 1,000
EUR, margin 700) in April 2024 after six touches of six channels; its two deals were created in
February (1,000 and 4,500 EUR). Linear attribution credits each of the six channels 1000 / 6 of
the won revenue. Period costs are booked for search (January, April, and a campaign in April),
webinar (16 March to 15 April: 160 in March, 150 in April) and field sales (April).

The KPIs' own model is ``markov`` (first order). Worked by hand for the win: the journeys
reaching negotiation are L1's (search → content → email → phone → webinar → field sales → won)
and L2's (social → webinar → phone → video → lost), so phone moves on to webinar or video and
webinar to field sales or phone, each half the time. Solving for the chance of a win from each
state gives P(win from the start) = 1/2; removing a channel and solving again gives the removal
effects search, content, email 1/3, phone 1/2, webinar and field sales 1, social 2/3 (video 0),
25/6 in all. Of the 1,000 EUR, search, content and email earn 1000 × (1/3) / (25/6) = 80 each,
phone 120, webinar and field sales 240 each; social's 160 has no touch in the won journey and
stands with the (baseline). Margins are 0.7 of that (700 of 1,000).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from revintel.attribution._credits import store_credits
from revintel.attribution._result import BASELINE
from revintel.auth import add_user, create_token
from revintel.cli import app
from revintel.metrics import (
    MetricQuery,
    MetricQueryError,
    MetricSources,
    evaluate_kpi,
    kpi_gap,
    load_catalogue,
    parse_filter,
)
from revintel.server import Settings
from revintel.store import open_store
from tests.attribution.journey_store import journey_store
from tests.web.conftest import SECRET, serve_in_thread

APR, FEB = date(2024, 4, 1), date(2024, 2, 1)
COSTS = pd.DataFrame(
    {
        "cost_id": ["K1", "K2", "K3", "K4", "K5"],
        "channel": ["search", "search", "search", "webinar", "field_sales"],
        "campaign_id": [None, None, "C-search", None, None],
        "period_start": [date(2024, 1, 1), APR, APR, date(2024, 3, 16), APR],
        "period_end": [
            date(2024, 1, 31),
            date(2024, 4, 30),
            date(2024, 4, 30),
            date(2024, 4, 15),
            date(2024, 4, 30),
        ],
        "amount": [310.0, 300.0, 200.0, 310.0, 100.0],
    }
)
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attributed") / "attributed.duckdb"
    with journey_store(path) as store:
        lineage = {"source_system": "test", "source_id": COSTS["cost_id"], "import_batch_id": "b"}
        store.insert("marketing_costs", COSTS.assign(**lineage))
        store_credits(
            store,
            models=("first", "linear", "markov", "shapley"),
            milestones=("mql", "opportunity_generated", "won"),
        )
    return path


@pytest.fixture
def sources(db: Path) -> Iterator[MetricSources]:
    with open_store(db, read_only=True) as store:
        yield MetricSources.from_store(store)


def _kpi(sources: MetricSources, kpi: str, **query: Any) -> pd.DataFrame:
    return evaluate_kpi(sources, CATALOGUE.get(kpi), MetricQuery(**query), CATALOGUE.settings)


def _credits(sources: MetricSources, model: str, milestone: str) -> pd.DataFrame:
    c = sources.tables["attribution_credits"].to_pandas()
    c = c[(c["model"] == model) & (c["milestone"] == milestone)]
    return c.assign(period=pd.to_datetime(c["period"]).dt.date)


def test_attributed_revenue_by_month_and_channel_is_the_stored_sum(
    sources: MetricSources,
) -> None:
    got = _kpi(
        sources, "attributed_revenue", by=("channel",), where=(parse_filter("model=linear"),)
    )
    expected = _credits(sources, "linear", "won").groupby(["period", "channel"])["revenue"].sum()
    assert dict(
        zip(zip(got["period"], got["channel"], strict=True), got["value"], strict=True)
    ) == (pytest.approx(expected.to_dict()))
    assert set(got["period"]) == {APR} and len(got) == 6
    assert got["value"].tolist() == pytest.approx([1000 / 6] * 6)


def test_attributed_pipeline_defaults_to_markov_and_counts_new_deals(
    sources: MetricSources,
) -> None:
    got = _kpi(sources, "attributed_pipeline")
    assert got["period"].tolist() == [FEB]
    assert got[["value", "numerator"]].values.tolist() == [pytest.approx([5500.0, 2.0])]
    # Both deals' journeys converted (L1: search, content, email, phone; L2: social, webinar,
    # phone): phone lies on both (removal effect 1), every other channel on one (1/2).
    by_channel = _kpi(sources, "attributed_pipeline", grain="all", by=("channel",))
    shares = {"phone": 1.0} | {c: 0.5 for c in ("search", "content", "email", "social", "webinar")}
    assert dict(zip(by_channel["channel"], by_channel["value"], strict=True)) == pytest.approx(
        {c: 5500 * effect / 3.5 for c, effect in shares.items()}
    )
    by_model = _kpi(sources, "attributed_pipeline", grain="all", by=("model",))
    assert dict(zip(by_model["model"], by_model["value"], strict=True)) == pytest.approx(
        {"first": 5500.0, "linear": 5500.0, "markov": 5500.0, "shapley": 5500.0}
    )


def test_roi_defaults_to_markov_credits_of_the_won_revenue(sources: MetricSources) -> None:
    got = _kpi(sources, "roi", grain="all", by=("channel",)).set_index("channel")
    credited = {"search": 80.0, "content": 80.0, "email": 80.0, "phone": 120.0,
                "webinar": 240.0, "field_sales": 240.0}  # fmt: skip
    touched = got.drop(index=BASELINE, errors="ignore")
    assert {c: v for c, v in touched["numerator"].items() if v} == pytest.approx(credited)
    assert got.loc["search", "value"] == pytest.approx((80 - 810) / 810)  # 310 + 300 + 200
    assert got.loc["webinar", "value"] == pytest.approx((240 - 310) / 310)
    assert got.loc["field_sales", "value"] == pytest.approx((240 - 100) / 100)
    margin = _kpi(sources, "margin_roi", grain="all", by=("channel",)).set_index("channel")
    assert margin.loc["field_sales", "numerator"] == pytest.approx(0.7 * 240)


def test_markov_credits_add_up_to_the_won_revenue(sources: MetricSources) -> None:
    got = _kpi(sources, "attributed_revenue", grain="all", by=("channel",)).set_index("channel")
    assert got["value"].sum() == pytest.approx(1000.0), "the won deal's revenue is not shared out"
    assert got.loc[BASELINE, "value"] == pytest.approx(160.0)  # social's share, no won touch
    margin = _kpi(sources, "margin_roi", grain="all", by=("channel",))
    assert margin["numerator"].sum() == pytest.approx(700.0)


def test_shapley_is_still_chosen_with_where(sources: MetricSources) -> None:
    where = (parse_filter("model=shapley"),)
    got = _kpi(sources, "attributed_revenue", grain="all", by=("channel",), where=where)
    stored = _credits(sources, "shapley", "won").groupby("channel")["revenue"].sum()
    assert dict(zip(got["channel"], got["value"], strict=True)) == pytest.approx(stored.to_dict())
    assert got["value"].sum() == pytest.approx(1000.0)


def test_attributed_conversions_by_segment_and_model(sources: MetricSources) -> None:
    got = _kpi(sources, "attributed_conversions", grain="all", by=("segment", "model"))
    stored = sources.tables["attribution_credits"].to_pandas()
    stored = stored[stored["milestone"] == "mql"]
    expected = stored.groupby(["segment", "model"])["conversions"].sum()
    assert dict(zip(zip(got["segment"], got["model"], strict=True), got["value"], strict=True)) == (
        pytest.approx(expected.to_dict())
    )
    first = got[got["model"] == "first"].set_index("segment")["value"].to_dict()
    assert first == {"Enterprise": 2.0, "Kleinunternehmen": 1.0, "Mittelstand": 3.0}


def test_roi_by_channel_sets_credited_revenue_against_cost(sources: MetricSources) -> None:
    where = (parse_filter("model=linear"),)
    got = _kpi(sources, "roi", grain="month", by=("channel",), where=where)
    cost = _kpi(sources, "marketing_cost", grain="month", by=("channel",))
    credited = _credits(sources, "linear", "won").groupby(["period", "channel"])["revenue"].sum()
    spent = cost.set_index(["period", "channel"])["value"]
    for row in got.itertuples():
        key = (row.period, row.channel)
        gain, paid = credited.get(key, 0.0), spent.get(key, 0.0)
        assert (row.numerator, row.denominator) == pytest.approx((gain, paid))
        assert row.value == pytest.approx((gain - paid) / paid) if paid else pd.isna(row.value)
    values = got.set_index(["period", "channel"])["value"]
    assert values[(APR, "search")] == pytest.approx((1000 / 6 - 500) / 500)
    assert values[(APR, "webinar")] == pytest.approx((1000 / 6 - 150) / 150)
    assert values[(APR, "field_sales")] == pytest.approx((1000 / 6 - 100) / 100)
    assert values[(date(2024, 1, 1), "search")] == -1.0  # spent, nothing credited
    assert values[(date(2024, 3, 1), "webinar")] == -1.0


def test_margin_roi_over_all_time_and_by_campaign(sources: MetricSources) -> None:
    where = (parse_filter("model=first"),)
    total = _kpi(sources, "margin_roi", grain="all", where=where)
    assert total[["numerator", "denominator"]].values.tolist()[0] == pytest.approx([700, 1220])
    assert total["value"].iloc[0] == pytest.approx((700 - 1220) / 1220)
    by_campaign = _kpi(sources, "margin_roi", grain="all", by=("campaign",), where=where)
    row = by_campaign.set_index("campaign").loc["C-search"]
    assert [row["numerator"], row["denominator"]] == pytest.approx([700, 200])


def test_model_choice_and_bad_queries_are_explained(sources: MetricSources) -> None:
    two = (parse_filter("model=first,linear"),)
    with pytest.raises(MetricQueryError, match="--where model=NAME or compare them with --by"):
        _kpi(sources, "roi", where=two)
    with pytest.raises(MetricQueryError, match="unknown model 'lasso'"):
        _kpi(sources, "roi", where=(parse_filter("model=lasso"),))
    with pytest.raises(MetricQueryError, match="credits are stored per month"):
        _kpi(sources, "attributed_revenue", grain="week")
    with pytest.raises(MetricQueryError, match="has no dimension industry"):
        _kpi(sources, "roi", by=("industry",))
    linear = _kpi(sources, "attributed_revenue", grain="all", where=(parse_filter("model=linear"),))
    assert linear["value"].tolist() == pytest.approx([1000.0])


def test_without_stored_credits_the_kpis_say_what_to_run(tmp_path: Path) -> None:
    path = tmp_path / "bare.duckdb"
    journey_store(path).close()
    with open_store(path, read_only=True) as store:
        sources = MetricSources.from_store(store)
        assert _kpi(sources, "roi", by=("channel",)).empty
        gap = kpi_gap(sources, MetricQuery(), [CATALOGUE.get("roi")])
        assert gap is not None and gap.code == "no_attribution_credits"
        assert kpi_gap(sources, MetricQuery(), [CATALOGUE.get("mqls")]) is None
    result = CliRunner().invoke(app, ["kpi", "roi", "--by", "channel", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "run `revintel attribution store`" in " ".join(result.output.split())
    with open_store(path) as store:  # credits of another model than the KPIs' markov
        store_credits(store, models=("shapley",), milestones=("won",))
        sources = MetricSources.from_store(store)
        gap = kpi_gap(sources, MetricQuery(), [CATALOGUE.get("roi")])
        assert gap is not None and gap.code == "no_attribution_credits"
        shapley = MetricQuery(where=(parse_filter("model=shapley"),))
        assert kpi_gap(sources, shapley, [CATALOGUE.get("roi")]) is None


def test_command_line_and_api_agree(db: Path) -> None:
    with open_store(db, read_only=True) as store:
        direct = _kpi(MetricSources.from_store(store), "roi", by=("channel",))
    args = ["kpi", "roi", "--by", "channel", "--db", str(db), "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    shown = {(r["period"], r["channel"]): r["numerator"] for r in json.loads(result.output)}
    expected = {
        (str(p), c): n for p, c, n in direct[["period", "channel", "numerator"]].values.tolist()
    }
    assert shown == pytest.approx(expected)
    result = CliRunner().invoke(app, [*args, "--where", "model=shapley"])
    assert result.exit_code == 0, result.output
    with open_store(db, read_only=True) as store:
        where = (parse_filter("model=shapley"),)
        shapley = _kpi(MetricSources.from_store(store), "roi", by=("channel",), where=where)
    shown = {r["channel"]: r["numerator"] for r in json.loads(result.output)}
    assert shown == pytest.approx(dict(zip(shapley["channel"], shapley["numerator"], strict=True)))
    with open_store(db) as store:
        add_user(store, "chef", "a-long-password-123", "admin")
        token = create_token(store, "chef", "tests")[0]
    for url in serve_in_thread(Settings(db=str(db), secret_key=SecretStr(SECRET))):
        client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120
        )
        params = {"kpi": "roi", "by": ["channel", "model"], "grain": "all"}
        response = client.get("/api/v1/kpis/values", params=params)
        assert response.status_code == 200, response.text
        rows = {(r["channel"], r["model"]): r["numerator"] for r in response.json()}
        assert rows[("search", "first")] == pytest.approx(1000.0)
        assert rows[("search", "linear")] == pytest.approx(1000 / 6)
        filtered = client.get(
            "/api/v1/kpis/values", params={"kpi": "roi", "by": "channel", "where": "model=linear"}
        )
        assert filtered.status_code == 200, filtered.text
        assert {r["channel"] for r in filtered.json()} >= {"search", "webinar", "field_sales"}


def test_missing_credits_are_told_per_model(sources: MetricSources) -> None:
    roi = CATALOGUE.get("roi")
    cases = (("model=linear", False), ("model=shapley", False), ("model=last", True), (None, False))
    for where, missing in cases:
        query = MetricQuery(where=(parse_filter(where),) if where else ())
        gap = kpi_gap(sources, query, [roi])
        assert (gap is not None and gap.code == "no_attribution_credits") == missing
