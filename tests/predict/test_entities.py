"""A new scored entity is one entry in ``ENTITIES`` and a new target one entry in ``TARGETS``.

The account-level target here ("the account orders within 90 days", scored at month ends from
its order history) is declared in this file only; training, the out-of-time evaluation,
applying and explaining run unchanged library code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

from revintel.model import FunnelDefinition
from revintel.predict import (
    ENTITIES,
    GROUPS,
    TARGETS,
    Entity,
    FeatureSpec,
    Target,
    TrainingResult,
    apply_group,
    explain_entity,
    train_score,
)
from revintel.predict._snapshots import days_between
from revintel.predict._spec import Rule
from revintel.store import Store, open_store


def month_end_snapshots(store: Store, funnel: FunnelDefinition) -> ir.Table:
    """Every customer (an account with an earlier order) at every month end of the history."""
    orders = store.table("orders")
    span = orders.aggregate(first=orders.ordered_at.min(), last=orders.ordered_at.max())
    first, last = span.to_pandas().iloc[0]
    months = ibis.memtable(pd.DataFrame({"at": pd.date_range(first, last, freq="ME")}))
    customers = orders.group_by("account_id").aggregate(first_order=orders.ordered_at.min())
    pairs = customers.cross_join(months)
    pairs = pairs.filter(pairs.first_order <= pairs.at)
    return pairs.select(entity_id=pairs.account_id, at=pairs.at)


def next_order(
    store: Store, snapshots: ir.Table, target: Target, funnel: FunnelDefinition
) -> ir.Table:
    """The outcome of an account snapshot: its first order after the prediction time."""
    orders = store.table("orders").select(o_account="account_id", o_at="ordered_at")
    s = snapshots.select("entity_id", "at")
    j = s.join(orders, [s.entity_id == orders.o_account, orders.o_at > s.at], how="left")
    state = j.group_by(["entity_id", "at"]).aggregate(outcome_at=j.o_at.min())
    return state.mutate(ended=ibis.literal(False), reached=ibis.literal(False))


def order_history(store: Store, state: ir.Table) -> ir.Table:
    """Orders up to the prediction time: how many, how long ago the last, and the segment."""
    orders = store.table("orders").select(h_account="account_id", h_at="ordered_at")
    j = state.join(orders, [state.entity_id == orders.h_account, orders.h_at <= state.at])
    history = j.group_by(["entity_id", "at"]).aggregate(
        past_orders=j.h_at.count(), last_order_at=j.h_at.max()
    )
    accounts = store.table("accounts").select(a_id="account_id", segment="segment")
    s = state.join(history, ["entity_id", "at"], how="left")
    s = s.join(accounts, s.entity_id == accounts.a_id, how="left")
    return s.select(
        *state.columns,
        "segment",
        past_orders=s.past_orders.fill_null(0).cast("float64"),
        days_since_order=days_between(s.at, s.last_order_at),
        order_recorded_at=s.last_order_at,
    )


ACCOUNT = Entity(
    name="buyer",
    table="accounts",
    id_column="account_id",
    group="buyers",
    training_snapshots=month_end_snapshots,
    label=next_order,
    features=order_history,
    spec=FeatureSpec(
        categorical=("segment",),
        numeric=("past_orders", "days_since_order"),
        monotone={"past_orders": 1, "days_since_order": -1},
        points=(
            Rule("past_orders", "per", None, 2.0, cap=20),
            Rule("days_since_order", "le", 90, 10.0),
        ),
    ),
    baselines=("naive_bayes", "points"),
)
ORDERS_SOON = Target("account_orders_90d", "buyer", "order", horizon_days=90)


@pytest.fixture(scope="module")
def registered() -> Iterator[Target]:
    """The account entity and its target, registered for this module only."""
    ENTITIES[ACCOUNT.name] = ACCOUNT
    TARGETS[ORDERS_SOON.kind] = ORDERS_SOON
    try:
        yield ORDERS_SOON
    finally:
        del TARGETS[ORDERS_SOON.kind]
        del ENTITIES[ACCOUNT.name]


@pytest.fixture(scope="module")
def trained(registered: Target, module_db: Path) -> TrainingResult:
    with open_store(module_db) as store:
        return train_score(store, registered.kind)


def test_the_new_target_joins_its_own_group(registered: Target) -> None:
    assert GROUPS["buyers"] == ("account_orders_90d",)
    assert GROUPS["leads"] == ("lead_to_sql", "lead_to_won")
    assert registered.group == "buyers"


def test_the_account_score_is_evaluated_out_of_time(trained: TrainingResult) -> None:
    record = trained.record
    metrics = record.metrics
    assert metrics["horizon_days"] == 90  # fixed by the target, windows chosen from the data
    gap = pd.Timedelta(days=90)
    train_to = pd.Timestamp(metrics["choice_train_to"])
    validation_from = pd.Timestamp(metrics["validation_from"])
    validation_to = pd.Timestamp(metrics["validation_to"])
    test_from = pd.Timestamp(metrics["test_from"])
    assert train_to + gap == validation_from and validation_to + gap == test_from
    assert record.test_to is not None and test_from < pd.Timestamp(record.test_to)
    comparison = trained.comparison.set_index("algorithm")
    assert {"naive_bayes", "points"} <= set(comparison.index)
    assert "milestone_prior" not in comparison.index  # accounts have no funnel milestone
    chosen = comparison.loc[record.algorithm]
    assert chosen["rows"] > 500 and chosen["positives"] >= 30
    # recency and frequency of orders predict the next order
    assert chosen["auc"] > 0.6
    assert set(record.features) >= {"past_orders", "days_since_order"}


def test_applying_and_explaining_score_accounts(
    trained: TrainingResult, module_store: Store
) -> None:
    (result,) = apply_group(module_store, "buyers").values()
    assert result is not None
    accounts = module_store.table("accounts").to_pandas()
    assert set(result.scores["entity_type"]) == {"buyer"}
    assert len(result.scores) == int((accounts["created_at"] <= result.as_of).sum())
    assert result.scores["score"].between(0, 1).all()
    account = result.scores.sort_values("score")["entity_id"].iloc[-1]
    (explained,) = explain_entity(module_store, account)
    top = result.scores.set_index("entity_id").loc[account, "score"]
    assert explained["kind"] == "account_orders_90d"
    assert explained["score"] == pytest.approx(top, abs=1e-9)
