"""The coverage model per account on a small demo company, and its section of the rules file."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.allocation import (
    AllocationRulesError,
    PotentialEstimate,
    ResponseCurve,
    coverage_models,
    read_coverage_models,
    read_rules,
)
from revintel.allocation._potential_features import last_order_day
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

COMPANY = SynthConfig(seed=5, leads=2_000, accounts=200, reps=4)
CURVE = ResponseCurve(s0=0.05, s_max=0.35, h_half=40.0)


def _spread(accounts: list[str]) -> PotentialEstimate:
    """Potentials from 1,000 to 3 million EUR a year, one family, nothing bought."""
    potential = np.geomspace(1e3, 3e6, len(accounts))
    frame = pd.DataFrame(
        {
            "account_id": accounts,
            "family": "Sensorik",
            "current_revenue": 0.0,
            "estimate": potential,
            "potential": potential,
            "white_space": potential,
            "peers": 0,
            "fold": 0,
        }
    )
    return PotentialEstimate(frame, quantile=0.8, folds=5, seed=0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    path: Path = tmp_path_factory.mktemp("coverage") / "demo.duckdb"
    with open_store(path) as store:
        write_demo_company(store, COMPANY)
        accounts = store.table("accounts").to_pandas()
        real = sorted(accounts.loc[~accounts["placeholder"].fillna(False), "account_id"])
        frame = coverage_models(store, curve=CURVE, potential=_spread(real))
        touchpoints = store.table("touchpoints").to_pandas()
        end = pd.Timestamp(last_order_day(store)) + pd.Timedelta(days=1)
    return frame, touchpoints[touchpoints["occurred_at"] < end]


def _share(hours_per_week: float) -> float:
    return 0.05 + 0.30 * (1 - np.exp(-hours_per_week * 46 / 40.0))


def test_margins_follow_the_packaged_models(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    frame, _ = demo
    assert len(frame) == COMPANY.accounts
    c, d, p = frame["complexity"], frame["digital_share"], frame["potential"]
    # conf/allocation.yaml: field 2 h at 85 €, inside 0.5 h at 55 €, digital 300 € a year
    field = 0.3 * p * _share(2.0) - 2.0 * 46 * 85
    inside = 0.3 * p * _share(0.5) * (1 - 0.3 * c) * (1 + 0.2 * (2 * d - 1)) - 0.5 * 46 * 55
    digital = 0.3 * p * _share(0.0) * (1 - 0.6 * c) * (1 + 0.5 * (2 * d - 1)) - 300.0
    np.testing.assert_allclose(frame["margin_field"], field, rtol=1e-9)
    np.testing.assert_allclose(frame["margin_inside"], inside, rtol=1e-9)
    np.testing.assert_allclose(frame["margin_digital"], digital, rtol=1e-9)
    best = np.array(["field", "inside", "digital"])[np.argmax([field, inside, digital], axis=0)]
    assert (frame["model"] == best).all()
    assert set(frame["cost"]) <= {7820.0, 1265.0, 300.0}
    assert set(frame["model"]) == {"field", "inside", "digital"}


def test_larger_accounts_get_more_personal_models(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    frame, _ = demo
    mean = frame.groupby("model")["potential"].mean()
    assert mean["field"] > mean["inside"] > mean["digital"]
    # inside keeps at least (1 − 0.3)(1 − 0.2) = 0.56 of its intake, digital at most 1.5 times:
    # field pays only above 6,555 / (0.3 · (s(2) − 0.56 · s(0.5))) ≈ 111,000 € a year, and
    # digital only below 965 / (0.3 · (0.56 · s(0.5) − 1.5 · s(0))) ≈ 69,000 €
    field_from = 6_555 / (0.3 * (_share(2.0) - 0.56 * _share(0.5)))
    digital_below = 965 / (0.3 * (0.56 * _share(0.5) - 1.5 * _share(0.0)))
    assert frame.loc[frame["model"] == "field", "potential"].min() > field_from
    assert frame.loc[frame["model"] == "digital", "potential"].max() < digital_below
    field = frame[frame["model"] == "field"]
    assert set(field["reason"]) <= {"complexity", "potential"}
    assert set(frame.loc[frame["model"] != "field", "reason"]) <= {"digital", "cost"}


def test_digital_share_is_the_accounts_own(demo: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    frame, touchpoints = demo
    digital = touchpoints["digital"].fillna(False) | touchpoints["self_service"].fillna(False)
    shares = digital.groupby(touchpoints["account_id"]).mean()
    got = frame.set_index("account_id")["digital_share"]
    np.testing.assert_allclose(got.reindex(shares.index), shares, atol=1e-12)
    assert (got.drop(shares.index) == 0.5).all()  # no touchpoints: neither way
    assert frame["complexity"].between(0, 1).all()


def test_the_section_is_checked_and_the_rules_still_read(tmp_path: Path) -> None:
    models, rules = read_coverage_models()
    assert models.inside.cost_per_hour == 55.0 and rules == read_rules()
    bad = tmp_path / "regeln.yaml"
    packaged = files("revintel").joinpath("conf/allocation.yaml")
    bad.write_text(
        packaged.read_text(encoding="utf-8").replace(
            "inside: {hours_per_week: 0.5, cost_per_hour: 55.0",
            "inside: {hours_per_week: 0.5, cost_per_hour: -5.0",
        ),
        encoding="utf-8",
    )
    with pytest.raises(AllocationRulesError, match=r"coverage_models\.inside\.cost_per_hour"):
        read_coverage_models(bad)
    assert read_rules(bad).margin_rate == 0.3
