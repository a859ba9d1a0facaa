"""Stored attribution credits on the hand-made store of :mod:`tests.attribution.journey_store`.

First touch and linear credits are worked out by hand: at ``mql`` every lead converts (L1 after
a search and a content touch, L2 after social, L3, L4 and L6 after search, L5 after a trade
fair); at ``won`` only L1 converts (in April, 1,000 EUR, margin 700) after six touches of six
channels. Every touch's campaign is ``C-<channel>``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.attribution._credits import (
    CREDITS_TABLE,
    KEY_COLUMNS,
    credit_id,
    store_credits,
)
from revintel.attribution._journeys import store_journeys
from revintel.attribution._models import MODELS
from revintel.cli import app
from revintel.metrics._catalogue import AttributedParams
from revintel.store import Store, open_store
from revintel.views._attribution import attribution_table
from tests.attribution.in_child import run_in_child
from tests.attribution.journey_store import journey_store

JAN, FEB, MAR, APR = (date(2024, m, 1) for m in (1, 2, 3, 4))
#: (period, channel, campaign, segment) → conversions, first touch, at mql.
FIRST_MQL = {
    (JAN, "search", "C-search", "Enterprise"): 1.0,
    (JAN, "social", "C-social", "Enterprise"): 1.0,
    (JAN, "search", "C-search", "Mittelstand"): 1.0,
    (FEB, "search", "C-search", "Mittelstand"): 1.0,
    (MAR, "trade_fair", "C-trade_fair", "Mittelstand"): 1.0,
    (JAN, "search", "C-search", "Kleinunternehmen"): 1.0,
}
LINEAR_MQL = {
    **FIRST_MQL,
    (JAN, "search", "C-search", "Enterprise"): 0.5,
    (JAN, "content", "C-content", "Enterprise"): 0.5,
}
WON_CHANNELS = ("search", "content", "email", "phone", "webinar", "field_sales")


def _stored(store: Store, model: str, milestone: str) -> pd.DataFrame:
    t = store.table(CREDITS_TABLE)
    rows = t.filter((t.model == model) & (t.milestone == milestone)).to_pandas()
    rows["period"] = pd.to_datetime(rows["period"]).dt.date
    return rows


def _by_key(rows: pd.DataFrame, column: str = "conversions") -> dict[tuple[object, ...], float]:
    keys = rows[["period", "channel", "campaign_id", "segment"]].itertuples(index=False)
    return {tuple(k): v for k, v in zip(keys, rows[column], strict=True)}


@pytest.fixture(scope="module")
def credited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = journey_store(tmp_path_factory.mktemp("credits") / "credits.duckdb")
    store_credits(store, models=("first", "linear", "shapley"), milestones=("mql", "sql", "won"))
    yield store
    store.close()


def test_first_and_linear_credits_at_mql_by_month_channel_campaign_and_segment(
    credited: Store,
) -> None:
    assert _by_key(_stored(credited, "first", "mql")) == FIRST_MQL
    assert _by_key(_stored(credited, "linear", "mql")) == pytest.approx(LINEAR_MQL)
    assert set(_stored(credited, "first", "mql")["revenue"]) == {0.0}  # leads are worth 0


def test_first_and_linear_credits_at_won_carry_value_and_margin(credited: Store) -> None:
    first = _stored(credited, "first", "won")
    assert _by_key(first) == {(APR, "search", "C-search", "Enterprise"): 1.0}
    assert first[["revenue", "margin"]].values.tolist() == [[1000.0, 700.0]]
    linear = _stored(credited, "linear", "won")
    assert sorted(linear["channel"]) == sorted(WON_CHANNELS)
    assert set(linear["period"]) == {APR} and set(linear["segment"]) == {"Enterprise"}
    assert linear["conversions"].tolist() == pytest.approx([1 / 6] * 6)
    assert linear["revenue"].tolist() == pytest.approx([1000 / 6] * 6)
    assert linear["margin"].tolist() == pytest.approx([700 / 6] * 6)


@pytest.mark.parametrize("milestone", ["mql", "sql", "won"])
@pytest.mark.parametrize("model", ["first", "linear", "shapley"])
def test_stored_conversions_add_up_to_the_converted_journeys(
    credited: Store, model: str, milestone: str
) -> None:
    journeys = store_journeys(credited, milestone)
    rows = _stored(credited, model, milestone)
    assert rows["conversions"].sum() == pytest.approx(journeys.paths.conversions.sum())
    assert rows["revenue"].sum() == pytest.approx(journeys.paths.value.sum())
    # the baseline has no campaign; every other credit names its touch's campaign
    baseline = rows[rows["channel"] == "(baseline)"]
    assert baseline["campaign_id"].isna().all()
    others = rows[rows["channel"] != "(baseline)"]
    assert (others["campaign_id"] == "C-" + others["channel"]).all()


def test_totals_match_the_attribution_command(credited: Store) -> None:
    # `revintel attribution --model M --to MILESTONE` prints this view
    for model, to in (("linear", "sql"), ("shapley", "won")):
        shown = attribution_table(credited, None, model, to)
        rows = _stored(credited, model, to)
        assert rows["conversions"].sum() == pytest.approx(shown.conversions)
        assert rows["revenue"].sum() == pytest.approx(shown.revenue)
        named = shown.channels.set_index("channel")["conversions"]
        summed = rows.groupby("channel")["conversions"].sum()
        # a channel whose touches earned nothing has no stored row
        assert summed.drop("(baseline)", errors="ignore").to_dict() == pytest.approx(
            named[named > 0].drop("(baseline)", errors="ignore").to_dict()
        )


def test_storing_again_replaces_and_keeps_other_models(tmp_path: Path) -> None:
    store = journey_store(tmp_path / "again.duckdb")
    store_credits(store, models=("first", "linear"), milestones=("mql",))
    before = store.table(CREDITS_TABLE).to_pandas().sort_values("credit_id")
    summary = store_credits(store, models=("linear",), milestones=("mql",))
    after = store.table(CREDITS_TABLE).to_pandas().sort_values("credit_id")
    assert len(after) == len(before) == 6 + 7
    assert after["credit_id"].tolist() == before["credit_id"].tolist()  # deterministic ids
    assert summary.totals[["model", "milestone", "conversions", "rows"]].values.tolist() == [
        ["linear", "mql", 6.0, 7]
    ]
    ids = after[list(KEY_COLUMNS)].astype(object).where(after[list(KEY_COLUMNS)].notna(), None)
    ids["period"] = pd.to_datetime(ids["period"]).dt.date
    assert [credit_id(k) for k in ids.itertuples(index=False, name=None)] == after[
        "credit_id"
    ].tolist()


class _FailingStore(Store):
    """The same store, whose inserts fail: the old credits are deleted first, then this."""

    def insert(self, name: str, data: object) -> int:
        raise RuntimeError("disk full")


def test_a_failure_leaves_the_credits_as_they_were(tmp_path: Path) -> None:
    store = journey_store(tmp_path / "atomic.duckdb")
    store_credits(store, models=("first",), milestones=("mql", "won"))
    before = store.table(CREDITS_TABLE).to_pandas()
    failing = _FailingStore(
        store.backend, store.location, migrate_schema=False, engine=store.engine
    )
    with pytest.raises(RuntimeError, match="disk full"):
        store_credits(failing, models=("first",), milestones=("mql", "won"))
    after = store.table(CREDITS_TABLE).to_pandas()
    pd.testing.assert_frame_equal(after, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"models": ("linear", "lasso")}, "unknown attribution model 'lasso'"),
        ({"models": ()}, "no attribution model given"),
        ({"milestones": ("signed",)}, "unknown milestone 'signed'"),
        ({"level": "contact"}, "unknown journey level 'contact'"),
    ],
)
def test_bad_requests_are_refused_clearly(
    credited: Store, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        store_credits(credited, **kwargs)  # type: ignore[arg-type]


def test_the_kpi_parameters_know_every_model() -> None:
    field = AttributedParams.model_fields["model"].annotation
    assert field.__args__ == MODELS  # type: ignore[union-attr]


def test_the_store_command_prints_what_was_stored(tmp_path: Path) -> None:
    journey_store(tmp_path / "cli.duckdb").close()
    db = str(tmp_path / "cli.duckdb")
    args = ["attribution", "store", "--db", db, "--models", "first,linear", "--to", "won"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["model"], r["milestone"], r["rows"]) for r in rows] == [
        ("first", "won", 1),
        ("linear", "won", 6),
    ]
    assert [r["conversions"] for r in rows] == pytest.approx([1.0, 1.0])
    assert [r["revenue"] for r in rows] == pytest.approx([1000.0, 1000.0])
    with open_store(db) as store:
        assert int(store.table(CREDITS_TABLE).count().execute()) == 1 + 6
    wrong = CliRunner().invoke(app, ["attribution", "store", "--db", db, "--models", "lasso"])
    assert wrong.exit_code == 2 and "unknown model lasso" in wrong.output


def compare_credits_with_spark(folder: str) -> None:
    """Store the same credits on DuckDB and on a Spark store in ``folder``; they agree."""
    stores = [journey_store(Path(folder) / "t.duckdb"), journey_store(f"spark://{folder}/wh")]
    columns = ["credit_id", "model", "channel", "conversions", "revenue", "margin"]
    frames = []
    for store in stores:
        store_credits(store, models=("first", "linear"), milestones=("mql", "won"))
        store_credits(store, models=("linear",), milestones=("won",))  # replaces on Spark too
        frames.append(store.table(CREDITS_TABLE).to_pandas()[columns].sort_values("credit_id"))
        store.close()
    duck, spark = (f.reset_index(drop=True) for f in frames)
    assert len(duck) == 6 + 7 + 1 + 6
    pd.testing.assert_frame_equal(duck, spark, check_dtype=False)


@pytest.mark.spark
@pytest.mark.slow
def test_a_spark_store_keeps_the_same_credits(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    run_in_child(f"{__name__}:compare_credits_with_spark", str(tmp_path))
