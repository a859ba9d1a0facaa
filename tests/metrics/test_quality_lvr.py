"""Quality-weighted MQLs and LVR on a hand-made store whose numbers are known by construction.

Lead scores (kind lead_to_sql) as of each MQL:

- search, January: S1–S4, each 0.5 (an older 0.9 is superseded before the MQL)
- search, February: S5–S10, each 0.25
- webinar, January: W1 0.8; W2 unscored
- webinar, February: W3 0.2 (rescored 0.9 after its MQL: that later score must not count);
  W4 scored only after its MQL (so unscored); W5 0.4
- webinar, March: W6 unscored

So search alone is the textbook case: plain LVR February +50 % (6 vs 4 MQLs), weighted −25 %
(6 × 0.25 = 1.5 vs 4 × 0.5 = 2.0). Unscored MQLs count with the mean score of the scored MQLs of
their period and group: webinar January 2 × 0.8 = 1.6, February 3 × (0.2 + 0.4) / 2 = 0.9.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from revintel.metrics import (
    MetricCatalogue,
    MetricCatalogueError,
    MetricQuery,
    MetricQueryError,
    MetricSources,
    evaluate_kpi,
    parse_catalogue,
    parse_filter,
)
from revintel.store import Store, open_store

AS_OF = date(2024, 3, 31)
_ts = pd.Timestamp

#: lead → (channel, MQL time)
MQLS: dict[str, tuple[str, str]] = {
    **{f"S{i}": ("search", f"2024-01-{10 + i:02d} 09:00") for i in range(1, 5)},
    **{f"S{i}": ("search", f"2024-02-{i:02d} 09:00") for i in range(5, 11)},
    "W1": ("webinar", "2024-01-05 10:00"),
    "W2": ("webinar", "2024-01-06 10:00"),
    "W3": ("webinar", "2024-02-03 10:00"),
    "W4": ("webinar", "2024-02-04 10:00"),
    "W5": ("webinar", "2024-02-05 10:00"),
    "W6": ("webinar", "2024-03-07 10:00"),
}

#: (lead, kind, score, scored at)
SCORES: list[tuple[str, str, float, str]] = [
    *((f"S{i}", "lead_to_sql", 0.9, "2023-12-01 00:00") for i in range(1, 5)),
    *((f"S{i}", "lead_to_sql", 0.5, "2024-01-01 00:00") for i in range(1, 5)),
    *((f"S{i}", "lead_to_sql", 0.25, "2024-01-31 00:00") for i in range(5, 11)),
    ("W1", "lead_to_sql", 0.8, "2024-01-05 10:00"),  # scored the very instant it became an MQL
    ("W3", "lead_to_sql", 0.2, "2024-02-01 00:00"),
    ("W3", "lead_to_sql", 0.9, "2024-02-20 00:00"),
    ("W4", "lead_to_sql", 0.9, "2024-02-04 10:01"),
    ("W5", "lead_to_sql", 0.4, "2024-02-05 00:00"),
    # another kind of score (P(won)) is not the weight
    *((f"S{i}", "lead_to_won", 0.05, "2024-01-01 00:00") for i in range(1, 11)),
]


EVENT_COLUMNS = [
    "milestone_event_id",
    "entity_type",
    "entity_id",
    "lead_id",
    "milestone",
    "occurred_at",
]


def _lineage(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.assign(source_system="test", source_id=frame[key], import_batch_id="b1")


def quality_store() -> Store:
    """The hand-made store of the module docstring (in memory)."""
    store = open_store(":memory:")
    leads = pd.DataFrame(
        [(lead, ch, _ts(at)) for lead, (ch, at) in MQLS.items()],
        columns=["lead_id", "channel", "created_at"],
    )
    milestones = pd.DataFrame(
        [(f"{lead}-mql", "lead", lead, lead, "mql", _ts(at)) for lead, (_, at) in MQLS.items()],
        columns=EVENT_COLUMNS,
    )
    scores = pd.DataFrame(
        [
            (f"M|{lead}|{kind}|{at}", "M", kind, "lead", lead, value, _ts(at))
            for lead, kind, value, at in SCORES
        ],
        columns=["score_id", "model_id", "kind", "entity_type", "entity_id", "score", "scored_at"],
    )
    with store.transaction():
        store.insert("leads", _lineage(leads, "lead_id"))
        store.insert("milestones", _lineage(milestones, "milestone_event_id"))
        store.insert("scores", scores)
    return store


@pytest.fixture(scope="module")
def sources() -> Iterator[MetricSources]:
    store = quality_store()
    yield MetricSources.from_store(store, as_of=AS_OF)
    store.close()


def _run(
    sources: MetricSources, catalogue: MetricCatalogue, kpi: str, **query: object
) -> pd.DataFrame:
    spec = catalogue.get(kpi)
    return evaluate_kpi(sources, spec, MetricQuery(**query), catalogue.settings)  # type: ignore[arg-type]


def _by_period(frame: pd.DataFrame, column: str = "value") -> dict[str, float | None]:
    return {
        str(p): None if pd.isna(v) else round(float(v), 9)
        for p, v in zip(frame["period"], frame[column], strict=True)
    }


def test_search_alone_shows_volume_bought_with_worse_leads(
    sources: MetricSources, catalogue: MetricCatalogue
) -> None:
    search = (parse_filter("channel=search"),)
    plain = _run(sources, catalogue, "lvr", where=search)
    weighted = _run(sources, catalogue, "lvr_quality_weighted", where=search)
    assert _by_period(plain)["2024-02-01"] == 0.5
    assert _by_period(weighted) == {"2024-01-01": None, "2024-02-01": -0.25}
    feb = weighted[weighted["period"] == date(2024, 2, 1)].iloc[0]
    assert (feb["numerator"], feb["denominator"]) == (pytest.approx(1.5), pytest.approx(2.0))
    assert feb["scored_share"] == 1.0


def test_weighted_mqls_per_month_count_unscored_with_the_mean(
    sources: MetricSources, catalogue: MetricCatalogue
) -> None:
    frame = _run(sources, catalogue, "mqls_quality_weighted")
    # January: 6 MQLs, 5 scored summing to 4 × 0.5 + 0.8 = 2.8; February: 9 MQLs, 8 scored
    # summing to 6 × 0.25 + 0.2 + 0.4 = 2.1; March: W6 alone, unscored.
    assert _by_period(frame) == {
        "2024-01-01": round(6 * 2.8 / 5, 9),
        "2024-02-01": round(9 * 2.1 / 8, 9),
        "2024-03-01": None,
    }
    assert _by_period(frame, "scored_share") == {
        "2024-01-01": round(5 / 6, 9),
        "2024-02-01": round(8 / 9, 9),
        "2024-03-01": 0.0,
    }
    lvr = _run(sources, catalogue, "lvr_quality_weighted")
    assert _by_period(lvr)["2024-02-01"] == round((9 * 2.1 / 8) / (6 * 2.8 / 5) - 1, 9)
    assert _by_period(lvr)["2024-03-01"] is None  # no scored MQL in March: no weighted count


def test_a_score_written_after_the_mql_does_not_count(
    sources: MetricSources, catalogue: MetricCatalogue
) -> None:
    webinar = _run(
        sources, catalogue, "mqls_quality_weighted", where=(parse_filter("channel=webinar"),)
    )
    feb = webinar[webinar["period"] == date(2024, 2, 1)].iloc[0]
    # W3 counts with 0.2 (not its later 0.9), W4 is unscored (its only score came a minute late)
    assert feb["value"] == pytest.approx(3 * (0.2 + 0.4) / 2)
    assert feb["scored_share"] == pytest.approx(2 / 3)


def test_breakdown_by_channel(sources: MetricSources, catalogue: MetricCatalogue) -> None:
    frame = _run(sources, catalogue, "lvr_quality_weighted", by=("channel",))
    rows = {
        (str(r.period), r.channel): (r.numerator, r.denominator, r.value)
        for r in frame.itertuples()
    }
    assert rows[("2024-02-01", "search")] == pytest.approx((1.5, 2.0, -0.25))
    # webinar: January 2 × 0.8 = 1.6, February 0.9
    assert rows[("2024-02-01", "webinar")] == pytest.approx((0.9, 1.6, 0.9 / 1.6 - 1))
    assert rows[("2024-01-01", "webinar")][0] == pytest.approx(1.6)
    march = rows[("2024-03-01", "webinar")]
    assert pd.isna(march[0]) and pd.isna(march[2]) and march[1] == pytest.approx(0.9)
    assert ("2024-03-01", "search") not in rows


def test_a_range_keeps_the_previous_month_and_grain_all_is_refused(
    sources: MetricSources, catalogue: MetricCatalogue
) -> None:
    frame = _run(
        sources,
        catalogue,
        "lvr_quality_weighted",
        start=date(2024, 2, 1),
        end=date(2024, 3, 1),
        where=(parse_filter("channel=search"),),
        compare=True,
    )
    assert _by_period(frame) == {"2024-02-01": -0.25}
    with pytest.raises(MetricQueryError, match="compares periods"):
        _run(sources, catalogue, "lvr_quality_weighted", grain="all")


def test_the_catalogue_names_a_wrong_milestone() -> None:
    entry = {
        "id": "weighted_sals",
        "kind": "quality_weighted_count",
        "name": {"de": "x", "en": "x"},
        "definition": {"de": "x", "en": "x"},
        "formula": "x",
        "unit": "count",
        "params": {"milestone": "salx"},
    }
    with pytest.raises(MetricCatalogueError, match=r"kpis\[0\]\.params\.milestone"):
        parse_catalogue({"kpis": [entry]}, "company.yaml")


def test_sources_without_scores_give_months_without_a_weighted_count(
    sources: MetricSources, catalogue: MetricCatalogue
) -> None:
    # e.g. an Ibis backend holding only the model tables
    bare = MetricSources(
        {name: sources.tables[name] for name in ("leads", "milestones")}, as_of=AS_OF
    )
    frame = _run(bare, catalogue, "mqls_quality_weighted")
    assert _by_period(frame) == {"2024-01-01": None, "2024-02-01": None, "2024-03-01": None}
    assert _by_period(frame, "scored_share") == {
        "2024-01-01": 0.0,
        "2024-02-01": 0.0,
        "2024-03-01": 0.0,
    }
