"""Rule-based attribution on journeys small enough to compute every share by hand."""

from __future__ import annotations

import numpy as np
import pytest

from revintel.attribution._heuristic import (
    HEURISTIC_MODELS,
    heuristic_attribution,
    touch_shares,
)
from revintel.attribution._models import DATA_DRIVEN, MODELS, attribute
from revintel.attribution._paths import CLOSING, LEAD_CREATION, OPPORTUNITY_CREATION, Paths

CHANNELS = ("ads", "email", "webinar", "sales")
ADS, EMAIL, WEBINAR, SALES = range(4)


def make_paths(
    journeys: list[list[int]],
    conversions: list[float],
    *,
    value: list[float] | None = None,
    margin: list[float] | None = None,
    days: list[list[float]] | None = None,
    roles: list[list[int]] | None = None,
) -> Paths:
    """Paths over :data:`CHANNELS` from nested lists (one list of touches per journey)."""
    lengths = [len(j) for j in journeys]
    conv = np.array(conversions, dtype=float)
    return Paths(
        channels=CHANNELS,
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        codes=np.array([c for j in journeys for c in j], dtype=np.int32),
        conversions=conv,
        nulls=1 - conv,
        value=np.zeros(len(journeys)) if value is None else np.array(value, dtype=float),
        margin=None if margin is None else np.array(margin, dtype=float),
        days_before=None if days is None else np.array([d for j in days for d in j], dtype=float),
        role=None if roles is None else np.array([r for j in roles for r in j], dtype=np.int8),
    )


@pytest.fixture
def crm_paths() -> Paths:
    """A deal touched by four channels, a lead whose first touch created lead and opportunity,
    a converted journey without touches and a single-touch journey that did not convert."""
    return make_paths(
        [[ADS, EMAIL, WEBINAR, SALES], [ADS, ADS, EMAIL], [], [WEBINAR]],
        [1, 2, 1, 0],
        value=[1000, 300, 50, 0],
        margin=[400, 90, 10, 0],
        days=[[21, 14, 7, 0], [3.5, 0, 0], [], [5]],
        roles=[
            [0, LEAD_CREATION, OPPORTUNITY_CREATION, CLOSING],
            [LEAD_CREATION | OPPORTUNITY_CREATION, 0, 0],
            [],
            [0],
        ],
    )


EXPECTED_SHARES = {
    "first": [1, 0, 0, 0, 1, 0, 0, 1],
    "last": [0, 0, 0, 1, 0, 0, 1, 1],
    "linear": [0.25] * 4 + [1 / 3] * 3 + [1],
    # weights 2^(-days/7): 1/8, 1/4, 1/2, 1 over 15/8; and 2^(-1/2), 1, 1 over 2 + 2^(-1/2)
    "time_decay": [1 / 15, 2 / 15, 4 / 15, 8 / 15]
    + [w / (2 + 2**-0.5) for w in (2**-0.5, 1, 1)]
    + [1],
    # first 40 %, lead creation 40 %, the rest share 20 %; journey 2's first touch holds both
    "u_shaped": [0.4, 0.4, 0.1, 0.1, 0.8, 0.1, 0.1, 1],
    "w_shaped": [0.3, 0.3, 0.3, 0.1, 0.9, 0.05, 0.05, 1],
    # journey 1 has no rest: 22.5 % / 90 %; journey 2 has no closing: 67.5 % and 5 % over 77.5 %
    "full_path": [0.25] * 4 + [27 / 31, 2 / 31, 2 / 31, 1],
}


@pytest.mark.parametrize("model", HEURISTIC_MODELS)
def test_touch_shares_match_the_hand_computed_rule(crm_paths: Paths, model: str) -> None:
    shares = touch_shares(crm_paths, model)
    np.testing.assert_allclose(shares, EXPECTED_SHARES[model], rtol=1e-12)


def test_time_decay_halves_the_credit_per_half_life(crm_paths: Paths) -> None:
    shares = touch_shares(crm_paths, "time_decay", half_life_days=3.5)
    # journey 2: 3.5 days old is one half-life: weights 1/2, 1, 1
    np.testing.assert_allclose(shares[4:7], [0.2, 0.4, 0.4])
    # journey 1: 21, 14, 7, 0 days are 6, 4, 2, 0 half-lives: 1/64, 1/16, 1/4, 1 over 85/64
    np.testing.assert_allclose(shares[:4], np.array([1, 4, 16, 64]) / 85)


