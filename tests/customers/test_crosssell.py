"""Cross-selling: the purchase matrix, the three methods, their reasons and the out-of-time test.

Hand-made worlds where the right answer is known, then the demo company (whose orders follow a
planted family affinity) and the public Superstore export.
"""

from __future__ import annotations

import doctest
import logging
from importlib import import_module
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.customers._als import ALSRecommender
from revintel.customers._cooccurrence import ItemCooccurrenceRecommender, item_similarity
from revintel.customers._crosssell import (
    PurchaseHistory,
    make_recommender,
    read_purchase_history,
    recommend_products,
)
from revintel.customers._interactions import build_interactions, net_purchases
from revintel.customers._popularity import PopularityRecommender
from revintel.customers._recommend_eval import (
    evaluate_out_of_time,
    holdout,
    score_recommendations,
    summarise,
)
from revintel.customers._recommendations import Reason
from revintel.i18n import Translator
from revintel.store import open_store
from tests.shared_data import shared_dataset

log = logging.getLogger(__name__)
DAY = pd.Timestamp("2024-03-01")
PRODUCTS = pd.DataFrame(
    {
        "product_id": ["A", "B", "C", "D", "E"],
        "name": ["Aggregat HA-1", "Ventil V-7", "Sensor S-2", "Steuerung ST-4", "Ersatzteilset"],
        "family": [
            "Hydraulikaggregate",
            "Ventiltechnik",
            "Sensorik",
            "Steuerungstechnik",
            "Ersatzteile",
        ],
    }
)


def _world(baskets: dict[str, list[str]], day: pd.Timestamp = DAY) -> PurchaseHistory:
    """One order per account holding its basket, all on ``day``."""
    accounts = list(baskets)
    orders = pd.DataFrame(
        {"order_id": accounts, "account_id": accounts, "ordered_at": [day] * len(accounts)}
    )
    lines = pd.DataFrame(
        [(a, p, 1.0) for a, basket in baskets.items() for p in basket],
        columns=["order_id", "product_id", "quantity"],
    )
    return PurchaseHistory(orders, lines, PRODUCTS, pd.DataFrame({"account_id": accounts}))


def _affinity_world() -> PurchaseHistory:
    """Everyone who bought A bought B; C and D go together; E is bought most of all."""
    baskets = {f"ab{i}": ["A", "B"] for i in range(6)}
    baskets |= {f"cd{i}": ["C", "D"] for i in range(6)}
    baskets |= {f"e{i}": ["E"] for i in range(10)}
    baskets |= {f"ce{i}": ["C", "E"] for i in range(3)}
    return _world(baskets | {"target": ["A"]})


def test_the_matrix_counts_distinct_orders_up_to_the_day_and_nets_returns() -> None:
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "r1", "o4", "o5", "r2"],
            "account_id": ["x", "x", "x", "x", "y", "y", "y"],
            "ordered_at": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-02-01",
                    "2024-03-31T23:00",
                    "2024-02-10",
                    "2024-01-01",
                    "2024-01-02",
                    "2024-04-01",
                ],
                format="ISO8601",
            ),
            "kind": ["order", "order", None, "return", "order", "order", "return"],
        }
    )
    lines = pd.DataFrame(
        {
            "order_id": ["o1", "o1", "o2", "o3", "r1", "o4", "o5", "r2"],
            "product_id": ["A", "B", "A", "C", "B", "A", "D", "D"],
            "quantity": [2.0, 3.0, 1.0, 1.0, -3.0, 5.0, 1.0, -1.0],
        }
    )
    # B was returned in full, A bought in two orders, C on the last day (inclusive); D's return
    # comes after the day, so on 2024-03-31 y still holds D
    got = net_purchases(orders, lines, "2024-03-31").sort_values(["account_id", "product_id"])
    assert list(got.itertuples(index=False, name=None)) == [
        ("x", "A", 2), ("x", "C", 1), ("y", "A", 1), ("y", "D", 1)
    ]  # fmt: skip
    data = build_interactions(orders, lines, PRODUCTS, "2024-04-01")
    assert data.products.tolist() == ["A", "B", "C", "D", "E"]
    assert data.matrix.toarray().tolist() == [[2, 0, 1, 0, 0], [1, 0, 0, 0, 0]]
    assert build_interactions(orders, lines, PRODUCTS, "2024-03-30").matrix[0, 2] == 0
    with pytest.raises(ValueError, match=r"order lines lack the column.*product_id"):
        net_purchases(orders, lines.drop(columns="product_id"))


