"""Channel mix, digital/self-service/mobile shares and before/after an event, on the hand-made
company; the shares as KPIs through the CLI; invariants on a small generated company."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from revintel.attribution._before_sales import share_before_sales_contact
from revintel.attribution._content import content_by_phase
from revintel.attribution._digital import before_after, channel_mix, touch_shares
from revintel.attribution._proportions import difference_interval, ratio_interval
from revintel.attribution._sequences import top_sequences
from revintel.cli import app
from revintel.store import Store, open_store
from tests.attribution.buying_company import buying_store

Y2023, Y2024 = pd.Timestamp("2023-01-01"), pd.Timestamp("2024-01-01")


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    store = buying_store()
    yield store
    store.close()


def test_channel_mix_shares_by_year(store: Store) -> None:
    frame = channel_mix(store, grain="year")
    y2024 = frame[pd.to_datetime(frame["period"]) == Y2024]
    assert y2024["channel"].tolist() == ["search", "content", "field_sales", "phone"]
    assert y2024["touchpoints"].tolist() == [6, 3, 1, 1]
    assert y2024["share"].tolist() == pytest.approx([6 / 11, 3 / 11, 1 / 11, 1 / 11])
    y2023 = frame[pd.to_datetime(frame["period"]) == Y2023]
    assert len(y2023) == 8 and set(y2023["share"]) == {0.125}
    overall = channel_mix(store, grain="all", by="segment")
    assert overall.groupby("segment")["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    assert "period" not in overall.columns


def test_touch_shares_count_only_known_flags(store: Store) -> None:
    frame = touch_shares(store, grain="year")
    assert frame["touchpoints"].tolist() == [8, 11]
    assert frame["digital_share"].tolist() == pytest.approx([5 / 8, 9 / 11])
    # T8 (trade fair) has no self-service flag; mobile counts digital touches with a device.
    assert frame["self_service_known"].tolist() == [7, 11]
    assert frame["self_service_share"].tolist() == pytest.approx([4 / 7, 9 / 11])
    assert frame["mobile_known"].tolist() == [4, 6]
    assert frame["mobile_share"].tolist() == pytest.approx([0.5, 4 / 6])
    by_kind = touch_shares(store, grain="all", by="kind").set_index("kind")
    assert by_kind.loc["web_visit", "touchpoints"] == 7
    assert by_kind.loc["web_visit", "mobile_share"] == pytest.approx(3 / 5)  # T13, T17 unknown


def test_before_after_with_newcombe_difference(store: Store) -> None:
    frame = before_after(store, date(2024, 1, 1))
    assert frame["window"].tolist() == ["before", "during"]
    assert frame["touchpoints"].tolist() == [8, 11]
    assert frame["flagged"].tolist() == [5, 9]
    during = frame.iloc[1]
    assert during["difference"] == pytest.approx(9 / 11 - 5 / 8)
    _, low, high = difference_interval(9, 11, 5, 8)
    assert (during["difference_low"], during["difference_high"]) == pytest.approx((low, high))
    assert during["difference_low"] < 0 < during["difference_high"]  # too few touches to tell
    assert np.isnan(frame["difference"].iloc[0])


def test_before_during_after_for_mobile(store: Store) -> None:
    frame = before_after(store, "2023-03-01", "2024-01-01", measure="mobile")
    assert frame["window"].tolist() == ["before", "during", "after"]
    assert frame["touchpoints"].tolist() == [2, 2, 6]
    assert frame["flagged"].tolist() == [1, 1, 4]
    assert frame["difference"].tolist()[1:] == pytest.approx([0.0, 4 / 6 - 0.5])


def test_bad_input_is_named(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown measure 'paper'"):
        before_after(store, "2024-01-01", measure="paper")
    with pytest.raises(ValueError, match="event_end 2023-01-01 must lie after"):
        before_after(store, "2024-01-01", "2023-01-01")
    with pytest.raises(ValueError, match="unknown grain 'decade'"):
        touch_shares(store, grain="decade")
    with pytest.raises(ValueError, match="unknown breakdown 'colour'"):
        channel_mix(store, by="colour")


def test_intervals_match_published_numbers() -> None:
    # Newcombe (1998), Table II, example (a): 56/70 vs 48/80, method 10.
    d, low, high = difference_interval(56, 70, 48, 80)
    assert float(d) == pytest.approx(0.2)
    assert (round(float(low), 4), round(float(high), 4)) == (0.0524, 0.3339)
    r, r_low, r_high = ratio_interval(56, 70, 48, 80)
    assert float(r_low) < float(r) < float(r_high)
    assert float(ratio_interval(0, 10, 5, 10)[0]) == 0.0
    assert np.isnan(ratio_interval(5, 10, 0, 10)[0])


def _kpi(db: str, kpi: str) -> list[str]:
    result = CliRunner().invoke(app, ["kpi", kpi, "--grain", "year", "--db", db, "-f", "csv"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[1:]


def test_share_kpis_through_the_cli(tmp_path: Path) -> None:
    db = str(tmp_path / "buying.duckdb")
    buying_store(db).close()
    self_service = [row.split(",")[1:5] for row in _kpi(db, "self_service_share")]
    assert self_service == [
        ["2023-01-01", str(4 / 7), "4", "7"],
        ["2024-01-01", str(9 / 11), "9", "11"],
    ]
    mobile = [row.split(",")[1:5] for row in _kpi(db, "mobile_share")]
    assert mobile == [["2023-01-01", "0.5", "2", "4"], ["2024-01-01", str(4 / 6), "4", "6"]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from revintel.synth import SynthConfig, write_demo_company

    store = open_store(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    write_demo_company(store, SynthConfig(seed=3, leads=1_000, accounts=120, reps=3))
    yield store
    store.close()


def test_invariants_on_a_generated_company(demo: Store) -> None:
    touches = int(demo.table("touchpoints").count().execute())
    mix = channel_mix(demo, grain="quarter")
    assert mix["touchpoints"].sum() == touches
    assert np.allclose(mix.groupby("period")["share"].sum(), 1.0)
    shares = touch_shares(demo, grain="year")
    assert shares["touchpoints"].sum() == touches
    for column in ("digital_share", "self_service_share", "mobile_share"):
        values = shares[column].dropna()
        assert ((values >= 0) & (values <= 1)).all()
    event = before_after(demo, "2020-03-01", "2022-01-01")
    assert event["touchpoints"].sum() == touches
    before = share_before_sales_contact(demo, by="segment")
    overall = before.iloc[-1]
    assert before.iloc[:-1]["journeys"].sum() == overall["journeys"]
    assert overall["with_sales_contact"] + overall["without_sales_contact"] == overall["journeys"]
    assert 0 <= overall["time_share_median"] <= 1 and 0 <= overall["touch_share_mean"] <= 1
    content = content_by_phase(demo)
    assert np.allclose(content.groupby("phase")["share"].sum(), 1.0)
    assert (content["converted_with"] <= content["decided_with"]).all()
    sequences = top_sequences(demo, top=5)
    assert 1 <= len(sequences) <= 10
    assert sequences["conversion_rate"].between(0, 1).all()
