"""The reverse plan against what past quarters actually needed, on the small demo company."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from revintel.alignment._plan_backtest import backtest_plan, feeding_mqls, quarter_origins
from revintel.alignment._plan_rates import LeadJourneys, load_journeys
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

#: Small enough to build in seconds; about 12 quarters after two years of history.
PLAN_DEMO = SynthConfig(seed=5, leads=4_000, accounts=300, reps=6)


@pytest.fixture(scope="module")
def plan_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("plan_demo") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, PLAN_DEMO)
    return db


@pytest.fixture(scope="module")
def journeys(plan_demo_db: Path) -> LeadJourneys:
    with open_store(plan_demo_db, read_only=True) as store:
        return load_journeys(store)


def test_origins_are_quarter_ends_with_two_years_before_and_a_full_quarter_after(
    journeys: LeadJourneys,
) -> None:
    origins = quarter_origins(journeys, date(2020, 1, 1))
    assert origins[0] == date(2021, 12, 31)
    assert all((o.month, o.day) in ((3, 31), (6, 30), (9, 30), (12, 31)) for o in origins)
    assert origins[-1] <= date(2024, 9, 30)


def test_required_mql_interval_covers_the_realised_mqls(journeys: LeadJourneys) -> None:
    origins = quarter_origins(journeys, date(2020, 1, 1))
    result = backtest_plan(journeys, origins, by="channel", draws=300, seed=1)
    points = result.points
    assert len(points) == len(origins) >= 10
    # The nominal 80 % interval: with 10-12 origins the share covered has a binomial standard
    # error near 0.12 and the realised MQLs are counted in a window set by the median lag, so
    # 0.5 is about two and a half standard errors below the nominal rate; an interval of
    # parameter noise alone (no realisation noise) covers far fewer.
    assert result.coverage >= 0.5
    assert result.median_relative_error < 0.45
    # the realised figure is the MQLs of the lag-shifted quarter
    first = points.iloc[0]
    assert first["realised"] > 0
    assert feeding_mqls(journeys, date(2022, 1, 1), date(2022, 3, 31), 0.0) > 0
