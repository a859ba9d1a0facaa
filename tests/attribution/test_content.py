"""Content consumed per buying phase and its conversion lift, on the hand-made company (see
tests/attribution/buying_company.py)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from revintel.attribution._content import Phase, content_by_phase
from revintel.attribution._proportions import difference_interval, ratio_interval
from revintel.store import Store
from tests.attribution.buying_company import buying_store


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    store = buying_store()
    yield store
    store.close()


@pytest.fixture(scope="module")
def frame(store: Store) -> pd.DataFrame:
    return content_by_phase(store)


def _row(frame: pd.DataFrame, phase: str, content: str) -> pd.Series:
    return frame[(frame["phase"] == phase) & (frame["content"] == content)].iloc[0]


def test_touches_per_phase_with_kind_as_fallback(frame: pd.DataFrame) -> None:
    counts = frame.groupby("phase", sort=False)["touches"].sum()
    assert counts.to_dict() == {
        "before_mql": 6,
        "mql_to_sql": 6,
        "sql_to_offer": 3,
        "offer_to_decision": 3,
    }
    mql_sql = frame[frame["phase"] == "mql_to_sql"]
    assert mql_sql["content"].tolist() == ["case_study", "email_click", "meeting", "whitepaper"]
    assert mql_sql["share"].tolist() == pytest.approx([0.5, 1 / 6, 1 / 6, 1 / 6])
    # T16's empty content falls back to its kind.
    assert _row(frame, "sql_to_offer", "web_visit")["touches"] == 1


def test_conversion_lift_of_case_studies_between_mql_and_sql(frame: pd.DataFrame) -> None:
    row = _row(frame, "mql_to_sql", "case_study")
    # With: L1, L5, L6 all reached SQL; without: L2, L4 did, L3 was disqualified.
    assert (row["decided_with"], row["converted_with"]) == (3, 3)
    assert (row["decided_without"], row["converted_without"]) == (3, 2)
    assert row["difference"] == pytest.approx(1 / 3)
    assert row["lift"] == pytest.approx(1.5)
    _, low, high = difference_interval(3, 3, 2, 3)
    assert (row["difference_low"], row["difference_high"]) == pytest.approx(
        (float(low), float(high))
    )
    _, r_low, r_high = ratio_interval(3, 3, 2, 3)
    assert (row["lift_low"], row["lift_high"]) == pytest.approx((float(r_low), float(r_high)))


def test_open_journeys_are_left_out_of_the_lift(frame: pd.DataFrame) -> None:
    call = _row(frame, "sql_to_offer", "call")
    assert (call["converted_with"], call["decided_with"]) == (1, 1)
    # L2 (lost), L4 and L6 (offer sent) decided without a call; L5 is still open.
    assert (call["converted_without"], call["decided_without"]) == (2, 3)
    web = _row(frame, "sql_to_offer", "web_visit")
    assert (web["journeys"], web["decided_with"]) == (1, 0)
    assert np.isnan(web["rate_with"]) and np.isnan(web["lift"])


def test_own_phases_and_bad_milestones(store: Store) -> None:
    frame = content_by_phase(store, phases=(Phase("to_won", None, "won"),))
    whitepaper = _row(frame, "to_won", "whitepaper")
    # L1, L3, L5, L6 read a whitepaper; L1 and L6 won, L3 was disqualified, L5 is open.
    assert (whitepaper["converted_with"], whitepaper["decided_with"]) == (2, 3)
    assert (whitepaper["converted_without"], whitepaper["decided_without"]) == (1, 2)
    with pytest.raises(ValueError, match="phase 'x' target: unknown milestone 'signed'"):
        content_by_phase(store, phases=(Phase("x", "mql", "signed"),))