def test_cosine_and_lift_similarity_match_hand_computation() -> None:
    data = _affinity_world().interactions()
    cosine = item_similarity(data.bought, "cosine").toarray()
    # A: 7 accounts, B: 6, both: 6 → 6 / sqrt(42); C: 9, E: 13, both: 3 → 3 / sqrt(117)
    assert cosine[0, 1] == pytest.approx(6 / np.sqrt(42))
    assert cosine[2, 4] == pytest.approx(3 / np.sqrt(117))
    assert cosine[0, 0] == 0 and cosine[0, 2] == 0
    lift = item_similarity(data.bought, "lift").toarray()
    # 26 accounts: lift = 6 · 26 / (7 · 6), shrunk by 6 / 7
    assert lift[0, 1] == pytest.approx(6 * 26 / 42 * 6 / 7)
    with pytest.raises(ValueError, match="unknown normalisation 'jaccard'"):
        item_similarity(data.bought, "jaccard")  # type: ignore[arg-type]


def test_item_to_item_recommends_what_buyers_of_the_same_product_bought() -> None:
    data = _affinity_world().interactions()
    popular = PopularityRecommender().fit(data).recommend(["target"], k=2)
    assert popular["product_id"].tolist() == ["E", "C"]  # 13 and 9 accounts
    assert popular["reason"][0] == Reason("popular", target="Ersatzteilset", accounts=13)
    got = ItemCooccurrenceRecommender().fit(data).recommend(["target"], k=4)
    # B first (similarity to A), then nothing points anywhere: popularity decides, A left out
    assert got["product_id"].tolist() == ["B", "E", "C", "D"]
    assert got["rank"].tolist() == [1, 2, 3, 4]
    assert got["score"][0] == pytest.approx(6 / np.sqrt(42))
    assert got["reason"][0] == Reason("family_affinity", "Hydraulikaggregate", "Ventiltechnik")
    assert got["reason"][1].kind == "popular"
    kept = ItemCooccurrenceRecommender().fit(data).recommend(["target"], k=5, exclude_bought=False)
    assert sorted(kept["product_id"]) == ["A", "B", "C", "D", "E"]
    assert len(ItemCooccurrenceRecommender().fit(data).recommend(["target"], k=5)) == 4


def test_reasons_read_in_german_and_english() -> None:
    reason = Reason("family_affinity", "Hydraulikaggregate", "Ventiltechnik")
    de, en = (
        Translator(lang)(reason.message_key).format(**reason.placeholders())
        for lang in ("de", "en")
    )  # type: ignore[arg-type]
    assert de == "Kunden, die Hydraulikaggregate kaufen, kaufen meist auch Ventiltechnik"
    assert en == "accounts that buy Hydraulikaggregate usually also buy Ventiltechnik"
    popular = Reason("popular", target="Ersatzteilset", accounts=13)
    assert Translator("en")(popular.message_key).format(**popular.placeholders()) == (
        "one of the most bought products (13 accounts)"
    )
    assert Translator("de")(popular.message_key).format(**popular.placeholders()) == (
        "Eines der meistgekauften Produkte (13 Kunden)"
    )


def test_within_one_family_the_products_are_named() -> None:
    products = PRODUCTS.assign(family=["Ventiltechnik"] * 5)
    history = _affinity_world()
    data = build_interactions(history.orders, history.order_lines, products)
    reason = ItemCooccurrenceRecommender().fit(data).recommend(["target"], k=1)["reason"][0]
    assert reason == Reason("product_affinity", "Aggregat HA-1", "Ventil V-7")


def test_als_finds_the_same_pair_and_is_reproducible() -> None:
    data = _affinity_world().interactions()
    # two factors for the two groups of products, {A, B} and {C, D, E}
    first = ALSRecommender(factors=2, regularization=0.1).fit(data)
    got = first.recommend(["target", "cd0", "e0"], k=1)
    assert got["product_id"].tolist() == ["B", "E", "C"]
    assert got["reason"][0] == Reason("family_affinity", "Hydraulikaggregate", "Ventiltechnik")
    again = ALSRecommender(factors=2, regularization=0.1).fit(data)
    assert np.array_equal(first.account_factors_, again.account_factors_)


