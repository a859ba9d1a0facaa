"""What-if factors are bounded, so one request cannot make a simulation grow without limit."""

from __future__ import annotations

import pytest

from revintel.forecast import ScenarioError, parse_scenario
from revintel.model import load_funnel


@pytest.mark.parametrize(
    "expression",
    ["lead_volume*10000", "lead_volume*10.5", "win_rate*1000", "win_rate[segment=Enterprise]*3000"],
)
def test_factors_beyond_ten_are_refused(expression: str) -> None:
    with pytest.raises(ScenarioError, match="a factor lies between 0 and 10"):
        parse_scenario([expression], load_funnel())


def test_repeated_volume_changes_are_bounded_together() -> None:
    with pytest.raises(ScenarioError, match="multiply to 16; at most 10 in all"):
        parse_scenario(["lead_volume*4", "lead_volume*4"], load_funnel())


def test_factors_within_the_bound_still_work() -> None:
    scenario = parse_scenario(["lead_volume*10", "win_rate*0.5"], load_funnel())
    assert scenario.lead_volume == 10.0
    assert scenario.win_rates[0].factor == 0.5
