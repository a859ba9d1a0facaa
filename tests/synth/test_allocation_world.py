"""The planted account-potential world of the demo company agrees with its store.

The truth's ``allocation`` key names each account's potential per product family, the sales
hours a week today's service rule gives it, the hours a customer got in each year and the
share-of-wallet curve; the orders and the activities written to the store must show them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from revintel.ingest import import_files
from revintel.store import Store, open_store
from revintel.synth import SynthConfig, write_demo_company

#: Big enough that a few hundred customers average out their purchase frequencies.
CONFIG = SynthConfig(seed=7, leads=8_000, accounts=800, reps=6)
FAMILIES = (
    "Hydraulikaggregate", "Antriebstechnik", "Steuerungstechnik", "Sensorik", "Förderanlagen",
    "Ventiltechnik", "Industriesoftware", "Ersatzteile", "Serviceverträge", "Schulungen",
)  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("allocation") / "demo.duckdb"
    with open_store(path) as store:
        write_demo_company(store, CONFIG)
        truth = json.loads(path.with_name("demo.truth.json").read_text(encoding="utf-8"))
        yield store, truth["allocation"]


def _frame(store: Store, name: str) -> pd.DataFrame:
    return store.table(name).to_pandas()


def _share_of_wallet(hours: pd.Series, curve: dict[str, float]) -> pd.Series:
    gap = curve["s_max"] - curve["s0"]
    return curve["s0"] + gap * (1 - np.exp(-hours / curve["h_half"]))


def _first_orders(store: Store) -> pd.Series:
    orders = _frame(store, "orders")
    won = orders[orders["kind"].eq("order") & orders["opportunity_id"].notna()]
    return won.groupby("account_id")["ordered_at"].min()


def _year_end(accounts: pd.Series, truth: dict[str, Any]) -> pd.Series:
    """When the service year holding the end of the history ends, per account (its own day)."""
    phase = accounts.map(truth["service_year_phase_days"]).astype(float)
    return pd.Timestamp(CONFIG.end) + pd.to_timedelta(phase.to_numpy(), unit="D")


def _years_back(accounts: pd.Series, at: pd.Series, truth: dict[str, Any]) -> pd.Series:
    """The service year of each account each time falls in (0: the one holding the end)."""
    back = (_year_end(accounts, truth) - at.to_numpy()) / pd.Timedelta(days=truth["year_days"])
    return pd.Series(np.floor(back).astype(int), index=at.index)


def _hours_in_year(accounts: pd.Series, years: pd.Series, truth: dict[str, Any]) -> np.ndarray:
    by_year = truth["hours_by_year"]
    return np.array(
        [by_year[a][min(y, len(by_year[a]) - 1)] for a, y in zip(accounts, years, strict=True)]
    )


def _year_start(account: str, years_back: int, truth: dict[str, Any]) -> pd.Timestamp:
    end = _year_end(pd.Series([account]), truth)[0]
    return end - (years_back + 1) * pd.Timedelta(days=truth["year_days"])


def _repeat_lines(store: Store) -> pd.DataFrame:
    orders = _frame(store, "orders")
    repeat = orders[
        orders["kind"].eq("order")
        & orders["opportunity_id"].isna()
        & orders["account_id"].ne("synth:guest")
    ]
    family = _frame(store, "products").set_index("product_id")["family"]
    lines = _frame(store, "order_lines").merge(
        repeat[["order_id", "account_id", "ordered_at"]], on="order_id"
    )
    return lines.assign(family=lines["product_id"].map(family))


def test_every_account_has_a_potential_per_family_and_customers_have_hours(
    demo: tuple[Store, dict[str, Any]],
) -> None:
    store, truth = demo
    accounts = _frame(store, "accounts")
    real = set(accounts.loc[~accounts["placeholder"].fillna(False), "account_id"])
    assert len(real) == CONFIG.accounts
    assert set(truth["potential"]) == real == set(truth["hours_today"])
    assert all(tuple(p) == FAMILIES for p in truth["potential"].values())
    assert min(v for p in truth["potential"].values() for v in p.values()) > 0
    served = {a for a, h in truth["hours_today"].items() if h > 0}
    assert served == set(_first_orders(store).index)
    assert truth["share_of_wallet"] == {"s0": 0.15, "s_max": 0.8, "h_half": 0.5}


def test_potential_follows_size_industry_and_region_with_lognormal_noise(
    demo: tuple[Store, dict[str, Any]],
) -> None:
    store, truth = demo
    k = truth["constants"]
    accounts = _frame(store, "accounts").set_index("account_id").loc[list(truth["potential"])]
    size = accounts["employees"].to_numpy(float)[:, None] / k["reference_employees"]
    base = np.array([k["base"][f] for f in FAMILIES])
    elasticity = np.array([k["elasticity"][f] for f in FAMILIES])
    industry = np.array(
        [
            [k["industry_family"].get(i, {}).get(f, 1.0) for f in FAMILIES]
            for i in accounts["industry"]
        ]
    )
    region = accounts["region"].map(k["region"]).to_numpy()[:, None]
    planted = pd.DataFrame(truth["potential"]).T.loc[accounts.index, list(FAMILIES)].to_numpy()
    noise = np.log(planted / (base * size**elasticity * industry * region))
    # 8,000 log-normal draws with sigma 0.3: mean within 4 standard errors of 0, sd near 0.3
    assert abs(noise.mean()) < 4 * 0.3 / np.sqrt(noise.size)
    assert noise.std() == pytest.approx(0.3, abs=0.015)


def test_logged_activities_add_up_to_the_planted_hours(
    demo: tuple[Store, dict[str, Any]],
) -> None:
    store, truth = demo
    activities = _frame(store, "activities")
    assert set(activities["kind"]) == {"call", "visit", "meeting", "email"}
    assert activities.loc[activities["kind"].eq("email"), "duration_minutes"].isna().all()
    assert (activities.loc[activities["kind"].ne("email"), "duration_minutes"] > 0).all()
    owner = _frame(store, "accounts").set_index("account_id")["owner_rep_id"]
    assert (activities["rep_id"] == activities["account_id"].map(owner)).all()
    assert (activities["occurred_at"].dt.day_of_week < 5).all()
    first = _first_orders(store)
    assert (activities["occurred_at"] >= activities["account_id"].map(first).dt.floor("D")).all()
    # per customer and complete year served: the logged hours a week are the year's planted ones
    # (complete years: year 0 runs past the end of the history)
    customers = activities["account_id"]
    activities["year"] = _years_back(customers, activities["occurred_at"], truth)
    logged = activities.groupby(["account_id", "year"])["duration_minutes"].sum() / 60 / 52.18
    served = pd.DataFrame(
        [(a, y) for a, f in first.items() for y in (1, 2, 3) if f < _year_start(a, y, truth)],
        columns=["account_id", "year"],
    )
    observed = logged.reindex(pd.MultiIndex.from_frame(served), fill_value=0.0)
    planted_year = _hours_in_year(served["account_id"], served["year"], truth)
    assert np.corrcoef(observed, planted_year)[0, 1] > 0.9
    assert (observed / planted_year).median() == pytest.approx(1.0, abs=0.1)
    # ... and they change between a customer's years as planted: the logged ratio of one year's
    # hours to the year before follows the planted ratio
    wide = pd.DataFrame({"logged": observed.to_numpy(), "planted": planted_year}, observed.index)
    ratios = wide.unstack("year").dropna()
    ratios = ratios[(ratios["logged"][[1, 2]] > 0).all(axis=1)]
    logged_ratio = np.log(ratios["logged"][1] / ratios["logged"][2])
    planted_ratio = np.log(ratios["planted"][1] / ratios["planted"][2])
    assert len(ratios) > 100 and planted_ratio.std() > 0.3
    assert np.corrcoef(logged_ratio, planted_ratio)[0, 1] > 0.7
    planted = pd.Series(truth["hours_today"]).loc[first.index]
    # today's rule: hours by segment, times lognormal factors per rep and account (median 1)
    segment = _frame(store, "accounts").set_index("account_id")["segment"].loc[planted.index]
    rule = segment.map({"Enterprise": 0.75, "Mittelstand": 0.25, "Kleinunternehmen": 0.05})
    for name, ratio in (planted / rule).groupby(segment):
        assert ratio.median() == pytest.approx(1.0, abs=0.2), name
    # an activity on a deal is on one of its account's won deals, at most 60 days before it
    orders = _frame(store, "orders").dropna(subset=["opportunity_id"])
    on_deal = activities.dropna(subset=["opportunity_id"]).merge(
        orders[["opportunity_id", "account_id", "ordered_at"]], on="opportunity_id"
    )
    assert len(on_deal) == activities["opportunity_id"].notna().sum() > 0
    assert (on_deal["account_id_x"] == on_deal["account_id_y"]).all()
    ahead = on_deal["ordered_at"] - on_deal["occurred_at"]
    assert ahead.between(pd.Timedelta(0), pd.Timedelta(days=60)).all()


def test_repeat_spend_follows_potential_times_share_of_wallet(
    demo: tuple[Store, dict[str, Any]],
) -> None:
    store, truth = demo
    potential = pd.DataFrame(truth["potential"]).T[list(FAMILIES)]
    hours = pd.Series(truth["hours_today"])
    spend = potential.mul(_share_of_wallet(hours, truth["share_of_wallet"]), axis=0)
    # a customer buying at the mean rate spends potential × sow a year: each of its repeat
    # orders is worth that over the purchases a year, on average, whatever it buys
    per_order = spend / truth["purchases_per_year"]
    assert 1.0 < truth["purchases_per_year"] < 2.0  # r / alpha = 2, fast buyers drop out sooner
    lines = _repeat_lines(store)
    orders = lines.groupby(["order_id", "account_id"], as_index=False).agg(
        amount=("net_amount", "sum"), ordered_at=("ordered_at", "first")
    )
    # each order is worth the potential times the share of wallet of the hours of its year
    year_hours = _hours_in_year(
        orders["account_id"], _years_back(orders["account_id"], orders["ordered_at"], truth), truth
    )
    total = potential.sum(axis=1).loc[orders["account_id"]].to_numpy()
    sow = _share_of_wallet(pd.Series(year_hours), truth["share_of_wallet"]).to_numpy()
    orders["due"] = total * sow / truth["purchases_per_year"]
    assert orders["amount"].sum() / orders["due"].sum() == pytest.approx(1.0, abs=0.1)
    by_customer = orders.groupby("account_id")[["amount", "due"]].agg(["mean", "size"])
    regular = by_customer[by_customer[("amount", "size")] >= 3]
    wanted = regular[("due", "mean")]
    assert regular[("amount", "mean")].corr(wanted, method="spearman") > 0.8
    assert (regular[("amount", "mean")] / wanted).median() == pytest.approx(1.0, abs=0.15)
    # the families of the lines follow the spend per family: in total, also in the last full
    # year (a unit of some families costs 20,000 € and more, so a share moves by a few points)
    year = CONFIG.end.year - 1
    for chosen, tolerance in ((orders, 0.07), (orders[orders["ordered_at"].dt.year.eq(year)], 0.1)):
        bought = lines[lines["order_id"].isin(chosen["order_id"])].groupby("family")["net_amount"]
        got = bought.sum().reindex(list(FAMILIES), fill_value=0.0)
        planted = per_order.loc[chosen["account_id"]].sum()
        difference = got / got.sum() - planted / planted.sum()
        assert difference.abs().max() < tolerance, difference
    # and per customer: one whose potential leans to a family buys more of it than others do
    mix = lines[lines["account_id"].isin(regular.index)].pivot_table(
        "net_amount", "account_id", "family", aggfunc="sum", fill_value=0.0
    )
    mix = mix.reindex(index=regular.index, columns=list(FAMILIES), fill_value=0.0)
    mix = mix.div(mix.sum(axis=1), axis=0)
    lean = per_order.loc[regular.index].div(per_order.loc[regular.index].sum(axis=1), axis=0)
    above_mean = (mix - mix.mean()).to_numpy().ravel(), (lean - lean.mean()).to_numpy().ravel()
    assert np.corrcoef(*above_mean)[0, 1] > 0.2


def test_an_activity_export_imports_with_the_preset(
    demo: tuple[Store, dict[str, Any]], tmp_path: Path
) -> None:
    store, _ = demo
    rep, account = _frame(store, "accounts").iloc[0][["owner_rep_id", "account_id"]]
    german = tmp_path / "aktivitaeten.csv"
    german.write_text(
        "Aktivität;Mitarbeiter;Kunde;Art;Datum;Dauer (Min.)\n"
        f"X-1;{rep};{account};Kundenbesuch;14.03.2024 09:30;90\n"
        f"X-2;{rep};{account};Anruf;15.03.2024 10:00;12,5\n"
        f"X-3;{rep};{account};Fax;15.03.2024 11:00;3\n"
        f"X-4;{rep};A99999;E-Mail;15.03.2024 12:00;\n",
        encoding="utf-8",
    )
    english = tmp_path / "Task.csv"
    english.write_text(
        "Id,OwnerId,AccountId,Type,ActivityDate,CallDurationInSeconds\n"
        f"00T1,{rep},{account},Call,2024-03-18,600\n",
        encoding="utf-8",
    )
    before = store.table("activities").count().execute()
    first = import_files(store, "activities", [german, english])
    again = import_files(store, "activities", [german, english])
    assert first.written == {"activities": 3}
    assert again.written == {"activities": 0}
    assert first.rejections is not None
    reasons = set(first.rejections.column("reason").to_pylist())
    assert "neither call, visit, meeting nor email" in reasons
    assert len(reasons) == 2  # the unknown kind, and the unknown account
    rows = _frame(store, "activities").set_index("source_id")
    assert store.table("activities").count().execute() == before + 3
    assert rows.loc["X-1", ["kind", "duration_minutes"]].tolist() == ["visit", 90.0]
    assert rows.loc["X-2", ["kind", "duration_minutes"]].tolist() == ["call", 12.5]
    assert rows.loc["00T1", ["kind", "duration_minutes"]].tolist() == ["call", 10.0]
    assert rows.loc["X-1", "account_id"] == account
