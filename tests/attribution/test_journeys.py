"""Journeys from the store: the hand-made company checked touch by touch, a generated one by
its invariants."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from revintel.attribution._journey_times import transition_of
from revintel.attribution._journey_touches import TOUCH_COLUMNS
from revintel.attribution._journeys import JOURNEY_COLUMNS, StoreJourneys, store_journeys
from revintel.attribution._paths import CLOSING, LEAD_CREATION, OPPORTUNITY_CREATION
from revintel.metrics import MetricSources
from revintel.model import load_funnel
from revintel.store import Store, open_store
from tests.attribution.in_child import run_in_child
from tests.attribution.journey_store import AS_OF, journey_store

LC, OC, CL = LEAD_CREATION, OPPORTUNITY_CREATION, CLOSING


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = journey_store(tmp_path_factory.mktemp("journeys") / "hand.duckdb")
    yield store
    store.close()


def touches_of(result: StoreJourneys) -> dict[str, list[str]]:
    """Touchpoint ids of each journey, by journey id."""
    ids = result.touches.column("touchpoint_id").to_pylist()
    p = result.paths
    return {present(p.ids)[i]: ids[p.offsets[i] : p.offsets[i + 1]] for i in range(len(p))}


def column(result: StoreJourneys, name: str) -> list[object]:
    return result.journeys.column(name).to_pylist()


def present(values: np.ndarray | None) -> np.ndarray:
    """``values`` of an optional ``Paths`` attribute, which must be there."""
    assert values is not None
    return values


def test_transition_is_the_path_milestone_before() -> None:
    funnel = load_funnel()
    assert transition_of("won", funnel) == ("contract_negotiation", "won")
    assert transition_of("opportunity_generated", funnel) == ("sql", "opportunity_generated")
    assert transition_of("mql", funnel) == (None, "mql")
    with pytest.raises(ValueError, match="'lost' is not on the way to 'won'"):
        transition_of("lost", funnel)
    with pytest.raises(ValueError, match="choose one of: mql, sal"):
        transition_of("signed", funnel)


def test_every_lead_is_a_journey_to_the_first_milestone(hand: Store) -> None:
    result = store_journeys(hand, "mql")
    assert result.transition == (None, "mql")
    assert result.as_of == AS_OF
    assert touches_of(result) == {
        "L1": ["T01", "T02"],
        "L2": ["T11"],
        "L3": ["T21"],
        "L4": ["T31"],
        "L5": ["T41"],
        "L6": ["T51"],
    }
    assert result.paths.conversions.tolist() == [1] * 6
    assert present(result.paths.role).tolist() == [0, LC, LC, LC, LC, LC, LC]
    # noon touches before midnight milestones; T41 on 02-28 is 1.5 days before 03-01 (a leap year)
    assert present(result.paths.days_before).tolist() == [8.5, 0.5, 1.5, 0.5, 1.5, 1.5, 0.5]
    assert result.paths.value.tolist() == [0.0] * 6
    assert result.paths.margin is None
    assert column(result, "reached_from_at") == [None] * 6


def test_journeys_to_sql_leave_out_the_open_lead(hand: Store) -> None:
    result = store_journeys(hand, "sql")
    assert touches_of(result) == {
        "L1": ["T01", "T02", "T03"],
        "L2": ["T11", "T12"],
        "L5": ["T41", "T42", "T43"],  # ended by its disqualification; T42 and T43 tie on time
    }
    assert result.open_journeys == 1  # L4 reached sal and is still open; L3 and L6 never did
    p = result.paths
    assert p.conversions.tolist() == [1, 1, 0]
    assert p.nulls.tolist() == [0, 0, 1]
    assert p.path(2) == ["trade_fair", "phone", "email"]
    assert present(p.days_before).tolist() == [18.5, 10.5, 1.5, 28.5, 11.5, 25.5, 14.5, 14.5]
    assert present(p.role).tolist() == [0, LC, 0, LC, 0, LC, 0, 0]
    assert column(result, "converted_at")[2] is None
    assert str(column(result, "ended_at")[2]) == "2024-03-25 00:00:00"


def test_stage_only_keeps_the_touches_after_reaching_the_previous_milestone(hand: Store) -> None:
    result = store_journeys(hand, "sql", stage_only=True)
    assert touches_of(result) == {"L1": ["T03"], "L2": ["T12"], "L5": ["T42", "T43"]}
    assert present(result.paths.role).tolist() == [0, 0, 0, 0]


def test_won_journeys_carry_deal_value_margin_and_every_role(hand: Store) -> None:
    result = store_journeys(hand, "won")
    assert touches_of(result) == {
        # T05 names only O1, T07 follows the win
        "L1": ["T01", "T02", "T03", "T04", "T05", "T06"],
        # T15 follows the loss
        "L2": ["T11", "T12", "T13", "T14"],
    }
    p = result.paths
    assert p.path(0) == ["search", "content", "email", "phone", "webinar", "field_sales"]
    assert present(p.role).tolist() == [0, LC, 0, OC, 0, CL, LC, 0, OC, 0]
    assert present(p.days_before)[:6].tolist() == [90.5, 82.5, 73.5, 66.5, 35.5, 0.5]
    assert p.value.tolist() == [1000.0, 0.0]
    assert p.margin is not None
    assert present(p.margin).tolist() == [
        700.0,
        0.0,
    ]  # (600 − 200) + (400 − 100); a line without cost
    assert column(result, "opportunity_id") == ["O1", "O2"]
    assert column(result, "segment") == ["Enterprise", "Enterprise"]
    assert [str(t) for t in column(result, "reached_from_at")] == [
        "2024-03-10 00:00:00",
        "2024-03-05 00:00:00",
    ]
    assert result.journeys.column_names == list(JOURNEY_COLUMNS)
    assert result.touches.column_names == list(TOUCH_COLUMNS)
    channels = [p.channels[c] for c in p.codes]
    assert result.touches.column("channel").to_pylist() == channels


def test_lookback_keeps_the_last_days_before_the_conversion_or_end(hand: Store) -> None:
    result = store_journeys(hand, "won", lookback_days=40)
    # L1 won 04-01: from 02-21 on; L2 lost 03-20: from 02-09 on
    assert touches_of(result) == {"L1": ["T05", "T06"], "L2": ["T13", "T14"]}
    assert present(result.paths.role).tolist() == [0, CL, OC, 0]
    assert present(result.paths.days_before).tolist() == [35.5, 0.5, 38.5, 9.5]


def test_opportunity_journeys_to_won(hand: Store) -> None:
    result = store_journeys(hand, "won", level="opportunity")
    assert touches_of(result) == {
        "O1": ["T01", "T02", "T03", "T04", "T05", "T06"],
        "O2": ["T11", "T12", "T13", "T14"],
    }
    assert column(result, "lead_id") == ["L1", "L2"]
    assert result.paths.value.tolist() == [1000.0, 0.0]
    assert present(result.paths.role).tolist() == [0, LC, 0, OC, 0, CL, LC, 0, OC, 0]


def test_pipeline_value_is_in_the_store_currency(hand: Store) -> None:
    result = store_journeys(hand, "offer_sent")
    assert result.transition == ("opportunity_specified", "offer_sent")
    # O2's 5,000 USD at 0.9; O2 never recorded "specified": its offer proves it
    assert result.paths.value.tolist() == [1000.0, 4500.0]
    assert result.paths.margin is None
    assert np.isnan(result.journeys.column("margin").to_numpy()).all()
    assert [str(t) for t in column(result, "converted_at")] == [
        "2024-02-20 00:00:00",
        "2024-03-01 00:00:00",
    ]


def test_an_account_merges_its_contacts_touches(hand: Store) -> None:
    result = store_journeys(hand, "won", level="account")
    assert touches_of(result) == {
        "A1": ["T01", "T11", "T02", "T03", "T12", "T04", "T13", "T05", "T14", "T15", "T06"]
    }
    p = result.paths
    # its first MQL was L2's (01-05), its first deal O1 (02-01), its win O1's (04-01)
    assert present(p.role).tolist() == [0, LC, 0, 0, 0, OC, 0, 0, 0, 0, CL]
    assert p.value.tolist() == [1000.0]
    assert present(p.margin).tolist() == [700.0]
    assert column(result, "lead_id") == ["L1"]
    assert column(result, "opportunity_id") == ["O1"]
    assert [str(t) for t in column(result, "reached_from_at")] == ["2024-03-05 00:00:00"]


def test_an_account_ends_when_all_its_leads_ended(hand: Store) -> None:
    sal = store_journeys(hand, "sal", level="account")
    assert touches_of(sal) == {
        "A1": ["T01", "T11"],
        "A2": ["T21", "T22", "T31"],
        "A3": ["T51"],
    }
    assert sal.paths.conversions.tolist() == [1, 1, 0]
    assert [str(t) for t in column(sal, "ended_at")] == [
        "2024-04-01 00:00:00",
        "None",  # L4 is still open
        "2024-01-03 00:00:00",
    ]
    sql = store_journeys(hand, "sql", level="account")
    assert present(sql.paths.ids).tolist() == ["A1"]
    assert sql.open_journeys == 1  # A2: L4 still open


def test_as_of_leaves_journeys_open(hand: Store) -> None:
    result = store_journeys(hand, "won", as_of=date(2024, 3, 15))
    assert len(result.paths) == 0
    assert result.open_journeys == 2
    early = store_journeys(hand, "sql", as_of=date(2024, 1, 20))
    assert touches_of(early) == {"L1": ["T01", "T02", "T03"]}
    assert early.open_journeys == 1  # L2 reached sal on 01-08; L4 and L5 had not yet


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"to": "sql", "level": "opportunity"}, "'sql' is reached by leads, not opportunities"),
        ({"to": "won", "level": "team"}, "unknown journey level 'team'"),
        ({"to": "won", "lookback_days": 0}, "lookback_days must be a whole number"),
        ({"to": "won", "lookback_days": 1.5}, "lookback_days must be a whole number"),
    ],
)
def test_bad_arguments_are_named(hand: Store, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        store_journeys(hand, **kwargs)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from revintel.synth import SynthConfig, write_demo_company

    store = open_store(Path(tmp_path_factory.mktemp("journeys")) / "demo.duckdb")
    write_demo_company(store, SynthConfig(seed=11, leads=2_000, accounts=150, reps=6))
    yield store
    store.close()


@pytest.mark.parametrize("to", ["sal", "opportunity_generated", "won"])
def test_generated_journeys_keep_their_invariants(generated: Store, to: str) -> None:
    result = store_journeys(generated, to)
    p = result.paths
    previous = transition_of(to)[0]
    sources = MetricSources.from_store(generated)
    j = sources.journeys
    end = sources.as_of_timestamp()
    reached = j.filter(j[f"t_{previous}"] < end)
    closed = (reached[f"t_{to}"] < end) | (reached.t_end < end)
    counts = reached.aggregate(
        reached=reached.count(),
        converted=(reached[f"t_{to}"] < end).cast("int64").sum(),
        closed=closed.cast("int64").sum(),
    ).execute()
    assert len(p) + result.open_journeys == counts.reached[0]
    assert len(p) == counts.closed[0]
    assert p.conversions.sum() == counts.converted[0]
    assert len(p) > 100 and 0 < p.conversions.sum() < len(p)
    assert (present(p.days_before) > 0).all()
    # every touch precedes the conversion (or end) of its journey
    cutoff = np.where(
        result.journeys.column("converted").to_numpy(),
        result.journeys.column("converted_at").to_numpy(),
        result.journeys.column("ended_at").to_numpy(),
    )
    touched = result.touches.column("occurred_at").to_numpy()
    assert (touched < cutoff[p.journey_of_touch]).all()
    for flag in (LC, OC, CL):
        per_journey = np.bincount(
            p.journey_of_touch[(present(p.role) & flag) > 0], minlength=len(p)
        )
        assert per_journey.max() <= 1
    if to == "won":
        assert int(((present(p.role) & CL) > 0).sum()) <= p.conversions.sum()
        assert p.margin is not None and (p.value[p.conversions == 0] == 0).all()
        assert (p.value[p.conversions == 1] > 0).all()


def test_generated_accounts_contain_their_leads(generated: Store) -> None:
    leads = store_journeys(generated, "won")
    accounts = store_journeys(generated, "won", level="account")
    assert 0 < len(accounts.paths) <= 150
    converted = set(np.asarray(leads.journeys.column("account_id"))[leads.paths.conversions == 1])
    converted_accounts = present(accounts.paths.ids)[accounts.paths.conversions == 1]
    # an account converts exactly when one of its leads does
    assert set(converted_accounts) == converted - {None}
    assert len(accounts.paths.codes) >= len(leads.paths.codes) / 2


def assert_same_journeys(expected_store: Store, store: Store) -> None:
    """``store`` gives the journeys of ``expected_store`` at every level, filters included."""
    cases: tuple[tuple[str, str, dict[str, Any]], ...] = (
        ("won", "account", {}),
        ("won", "opportunity", {"lookback_days": 40}),
        ("offer_sent", "lead", {}),
        ("sql", "lead", {"stage_only": True}),
    )
    for to, level, options in cases:
        expected = store_journeys(expected_store, to, level=level, **options)
        got = store_journeys(store, to, level=level, **options)
        assert got.open_journeys == expected.open_journeys
        pd.testing.assert_frame_equal(got.journeys.to_pandas(), expected.journeys.to_pandas())
        pd.testing.assert_frame_equal(got.touches.to_pandas(), expected.touches.to_pandas())
        for name in ("offsets", "codes", "conversions", "value", "days_before", "role"):
            assert getattr(got.paths, name).tolist() == getattr(expected.paths, name).tolist()


@pytest.mark.postgres
def test_postgres_gives_the_same_journeys(hand: Store, postgres_url: str) -> None:
    store = journey_store(postgres_url)
    try:
        assert_same_journeys(hand, store)
    finally:
        store.close()


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_gives_the_same_journeys(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    run_in_child(f"{__name__}:compare_journeys_with_spark", str(tmp_path))


def compare_journeys_with_spark(folder: str) -> None:
    """The hand-made company in ``folder`` gives the same journeys on DuckDB and on Spark."""
    hand = journey_store(Path(folder) / "hand.duckdb")
    store = journey_store(f"spark://{Path(folder) / 'spark'}")
    try:
        assert_same_journeys(hand, store)
    finally:
        store.close()
        hand.close()


def test_a_deal_without_a_lead_is_its_own_journey(tmp_path: Path) -> None:
    store = open_store(tmp_path / "deal.duckdb")
    lineage = {"source_system": "test", "source_id": "x", "import_batch_id": "b1"}
    store.insert(
        "milestones",
        pd.DataFrame(
            {
                "milestone_event_id": ["e1", "e2"],
                "entity_type": ["opportunity"] * 2,
                "entity_id": ["O9"] * 2,
                "milestone": ["opportunity_generated", "won"],
                "occurred_at": pd.to_datetime(["2024-05-01", "2024-06-01"]),
                **lineage,
            }
        ),
    )
    store.insert(
        "touchpoints",
        pd.DataFrame(
            {
                "touchpoint_id": ["T1", "T2"],
                "opportunity_id": ["O9", "O9"],
                "channel": ["phone", "email"],
                "kind": ["call", "email_click"],
                "digital": [False, True],
                "occurred_at": pd.to_datetime(["2024-05-20 12:00", "2024-06-02 09:00"]),
                **lineage,
            }
        ),
    )
    result = store_journeys(store, "won")
    assert touches_of(result) == {"O9": ["T1"]}
    assert column(result, "lead_id") == [None]
    assert column(result, "opportunity_id") == ["O9"]
    assert present(result.paths.days_before).tolist() == [11.5]
    # its first milestone is the deal's, with no touch before it: no lead or deal creation
    assert present(result.paths.role).tolist() == [CL]
    assert store_journeys(open_store(":memory:"), "won").paths.offsets.tolist() == [0]
    store.close()
