"""Channel sequences of converting and stalled journeys, on the hand-made company (see
tests/attribution/buying_company.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from revintel.attribution._sequences import top_sequences
from revintel.store import Store
from tests.attribution.buying_company import buying_store


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    store = buying_store()
    yield store
    store.close()


def test_sequences_to_won(store: Store) -> None:
    frame = top_sequences(store).set_index("sequence")
    # L1, L4, L6 won (after 30, 20 and 9 days); L2 lost, L3 disqualified; L5 is open for 41
    # days as of 2024-06-10, longer than the median 20: stalled. L4's two searches count once.
    assert frame.attrs["median_days"] == 20.0
    assert frame["converting"].to_dict() == {
        "search > content": 1,
        "content > phone > field_sales": 1,
        "phone > search": 1,
        "content > field_sales > search": 0,
        "webinar > email > video": 0,
    }
    assert frame["stalled"].tolist() == [1, 0, 0, 1, 1]
    assert frame.loc["search > content", "conversion_rate"] == 0.5
    assert frame.loc["search > content", "lift"] == pytest.approx(1.0)
    assert frame.loc["phone > search", "lift"] == pytest.approx(2.0)
    assert frame.loc["phone > search", "channels"] == 2
    assert frame["converting_share"].sum() == pytest.approx(1.0)


def test_shorter_sequences_to_sql_and_top(store: Store) -> None:
    frame = top_sequences(store, to="sql", length=1, top=2)
    # Last channel before SQL: content (L1, L6), email (L2), phone (L4), field_sales (L5);
    # L3 stalled after content. Ties go alphabetically.
    assert frame["sequence"].tolist() == ["content", "email"]
    assert frame["converting"].tolist() == [2, 1]
    assert frame["stalled"].tolist() == [1, 0]
    assert frame["lift"].tolist() == pytest.approx([(2 / 3) / (5 / 6), 1 / (5 / 6)])


def test_bad_input_is_named(store: Store) -> None:
    with pytest.raises(ValueError, match="to: unknown milestone 'signed'"):
        top_sequences(store, to="signed")
    with pytest.raises(ValueError, match="length and top must be at least 1"):
        top_sequences(store, length=0)