def test_u_shaped_channel_totals_add_the_journeys_up(crm_paths: Paths) -> None:
    result = heuristic_attribution(crm_paths, "u_shaped")
    table = result.channels.set_index("channel")
    # ads: 0.4 of journey 1 and 0.9 of journey 2 (two conversions, 300 value, 90 margin)
    assert table.loc["ads", "conversions"] == pytest.approx(0.4 + 2 * 0.9)
    assert table.loc["ads", "revenue"] == pytest.approx(400 + 270)
    assert table.loc["ads", "margin"] == pytest.approx(160 + 81)
    assert table.loc["email", "conversions"] == pytest.approx(0.4 + 0.2)
    assert table.loc["email", "revenue"] == pytest.approx(400 + 30)
    assert table.loc["webinar", "conversions"] == pytest.approx(0.1)
    assert table.loc["sales", "revenue"] == pytest.approx(100)
    assert list(result.channels["channel"]) == ["ads", "email", "sales", "webinar"]
    assert result.total("conversions") == pytest.approx(3)
    assert result.total("margin") == pytest.approx(490)


def test_a_journey_without_touches_is_reported_not_attributed(crm_paths: Paths) -> None:
    result = heuristic_attribution(crm_paths, "linear")
    assert result.notes["journeys_without_touches"] == 1
    assert result.notes["unattributed_conversions"] == 1
    assert result.notes["unattributed_revenue"] == 50
    assert result.notes["unattributed_margin"] == 10
    assert result.total("revenue") == pytest.approx(1300)


def test_per_touch_credits_are_the_share_times_the_journey(crm_paths: Paths) -> None:
    result = heuristic_attribution(crm_paths, "w_shaped")
    assert result.touch_conversions is not None and result.touch_revenue is not None
    assert result.touch_margin is not None
    np.testing.assert_allclose(result.touch_conversions[4:7], [1.8, 0.1, 0.1])
    np.testing.assert_allclose(result.touch_revenue[:4], [300, 300, 300, 100])
    np.testing.assert_allclose(result.touch_margin[:4], [120, 120, 120, 40])
    assert result.touch_conversions[7] == 0  # the journey did not convert


def test_without_roles_u_shaped_takes_the_last_touch_as_lead_creation() -> None:
    paths = make_paths([[ADS, EMAIL, WEBINAR], [ADS, SALES], [EMAIL]], [1, 1, 1])
    np.testing.assert_allclose(
        touch_shares(paths, "u_shaped"), [0.4, 0.2, 0.4, 0.5, 0.5, 1.0], rtol=1e-12
    )
    assert heuristic_attribution(paths, "u_shaped").notes["lead_creation_touch"] == "last touch"
    assert heuristic_attribution(paths, "u_shaped").channels["margin"].isna().all()


def test_missing_positions_are_renormalised_and_shared_roles_split() -> None:
    # a journey to SAL: no opportunity creation, so first 30 %, lead 30 %, rest 10 % over 70 %
    to_sal = make_paths([[ADS, EMAIL, WEBINAR]], [1], roles=[[0, LEAD_CREATION, 0]])
    np.testing.assert_allclose(touch_shares(to_sal, "w_shaped"), [3 / 7, 3 / 7, 1 / 7])
    # an account journey with two lead-creation touches: they share the 40 % evenly
    account = make_paths(
        [[ADS, EMAIL, WEBINAR, SALES]], [1], roles=[[0, LEAD_CREATION, 0, LEAD_CREATION]]
    )
    np.testing.assert_allclose(touch_shares(account, "u_shaped"), [0.4, 0.2, 0.2, 0.2])


def test_rules_that_need_more_than_the_journeys_carry_say_so() -> None:
    paths = make_paths([[ADS, EMAIL]], [1])
    with pytest.raises(ValueError, match="time_decay needs the date of every touch"):
        heuristic_attribution(paths, "time_decay")
    for model in ("w_shaped", "full_path"):
        with pytest.raises(ValueError, match=f"{model} needs the role of every touch"):
            heuristic_attribution(paths, model)
    dated = make_paths([[ADS, EMAIL]], [1], days=[[1, 0]])
    for half_life in (0, -3, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="half_life_days must be a positive number"):
            touch_shares(dated, "time_decay", half_life_days=half_life)
    backwards = make_paths([[ADS, EMAIL]], [1], days=[[1, -2]])
    with pytest.raises(ValueError, match="days_before is negative"):
        touch_shares(backwards, "time_decay")


def test_time_decay_of_very_old_journeys_does_not_underflow() -> None:
    paths = make_paths([[ADS, EMAIL]], [1], days=[[5000 + 7, 5000]])
    np.testing.assert_allclose(touch_shares(paths, "time_decay"), [1 / 3, 2 / 3])


def test_attribute_dispatches_by_name_and_lists_the_models_when_unknown(
    crm_paths: Paths,
) -> None:
    assert MODELS[:7] == HEURISTIC_MODELS and MODELS[7:] == DATA_DRIVEN
    result = attribute(crm_paths, "time_decay", half_life_days=3.5)
    assert result.model == "time_decay" and result.notes["half_life_days"] == 3.5
    assert result.channels.set_index("channel").loc["sales", "conversions"] == pytest.approx(
        64 / 85
    )
    with pytest.raises(ValueError, match=r"unknown attribution model 'lastclick'.*first, last"):
        attribute(crm_paths, "lastclick")