def test_unknown_accounts_get_popular_products_and_bad_calls_name_the_problem() -> None:
    data = _affinity_world().interactions()
    for method in ("popularity", "cooccurrence", "als"):
        got = make_recommender(method).fit(data).recommend(["new-account"], k=2)
        assert got["product_id"].tolist() == ["E", "C"], method
        assert {r.kind for r in got["reason"]} == {"popular"}
    with pytest.raises(ValueError, match="unknown method 'knn'; choose one of auto, popularity"):
        make_recommender("knn")
    with pytest.raises(RuntimeError, match="not fitted yet"):
        PopularityRecommender().recommend(["x"])
    with pytest.raises(ValueError, match="k must be at least 1, got 0"):
        PopularityRecommender().fit(data).recommend(["x"], k=0)


def test_holdout_scores_only_first_purchases_after_the_cutoff() -> None:
    history = _world({"u": ["A"], "v": ["C"], "w": ["E"]}, day=pd.Timestamp("2024-01-10"))
    later = pd.DataFrame(
        {
            "order_id": ["u2", "v2", "n1"],
            "account_id": ["u", "v", "newcomer"],
            "ordered_at": pd.to_datetime(["2024-02-01", "2024-02-02", "2024-02-03"]),
        }
    )
    lines = pd.DataFrame({"order_id": ["u2", "u2", "v2", "n1"], "product_id": ["A", "B", "C", "D"]})
    history = PurchaseHistory(
        pd.concat([history.orders, later]),
        pd.concat([history.order_lines, lines]),
        PRODUCTS,
        history.accounts,
    )
    split = holdout(history, pd.Timestamp("2024-01-31"), pd.Timedelta(days=30))
    # A again and C again are not new; the newcomer had nothing before the cutoff
    assert split.new_products == {"u": {"B"}}
    recs = pd.DataFrame({"account_id": ["u", "u", "v", "w"], "product_id": ["B", "C", "A", "A"]})
    got = score_recommendations(recs, split, k=2)
    assert got == {"precision": 0.5, "recall": 1.0, "coverage": 3 / 5, "accounts": 1.0}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo company, made the way users make one: ``revintel synth``."""
    db = tmp_path_factory.mktemp("crosssell") / "demo.duckdb"
    args = ["synth", "--db", str(db), "--seed", "7", "--leads", "20000", "--accounts", "1500"]
    result = CliRunner().invoke(app, [*args, "--reps", "10"])
    assert result.exit_code == 0, result.output
    return db


@pytest.mark.slow
def test_on_the_demo_company_item_to_item_beats_popularity_out_of_time(demo_store: Path) -> None:
    with open_store(demo_store, read_only=True) as store:
        results = evaluate_out_of_time(read_purchase_history(store), horizon_days=180)
    table = summarise(results).set_index("method")
    log.info("demo company, 3 cutoffs 180 days apart:\n%s", table.to_string())
    assert len(results) == 9 and results["accounts"].min() >= 150
    pop, cooc, als = (table.loc[m] for m in ("popularity", "cooccurrence", "als"))
    # the planted family affinity, measured (seed 7): precision@10 0.133 (item-to-item),
    # 0.128 (ALS) vs 0.129 (popularity); recall@10 0.579, 0.590 vs 0.538. Seeds 1, 2, 3 and 11
    # gave item-to-item +0.006 to +0.010 precision and +0.04 to +0.05 recall over popularity.
    assert cooc["precision_mean"] >= pop["precision_mean"] + 0.003
    assert cooc["recall_mean"] >= pop["recall_mean"] + 0.03
    by_cutoff = results.pivot(index="cutoff", columns="method", values="recall")
    assert (by_cutoff["cooccurrence"] > by_cutoff["popularity"]).all()
    assert cooc["coverage_mean"] > pop["coverage_mean"] + 0.1
    # ALS finds more of the new products, but not more precisely than popularity
    assert als["precision_mean"] >= pop["precision_mean"] - 0.005
    assert als["recall_mean"] >= pop["recall_mean"] + 0.03


@pytest.mark.slow
def test_recommend_products_reads_the_store_as_of_a_day(demo_store: Path) -> None:
    with open_store(demo_store, read_only=True) as store:
        recs = recommend_products(store, "2023-12-31", top=3)
        history = read_purchase_history(store, "2023-12-31")
    assert list(recs.columns) == ["account_id", "product_id", "rank", "score", "reason"]
    bought = set(net_purchases(history.orders, history.order_lines)[["account_id", "product_id"]]
                 .itertuples(index=False, name=None))  # fmt: skip
    pairs = set(recs[["account_id", "product_id"]].itertuples(index=False, name=None))
    assert not pairs & bought
    assert recs.groupby("account_id")["rank"].max().eq(3).all()
    assert "guest" not in set(recs["account_id"])
    kinds = {r.kind for r in recs["reason"]}
    assert kinds <= {"family_affinity", "product_affinity", "popular"} and "popular" not in kinds


def _superstore() -> PurchaseHistory:
    folder = shared_dataset("superstore_orders")
    raw = pd.read_csv(folder / "Sample - Superstore.csv")
    raw["ordered_at"] = pd.to_datetime(raw["Order Date"], format="%d/%m/%y")
    renamed = raw.rename(
        columns={
            "Order ID": "order_id",
            "Customer ID": "account_id",
            "Product ID": "product_id",
            "Quantity": "quantity",
            "Product Name": "name",
            "Sub-Category": "family",
        }
    )
    orders = renamed.drop_duplicates("order_id")[["order_id", "account_id", "ordered_at"]]
    return PurchaseHistory(
        orders,
        renamed[["order_id", "product_id", "quantity"]],
        renamed.drop_duplicates("product_id")[["product_id", "name", "family"]],
        pd.DataFrame({"account_id": orders["account_id"].unique()}),
    )


@pytest.mark.slow
def test_on_superstore_every_method_gives_valid_scores_out_of_time() -> None:
    results = evaluate_out_of_time(_superstore(), horizon_days=180)
    table = summarise(results).set_index("method")
    log.info("Superstore, 3 cutoffs 180 days apart:\n%s", table.to_string())
    metrics = results[["precision", "recall", "coverage"]]
    assert ((metrics >= 0) & (metrics <= 1)).all().all()
    assert (results["accounts"] >= 400).all()
    # 1,862 products, most bought once by one customer: no method finds much. Popularity
    # recommends the same 10 to everyone; item-to-item spreads over most of the catalogue.
    assert table.loc["popularity", "coverage_mean"] < 0.02
    assert table.loc["cooccurrence", "coverage_mean"] > 0.5
    assert table["precision_mean"].max() < 0.02


@pytest.mark.slow
def test_recommend_products_applies_a_rules_file(demo_store: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - only_with:\n      products: {family: Industriesoftware}\n"
        "      accounts: {industry: Maschinenbau}\n",
        encoding="utf-8",
    )
    with open_store(demo_store, read_only=True) as store:
        free = recommend_products(store, "2023-12-31", top=10, method="als")
        ruled = recommend_products(store, "2023-12-31", top=10, method="als", rules=rules)
        history = read_purchase_history(store)
    family = history.products.set_index("product_id")["family"]
    industry = history.accounts.set_index("account_id")["industry"]
    software = ruled[ruled["product_id"].map(family).eq("Industriesoftware")]
    assert len(software) > 0
    assert set(software["account_id"].map(industry)) == {"Maschinenbau"}
    outside = free["account_id"].map(industry).ne("Maschinenbau")
    assert free[outside]["product_id"].map(family).eq("Industriesoftware").any()


@pytest.mark.parametrize(
    "module",
    ["_interactions", "_popularity", "_cooccurrence", "_recommendations", "_product_rules"],
)
def test_the_examples_in_the_docstrings_run(module: str) -> None:
    results = doctest.testmod(import_module(f"revintel.customers.{module}"))
    assert results.failed == 0


def test_an_empty_store_gives_no_recommendations(tmp_path: Path) -> None:
    with open_store(tmp_path / "empty.duckdb") as store:
        for method in ("popularity", "cooccurrence", "als"):
            got = recommend_products(store, "2024-01-01", method=method)
            data = read_purchase_history(store).interactions()
            assert make_recommender(method).fit(data).recommend(["someone"]).empty
            assert got.empty and list(got.columns) == [
                "account_id", "product_id", "rank", "score", "reason"
            ]  # fmt: skip
