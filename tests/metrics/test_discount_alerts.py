"""Discount-drift alerts: a planted rise is found, an unchanged store stays quiet, and the demo
company's reps, whose discount habits never change, raise none.

The hand-made store: two reps sell to two Enterprise and two Mittelstand accounts, 12 won deals
each per quarter from Q3 2023 to Q3 2024 at discounts of 10 % ± 2 points (seeded); the as-of
date lies in Q4 2024, whose deals (at 30 %) are not complete yet. In the drifted store R2's
discounts of Q3 2024 are 5 points higher.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from revintel.metrics import (
    MetricCatalogue,
    MetricSources,
    alerts_frame,
    evaluate_alerts,
    load_catalogue,
)
from revintel.metrics._discount_alerts import holm_adjusted, welch_t_test
from revintel.store import open_store
from tests.pricing.conftest import small_pricing_db  # noqa: F401  (a fixture shared with pricing)

LINEAGE = {"source_system": "crm", "import_batch_id": "b1"}
CATALOGUE = load_catalogue()
QUARTERS = ["2023-07-01", "2023-10-01", "2024-01-01", "2024-04-01", "2024-07-01"]
AS_OF = date(2024, 10, 15)
ACCOUNTS = {"A1": "Enterprise", "A2": "Enterprise", "A3": "Mittelstand", "A4": "Mittelstand"}


def _deals(drift: float) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    for q, start in enumerate(QUARTERS):
        for rep in ("R1", "R2"):
            for i in range(12):
                discount = float(np.clip(rng.normal(0.10, 0.02), 0.0, 0.35))
                if rep == "R2" and q == len(QUARTERS) - 1:
                    discount += drift
                closed = pd.Timestamp(start) + pd.Timedelta(days=5 + 7 * i)
                rows.append((rep, f"A{1 + i % 4}", discount, closed))
    for i in range(12):  # Q4 2024 is not complete at the as-of date
        rows.append(
            ("R1", f"A{1 + i % 4}", 0.30, pd.Timestamp("2024-10-01") + pd.Timedelta(days=i))
        )
    deals = pd.DataFrame(rows, columns=["rep_id", "account_id", "discount", "closed_at"])
    deals["opportunity_id"] = [f"O{i:04d}" for i in range(len(deals))]
    deals["list_price"] = 1000.0
    deals["amount"] = (1000.0 * (1.0 - deals["discount"])).round(2)
    deals["created_at"] = deals["closed_at"] - pd.Timedelta(days=60)
    return deals.assign(status="won", currency="EUR")


@pytest.fixture(scope="module", params=[0.0, 0.05], ids=["unchanged", "drifted"])
def deal_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[MetricSources, float]]:
    store = open_store(tmp_path_factory.mktemp("drift") / "store.duckdb")
    accounts = pd.DataFrame({"account_id": list(ACCOUNTS), "segment": list(ACCOUNTS.values())})
    reps = pd.DataFrame({"rep_id": ["R1", "R2"], "team": ["Nord", "Süd"]})
    deals = _deals(request.param)
    for table, frame, key in [
        ("accounts", accounts.assign(name=accounts["account_id"]), "account_id"),
        ("reps", reps.assign(name=reps["rep_id"]), "rep_id"),
        ("opportunities", deals, "opportunity_id"),
    ]:
        store.insert(table, frame.assign(source_id=frame[key], **LINEAGE))
    yield MetricSources.from_store(store, as_of=AS_OF), request.param
    store.close()


def _discount_only(**alert: object) -> MetricCatalogue:
    spec = CATALOGUE.get("average_discount")
    assert spec.alert is not None and spec.alert.rule == "discount_drift"
    changed = spec.model_copy(update={"alert": spec.alert.model_copy(update=alert)})
    return MetricCatalogue(settings=CATALOGUE.settings, kpis=(changed,))


def test_planted_drift_is_found_and_nothing_else(deal_store: tuple[MetricSources, float]) -> None:
    sources, drift = deal_store
    alerts = evaluate_alerts(sources, _discount_only())
    if drift == 0.0:
        assert alerts == []
        return
    reps = [a for a in alerts if "rep" in a.group]
    assert [a.group for a in reps] == [{"rep": "R2"}]
    alert = reps[0]
    assert alert.period == date(2024, 7, 1)  # the last complete quarter, not Q4
    deals = _deals(drift)
    r2 = deals[deals["rep_id"] == "R2"]
    last = r2["closed_at"] >= pd.Timestamp("2024-07-01")
    current, trailing = r2.loc[last, "discount"], r2.loc[~last, "discount"]
    # the discounts as stored: list price − amount over list price
    current = 1.0 - (1000.0 * (1.0 - current)).round(2) / 1000.0
    trailing = 1.0 - (1000.0 * (1.0 - trailing)).round(2) / 1000.0
    assert alert.value == pytest.approx(current.mean())
    assert alert.reference == pytest.approx(trailing.mean())
    assert alert.value - alert.reference == pytest.approx(0.05, abs=0.012)
    reference = stats.ttest_ind(current, trailing, equal_var=False, alternative="greater")
    assert alert.numbers["p_value"] == pytest.approx(reference.pvalue, rel=1e-6)
    assert alert.numbers["deals"] == 12 and alert.numbers["trailing_deals"] == 48
    assert alert.numbers["p_adjusted"] < 0.01
    assert alert.reason_de.startswith(
        f"Rabatt von R2 im Q3 2024: {alert.value * 100:.1f} % gegenüber ".replace(".", ",")
    )
    assert "in den 4 Quartalen davor" in alert.reason_de
    assert "in the 4 quarters before" in alert.reason_en
    assert set(alerts_frame(alerts, "de")["rule"]) == {"discount_drift"}


def test_min_count_and_trailing_periods_gate_the_test(
    deal_store: tuple[MetricSources, float],
) -> None:
    sources, _ = deal_store
    # 12 deals per rep, 24 in all per quarter: asking for 25 leaves nothing to test.
    assert evaluate_alerts(sources, _discount_only(min_count=25)) == []
    tested = evaluate_alerts(sources, _discount_only(min_count=13))
    assert all(a.group == {} for a in tested)


def test_welch_test_equals_scipy() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(0.15, 0.03, 14), rng.normal(0.12, 0.05, 40)
    ours = welch_t_test(a, b)
    theirs = stats.ttest_ind(a, b, equal_var=False, alternative="greater")
    assert ours.t == pytest.approx(theirs.statistic, rel=1e-9)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-9)
    with pytest.raises(ValueError, match="two values per sample"):
        welch_t_test(a[:1], b)


def test_holm_adjustment() -> None:
    # sorted 0.001, 0.01, 0.02, 0.04 times 4, 3, 2, 1, made monotone
    assert holm_adjusted([0.04, 0.001, 0.02, 0.01]) == [0.04, 0.004, 0.04, 0.03]
    assert holm_adjusted([]) == []


def test_no_drift_on_the_small_demo(small_pricing_db: Path) -> None:  # noqa: F811
    """The demo's reps keep their discount habits, so no rep or segment drifts."""
    with open_store(small_pricing_db, read_only=True) as store:
        sources = MetricSources.from_store(store)
        alerts = evaluate_alerts(sources, _discount_only())
        looser = evaluate_alerts(sources, _discount_only(min_count=5))
    assert alerts == []
    assert looser == []
