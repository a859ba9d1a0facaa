"""Markov-chain attribution on chains small enough to solve by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from revintel.attribution import _markov as markov
from revintel.attribution import _markov_chain as markov_chain
from revintel.attribution._markov import markov_attribution
from revintel.attribution._markov_chain import count_transitions
from revintel.attribution._paths import Paths
from revintel.attribution._result import Attribution

CHANNELS = ("a", "b", "c")
A, B, C = range(3)


def make_paths(
    journeys: list[list[int]],
    conversions: list[float],
    nulls: list[float] | None = None,
    value: list[float] | None = None,
    margin: list[float] | None = None,
) -> Paths:
    """Paths over :data:`CHANNELS`; ``nulls`` default to ``1 - conversions``."""
    conv = np.array(conversions, dtype=float)
    return Paths(
        channels=CHANNELS,
        offsets=np.concatenate([[0], np.cumsum([len(j) for j in journeys])]).astype(np.int64),
        codes=np.array([c for j in journeys for c in j], dtype=np.int32),
        conversions=conv,
        nulls=1 - conv if nulls is None else np.array(nulls, dtype=float),
        value=np.zeros(len(conv)) if value is None else np.array(value, dtype=float),
        margin=None if margin is None else np.array(margin, dtype=float),
    )


def conversions_of(result: Attribution) -> dict[str, float]:
    table = result.channels
    return dict(zip(table.channel, table.conversions, strict=True))


def test_first_order_removal_effects_by_hand() -> None:
    # a>b converts, a fails, b fails. Moves: start→a 2/3, start→b 1/3, a→b 1/2, a→null 1/2,
    # b→conv 1/2, b→null 1/2. P = 2/3·1/2·1/2 + 1/3·1/2 = 1/3. Without a: 1/3·1/2 = 1/6, so
    # RE_a = 1/2; without b nothing converts: RE_b = 1. Credits 1·(1/2)/(3/2) and 1·1/(3/2).
    result = markov_attribution(make_paths([[A, B], [A], [B]], [1, 0, 0]))
    assert result.notes["conversion_probability"] == pytest.approx(1 / 3)
    assert result.notes["removal_effects"] == pytest.approx({"a": 0.5, "b": 1.0, "c": 0.0})
    assert conversions_of(result) == pytest.approx({"a": 1 / 3, "b": 2 / 3, "c": 0.0})
    assert list(result.channels.channel) == ["b", "a", "c"]
    assert result.notes["states"] == 2


def test_removing_the_only_way_to_conversion_has_effect_one() -> None:
    # every converting journey ends with c: removing c disconnects start from conversion
    paths = make_paths([[A, C], [B, C], [A, B], [C]], [1, 1, 0, 0])
    effects = markov_attribution(paths).notes["removal_effects"]
    assert effects["c"] == 1.0
    assert 0 < effects["a"] < 1 and 0 < effects["b"] < 1


def test_cycles_are_solved_through_the_fundamental_matrix() -> None:
    # a>b>a converts, b fails: x_a = x_b/2 + 1/2, x_b = x_a/2, so x_a = 2/3, x_b = 1/3 and
    # P = (2/3 + 1/3)/2 = 1/2. Without b: x_a = 1/2, P = 1/4, RE_b = 1/2; without a: RE_a = 1.
    result = markov_attribution(make_paths([[A, B, A], [B]], [1, 0]))
    assert result.notes["conversion_probability"] == pytest.approx(0.5)
    assert result.notes["removal_effects"] == pytest.approx({"a": 1.0, "b": 0.5, "c": 0.0})


def test_second_order_chain_by_hand() -> None:
    # a>b>c converts, b>c fails, a>c converts. States (a) (a,b) (b,c) (b) (a,c):
    # x(b,c) = 1/2, x(a,c) = 1, x(a,b) = 1/2, x(b) = 1/2, x(a) = (1/2 + 1)/2 = 3/4,
    # P = 2/3·3/4 + 1/3·1/2 = 2/3. Without a: 1/3·1/2 = 1/6 → RE 3/4; without b: x(a) = 1/2,
    # P = 1/3 → RE 1/2; without c: RE 1. Credits 2·RE/(9/4).
    paths = make_paths([[A, B, C], [B, C], [A, C]], [1, 0, 1])
    result = markov_attribution(paths, order=2)
    assert result.notes["states"] == 5
    assert result.notes["conversion_probability"] == pytest.approx(2 / 3)
    assert result.notes["removal_effects"] == pytest.approx({"a": 0.75, "b": 0.5, "c": 1.0})
    assert conversions_of(result) == pytest.approx({"a": 2 / 3, "b": 4 / 9, "c": 8 / 9})
    # the first-order chain forgets where c was reached from: RE_a = 1 - (1/3·2/3)/(2/3) = 2/3
    first_order = markov_attribution(paths, order=1).notes["removal_effects"]
    assert first_order["a"] == pytest.approx(2 / 3)


def test_value_uses_value_weighted_conversion_moves() -> None:
    # the second-order example with values 10 (a>b>c) and 30 (a>c): collected per leaving
    # journey (b,c) 10/2 = 5, (a,c) 30; x(a) = (5 + 30)/2 = 17.5, V = 2/3·17.5 + 1/3·5 = 40/3.
    # Without a: 5/3 → RE 7/8; without b: x(a) = 15, V = 10 → RE 1/4; without c: RE 1.
    paths = make_paths([[A, B, C], [B, C], [A, C]], [1, 0, 1], value=[10, 0, 30])
    result = markov_attribution(paths, order=2)
    assert result.notes["removal_effects_revenue"] == pytest.approx(
        {"a": 7 / 8, "b": 1 / 4, "c": 1.0}
    )
    revenue = dict(zip(result.channels.channel, result.channels.revenue, strict=True))
    assert revenue == pytest.approx({"a": 280 / 17, "b": 80 / 17, "c": 320 / 17})
    assert result.total("revenue") == pytest.approx(40.0)
    assert result.channels.margin.isna().all() and result.touch_margin is None


def test_consecutive_repeats_are_collapsed() -> None:
    repeated = make_paths([[A, A, B, B, B], [A], [B, B]], [1, 0, 0])
    plain = make_paths([[A, B], [A], [B]], [1, 0, 0])
    for order in (1, 2):
        assert markov_attribution(repeated, order).notes["removal_effects"] == pytest.approx(
            markov_attribution(plain, order).notes["removal_effects"]
        )


def test_aggregated_paths_weigh_by_conversions_and_nulls() -> None:
    # one path listed with its counts equals the same journeys listed one by one
    counted = make_paths([[A, B], [B]], [3, 1], nulls=[1, 5], value=[30, 2])
    listed = make_paths(
        [[A, B]] * 4 + [[B]] * 6,
        [1, 1, 1, 0, 1, 0, 0, 0, 0, 0],
        value=[10, 10, 10, 0, 2, 0, 0, 0, 0, 0],
    )
    left, right = markov_attribution(counted), markov_attribution(listed)
    assert left.notes["removal_effects"] == pytest.approx(right.notes["removal_effects"])
    assert conversions_of(left) == pytest.approx(conversions_of(right))
    assert left.notes["conversion_probability"] == pytest.approx(0.4)


def test_touch_credits_follow_the_converting_journeys() -> None:
    # a earns 1/3 (see the first test) from its only converting touch; b's 2/3 all goes to the
    # b of a>b, the b that failed gets nothing; repeated touches of a channel share its part.
    paths = make_paths([[A, B, B], [A], [B]], [1, 0, 0], value=[6, 0, 0], margin=[3, 0, 0])
    result = markov_attribution(paths)
    assert result.touch_conversions == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0, 0])
    assert result.touch_revenue == pytest.approx([2, 2, 2, 0, 0])
    assert result.touch_margin == pytest.approx([1, 1, 1, 0, 0])
    margin = dict(zip(result.channels.channel, result.channels.margin, strict=True))
    assert margin == pytest.approx({"a": 1.0, "b": 2.0, "c": 0.0})


def test_credit_of_a_channel_without_converting_touches_is_shared_evenly() -> None:
    # b converts alone; a>b fails. P = 1/2·1/2 + 1/2·1/2 = 1/2, without a 1/4: RE_a = 1/2,
    # RE_b = 1, so a earns 1/3 although it never touched a converting journey
    paths = make_paths([[B], [A, B]], [1, 0], value=[9, 0])
    result = markov_attribution(paths)
    assert result.touch_conversions == pytest.approx([2 / 3, 1 / 3, 0])
    assert result.touch_revenue == pytest.approx([6, 3, 0])
    assert result.notes["touches_shared_evenly"] == {"conversions": ["a"], "revenue": ["a"]}


def test_touch_credits_add_up_to_channel_totals_for_every_order() -> None:
    rng = np.random.default_rng(5)
    lengths = rng.integers(0, 7, 300)
    conv = (rng.random(300) < 0.3).astype(float)
    paths = Paths(
        channels=CHANNELS,
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        codes=rng.integers(0, 3, lengths.sum()).astype(np.int32),
        conversions=conv,
        nulls=1 - conv,
        value=conv * rng.gamma(2.0, 50.0, 300),
        margin=conv * 10.0,
    )
    touched = lengths > 0
    for order in (1, 2, 3):
        result = markov_attribution(paths, order)
        table = result.channels.set_index("channel").loc[list(CHANNELS)]
        for column, touch in (
            ("conversions", result.touch_conversions),
            ("revenue", result.touch_revenue),
            ("margin", result.touch_margin),
        ):
            by_channel = np.bincount(paths.codes, weights=touch, minlength=3)
            np.testing.assert_allclose(by_channel, table[column].to_numpy(), rtol=1e-12)
        assert result.total() == pytest.approx(conv[touched].sum())
        assert result.notes["unattributed_conversions"] == pytest.approx(conv[~touched].sum())
        assert result.notes["journeys_without_touches"] == int((~touched).sum())


def test_state_counts_of_a_third_order_chain() -> None:
    counts = count_transitions(make_paths([[A, B, C, A], [C, C, B]], [1, 0]), order=3)
    assert sorted(counts.state_names(CHANNELS)) == sorted(
        ["a", "a > b", "a > b > c", "b > c > a", "c", "c > b"]
    )
    start = counts.start
    assert counts.flows[start].sum() == 2
    assert counts.to_conversion.sum() == 1 and counts.to_null.sum() == 1


def test_no_conversions_give_no_credit() -> None:
    result = markov_attribution(make_paths([[A, B], [C]], [0, 0]))
    assert result.notes["conversion_probability"] == 0.0
    assert result.total() == 0.0
    assert np.all(result.touch_conversions == 0)


@pytest.mark.parametrize("order", [0, 4, 1.5, True])
def test_invalid_order_is_refused(order: Any) -> None:
    with pytest.raises(ValueError, match="order of the Markov chain"):
        markov_attribution(make_paths([[A]], [1]), order)


def test_sorted_counting_agrees_with_dense_counting(monkeypatch: pytest.MonkeyPatch) -> None:
    # many channels or a high order leave too many possible states to count densely
    rng = np.random.default_rng(1)
    lengths = rng.integers(0, 5, 2000)
    conv = (rng.random(2000) < 0.3).astype(float)
    paths = Paths(
        channels=tuple(f"c{i}" for i in range(40)),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        codes=rng.integers(0, 40, lengths.sum()).astype(np.int32),
        conversions=conv,
        nulls=1 - conv,
        value=conv * 5,
    )
    dense = markov_attribution(paths, order=2)
    monkeypatch.setattr(markov_chain, "_DENSE_BINS", 16)
    sorted_counts = markov_attribution(paths, order=2)
    assert sorted_counts.notes["states"] == dense.notes["states"] > 1000
    assert sorted_counts.notes["removal_effects"] == pytest.approx(dense.notes["removal_effects"])


def test_sparse_and_dense_solutions_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    lengths = rng.integers(1, 6, 500)
    conv = (rng.random(500) < 0.4).astype(float)
    paths = Paths(
        channels=tuple(f"c{i}" for i in range(6)),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        codes=rng.integers(0, 6, lengths.sum()).astype(np.int32),
        conversions=conv,
        nulls=1 - conv,
        value=conv * rng.gamma(2.0, 10.0, 500),
    )
    monkeypatch.setattr(markov, "_DENSE_STATES", 10**6)
    dense = markov_attribution(paths, order=3)
    monkeypatch.setattr(markov, "_DENSE_STATES", 0)
    sparse = markov_attribution(paths, order=3)
    assert dense.notes["states"] > 100
    for key in ("removal_effects", "removal_effects_revenue"):
        assert sparse.notes[key] == pytest.approx(dense.notes[key], abs=1e-12)


def test_a_value_near_the_smallest_float_still_adds_up() -> None:
    # one converting journey worth 2.2e-309: its channel's per-touch shares must not overflow
    paths = Paths(
        channels=("a", "b"),
        offsets=np.array([0, 1, 3, 4, 4]),
        codes=np.array([0, 0, 1, 1], dtype=np.int32),
        conversions=np.array([1.0, 0, 1, 0]),
        nulls=np.array([0.0, 1, 0, 1]),
        value=np.array([2.2250738585072014e-309, 0, 2.0, 0]),
    )
    result = markov_attribution(paths)
    assert np.isfinite(result.touch_revenue).all()
    assert result.channels["revenue"].sum() == pytest.approx(2.0)
    assert result.touch_revenue.sum() == pytest.approx(2.0)
