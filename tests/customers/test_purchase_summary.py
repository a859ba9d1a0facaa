"""Purchase summaries from orders, and the calibration/holdout check of the models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from revintel.customers._bgnbd import BetaGeoModel
from revintel.customers._calibration import calibration_holdout_table, repeat_purchase_tracking
from revintel.customers._summary import purchase_summary
from tests.shared_data import shared_dataset

CALIBRATION_END = "1997-09-30"
HOLDOUT_WEEKS = 39  # weeks 40-78, to 1998-06-30


@pytest.fixture(scope="module")
def cdnow_orders() -> pd.DataFrame:
    raw = pd.read_csv(
        shared_dataset("cdnow_btyd") / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "account_id", "date", "cds", "amount"],
    )
    return pd.DataFrame(
        {
            "account_id": raw["account_id"],
            "ordered_at": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
            "amount": raw["amount"],
        }
    )


@pytest.fixture(scope="module")
def cdnow_summary(cdnow_orders: pd.DataFrame) -> pd.DataFrame:
    return purchase_summary(cdnow_orders, CALIBRATION_END, unit="W", holdout=HOLDOUT_WEEKS)


def test_summary_rebuilds_the_published_cdnow_summary(cdnow_summary: pd.DataFrame) -> None:
    published = pd.read_csv(
        shared_dataset("cdnow_btyd") / "cdnow_customers_summary_with_transactions.csv"
    ).set_index("ID")
    assert len(cdnow_summary) == len(published) == 2357
    summary = cdnow_summary.loc[published.index]
    assert (summary["frequency"] == published["x"]).all()
    assert np.allclose(summary["recency"].round(2), published["t_x"], atol=1e-9)
    assert np.allclose(summary["T"].round(2), published["T"], atol=1e-9)
    # zbar is published to cents; a value ending in half a cent may round either way
    assert np.allclose(summary["mean_value"], published["zbar"], atol=0.01 + 1e-9)


def test_calibration_holdout_table_on_cdnow_weeks_40_to_78(cdnow_summary: pd.DataFrame) -> None:
    s = cdnow_summary
    model = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
    table = calibration_holdout_table(model, s, HOLDOUT_WEEKS, max_frequency=7)
    assert list(table.index) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert table["customers"].sum() == 2357
    assert table.loc["0", "customers"] == 1411
    actual, expected = table["actual_total"].sum(), table["expected_total"].sum()
    assert actual == 1882
    # lifetimes' BetaGeoFitter gives the same 1653.4; the conditional forecast of weeks 40-78
    # falls 12 % short on this sample (both BG/NBD and Pareto/NBD), mostly for x = 1 and 2
    assert expected == pytest.approx(1653.4, abs=0.5)
    assert 0.87 < expected / actual < 0.89
    assert table.loc["7+", "expected_mean"] == pytest.approx(
        table.loc["7+", "actual_mean"], rel=0.05
    )
    assert table["expected_mean"].is_monotonic_increasing


def test_tracking_of_cumulative_repeat_purchases_on_cdnow(cdnow_orders: pd.DataFrame) -> None:
    s = purchase_summary(cdnow_orders, CALIBRATION_END, unit="W")
    model = BetaGeoModel().fit(s["frequency"], s["recency"], s["T"])
    tracking = repeat_purchase_tracking(model, cdnow_orders, "1997-01-01", 78, unit="W")
    assert len(tracking) == 78
    assert tracking["cumulative_actual"].iloc[-1] == tracking["actual"].sum()
    at_39, at_78 = tracking.loc[39], tracking.loc[78]
    # cumulative repeat purchases: 2502 expected vs 2462 actual by week 39, 4166 vs 4339 by 78
    assert at_39["cumulative_expected"] == pytest.approx(at_39["cumulative_actual"], rel=0.02)
    assert at_78["cumulative_expected"] == pytest.approx(at_78["cumulative_actual"], rel=0.05)


def _orders(rows: list[tuple[str, str, str, float, str, str | None]]) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    names = ["order_id", "account_id", "ordered_at", "amount", "kind", "original_order_id"]
    frame = pd.DataFrame(dict(zip(names, columns, strict=True)))
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], format="ISO8601")
    return pa.Table.from_pandas(frame, preserve_index=False)


def test_same_day_orders_count_once_and_returns_net_against_their_order() -> None:
    orders = _orders(
        [
            ("O1", "A", "2024-01-01 09:00", 100.0, "order", None),
            ("O2", "A", "2024-01-01 17:30", 50.0, "order", None),  # same day as O1
            ("O3", "A", "2024-01-11", 80.0, "order", None),
            ("O4", "A", "2024-01-21", 40.0, "order", None),
            ("R1", "A", "2024-01-25", -30.0, "return", "O3"),  # partial return of O3
            ("R2", "A", "2024-01-26", -40.0, "return", "O4"),  # O4 returned in full
            ("R3", "A", "2024-01-27", -99.0, "return", None),  # unknown original: ignored
            ("R4", "A", "2024-02-02", -50.0, "return", "O3"),  # after the cut-off: not yet known
            ("O5", "B", "2024-01-31", 10.0, "order", None),  # on the cut-off day: counts
            ("O6", "B", "2024-02-01", 20.0, "order", None),  # after the cut-off
            ("O7", "B", "2024-02-05", 25.0, "order", None),
        ]
    )
    summary = purchase_summary(orders, "2024-01-31", unit="D", holdout=7)
    a, b = summary.loc["A"], summary.loc["B"]
    assert (a["frequency"], a["recency"], a["T"]) == (1, 10.0, 30.0)
    assert a["mean_value"] == pytest.approx(50.0)  # 80 − 30 returned
    assert (b["frequency"], b["recency"], b["T"], b["mean_value"]) == (0, 0.0, 0.0, 0.0)
    assert (b["holdout_frequency"], b["holdout_value"]) == (2, 45.0)
    assert a["holdout_frequency"] == 0
    # two days later the rest of O3 has come back too: A has made no repeat purchase
    later = purchase_summary(orders, "2024-02-02", unit="D").loc["A"]
    assert (later["frequency"], later["recency"], later["T"]) == (0, 0.0, 32.0)


def test_summary_units_scale_recency_and_age() -> None:
    orders = _orders(
        [
            ("O1", "A", "2023-01-01", 10.0, "order", None),
            ("O2", "A", "2023-07-02", 10.0, "order", None),
        ]
    )
    weeks = purchase_summary(orders, "2024-01-01", unit="W").loc["A"]
    years = purchase_summary(orders, "2024-01-01", unit="Y").loc["A"]
    assert weeks["recency"] == pytest.approx(182 / 7)
    assert years["T"] == pytest.approx(365 / 365.25)


@pytest.mark.parametrize(
    ("orders", "kwargs", "message"),
    [
        (pd.DataFrame({"account_id": ["A"], "amount": [1.0]}), {}, "ordered_at"),
        (pd.DataFrame(columns=["account_id", "ordered_at", "amount"]), {}, "empty"),
        (
            pd.DataFrame({"account_id": ["A"], "ordered_at": ["2025-01-01"], "amount": [1.0]}),
            {},
            "no purchases on or before 2024-12-31",
        ),
        (
            pd.DataFrame({"account_id": ["A"], "ordered_at": ["2024-01-01"], "amount": [1.0]}),
            {"unit": "Q"},
            "unknown time unit 'Q'",
        ),
        (
            pd.DataFrame({"account_id": ["A"], "ordered_at": ["2024-01-01"], "amount": [1.0]}),
            {"holdout": 0},
            "holdout must be a positive length",
        ),
    ],
)
def test_summary_names_bad_input(
    orders: pd.DataFrame, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        purchase_summary(orders, "2024-12-31", **kwargs)  # type: ignore[arg-type]


def test_holdout_table_needs_holdout_columns() -> None:
    model = BetaGeoModel.from_params(r=0.5, alpha=5.0, a=0.8, b=2.0)
    summary = pd.DataFrame({"frequency": [1], "recency": [2.0], "T": [5.0]})
    with pytest.raises(ValueError, match="holdout_frequency"):
        calibration_holdout_table(model, summary, 10.0)
