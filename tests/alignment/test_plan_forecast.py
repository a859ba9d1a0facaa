"""The plan beside the order-intake forecast of the same period."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from revintel.alignment._plan import PlanRequest, parse_period, reverse_plan
from revintel.auth import Role, User
from revintel.forecast import ForecastSettings, forecast, load_history
from revintel.model import load_funnel
from revintel.store import open_store
from revintel.views._plan import PlanInputError, PlanInputs, plan_view

AS_OF = date(2024, 6, 30)
MANAGER = User("chef", "Chef", Role.manager)


def test_the_forecast_of_the_planned_quarter_is_its_median_total(demo_db: Path) -> None:
    start, end = parse_period("2024-Q3")
    with open_store(demo_db, read_only=True) as store:
        plan = reverse_plan(
            store, PlanRequest(500_000.0, start, end, as_of=AS_OF, draws=200, with_forecast=True)
        )
        # The same forecast run on its own: three months from July, seed and settings as planned.
        result = forecast(load_history(store, load_funnel()), AS_OF, ForecastSettings(months=3))
    inside = [i for i, m in enumerate(result.months) if start <= m <= end]
    assert len(inside) == 3
    expected = float(np.median(result.simulation.total[:, inside, :].sum(axis=(1, 2))))
    assert plan.forecast_p50 == pytest.approx(expected, abs=0.01)
    assert plan.forecast_p50 > 0
    with open_store(demo_db, read_only=True) as store:
        without = reverse_plan(store, PlanRequest(500_000.0, start, end, as_of=AS_OF, draws=200))
    assert without.forecast_p50 is None


def test_a_period_beyond_the_36_forecast_months_is_refused_naming_the_field(demo_db: Path) -> None:
    with open_store(demo_db, read_only=True) as store:
        inputs = PlanInputs(
            target=1e6, period="2027-Q3", as_of=AS_OF, draws=200, with_forecast=True
        )
        with pytest.raises(PlanInputError, match="with_forecast"):
            plan_view(store, MANAGER, inputs)
