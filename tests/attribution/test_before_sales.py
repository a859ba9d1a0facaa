"""Share of the buying journey completed before the first sales contact, on the hand-made
company (see tests/attribution/buying_company.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from revintel.attribution._before_sales import (
    sales_contact_journeys,
    share_before_sales_contact,
)
from revintel.store import Store
from tests.attribution.buying_company import buying_store


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    store = buying_store()
    yield store
    store.close()


def test_per_journey_touches_and_ends(store: Store) -> None:
    frame = sales_contact_journeys(store).execute().set_index("lead_id").sort_index()
    assert frame["touches"].tolist() == [4, 3, 2, 3, 4, 2]
    assert frame["touches_before"].tolist() == [2, 2, 2, 0, 2, 2]
    assert frame["first_sales"].isna().tolist() == [False, False, True, False, False, True]
    # L1 ends when won; the open L5 at its last touch.
    assert frame.loc["L1", "journey_end"] == pd.Timestamp("2023-02-01")
    assert frame.loc["L5", "journey_end"] == pd.Timestamp("2024-05-09")


def test_shares_by_segment_and_year_with_the_overall_row(store: Store) -> None:
    frame = share_before_sales_contact(store)
    enterprise, mittelstand, overall = (frame.iloc[i] for i in range(3))
    assert (enterprise["segment"], enterprise["year"]) == ("Enterprise", 2023)
    # L1: 2 of 4 touches, 18 of 30 days; L2: 2 of 3 touches, 20 of 30 days.
    assert enterprise["touch_share_median"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert enterprise["time_share_median"] == pytest.approx((0.6 + 2 / 3) / 2)
    assert enterprise["without_sales_contact"] == 0
    # L3 and L6 never talked to sales; L4 called first (0); L5: 2 of 4 touches, 4 of 8 days.
    assert (mittelstand["segment"], mittelstand["year"]) == ("Mittelstand", 2024)
    assert (mittelstand["journeys"], mittelstand["with_sales_contact"]) == (4, 2)
    assert mittelstand["without_sales_contact_share"] == 0.5
    assert mittelstand["touch_share_median"] == pytest.approx(0.25)
    assert mittelstand["time_share_mean"] == pytest.approx(0.25)
    assert pd.isna(overall["segment"]) and pd.isna(overall["year"])
    assert (overall["journeys"], overall["without_sales_contact"]) == (6, 2)
    assert overall["time_share_median"] == pytest.approx(0.55)
    assert overall["time_share_mean"] == pytest.approx((0.6 + 2 / 3 + 0 + 0.5) / 4)
    assert overall["touch_share_mean"] == pytest.approx((0.5 + 2 / 3 + 0 + 0.5) / 4)


def test_sales_kinds_and_as_of_change_the_measure(store: Store) -> None:
    # Only meetings count: L1's meeting on day 29 of 30; L5's on day 4 (of 8 to its last touch).
    meetings = share_before_sales_contact(store, by=(), sales_kinds=("meeting",)).iloc[0]
    assert (meetings["with_sales_contact"], meetings["without_sales_contact"]) == (2, 4)
    assert meetings["time_share_mean"] == pytest.approx((29 / 30 + 0.5) / 2)
    # As of 2024-05-06, L5 (open) runs until the end of that day: 4 of 6 days before its meeting.
    early = share_before_sales_contact(store, by="segment", as_of=date(2024, 5, 6))
    mittelstand = early[early["segment"] == "Mittelstand"].iloc[0]
    assert mittelstand["journeys"] == 3  # L6 began later
    assert mittelstand["time_share_median"] == pytest.approx((0 + 4 / 6) / 2)


def test_bad_input_is_named(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown breakdown 'team'"):
        share_before_sales_contact(store, by="team")
    with pytest.raises(ValueError, match="sales_kinds is empty"):
        share_before_sales_contact(store, sales_kinds=())


def test_touches_logged_on_an_opportunity_belong_to_its_lead() -> None:
    with buying_store() as store:
        store.insert(
            "opportunities",
            pd.DataFrame(
                {
                    "opportunity_id": ["O1"],
                    "lead_id": ["L1"],
                    "created_at": [pd.Timestamp("2023-01-25")],
                    "status": ["won"],
                    "source_system": ["test"],
                    "source_id": ["O1"],
                    "import_batch_id": ["b1"],
                }
            ),
        )
        touch = {
            "touchpoint_id": ["T20"],
            "opportunity_id": ["O1"],
            "channel": ["phone"],
            "kind": ["call"],
            "digital": [False],
            "occurred_at": [pd.Timestamp("2023-01-26")],
            "source_system": ["test"],
            "source_id": ["T20"],
            "import_batch_id": ["b1"],
        }
        store.insert("touchpoints", pd.DataFrame(touch))
        frame = sales_contact_journeys(store).execute().set_index("lead_id")
    assert (frame.loc["L1", "touches"], frame.loc["L1", "touches_before"]) == (5, 2)
