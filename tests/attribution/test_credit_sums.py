"""Whatever the journeys, every model hands out exactly the conversions, value and margin there are.

Random journeys (empty ones included) with random roles, touch ages, conversions, non-converting
journeys, values and margins: the channel rows (baseline included) plus what journeys without
touches left unattributed equal the totals, and per-touch credits summed by channel equal the
channel rows.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from revintel.attribution._heuristic import HEURISTIC_MODELS
from revintel.attribution._models import DATA_DRIVEN, MODELS, attribute
from revintel.attribution._paths import Paths
from revintel.attribution._result import BASELINE, Attribution

_MODULE_OF = {"markov": "revintel.attribution._markov", "shapley": "revintel.attribution._shapley"}


def _available(model: str) -> Any:
    module = _MODULE_OF.get(model)
    if module is None or importlib.util.find_spec(module) is not None:
        return model
    return pytest.param(
        model, marks=pytest.mark.skip(reason=f"the {model} model ({module}) is not written yet")
    )


@st.composite
def random_paths(draw: st.DrawFn) -> Paths:
    n_channels = draw(st.integers(1, 6))
    n_journeys = draw(st.integers(1, 25))
    lengths = draw(st.lists(st.integers(0, 7), min_size=n_journeys, max_size=n_journeys))
    n_touches = sum(lengths)
    codes = draw(st.lists(st.integers(0, n_channels - 1), min_size=n_touches, max_size=n_touches))
    aggregated = draw(st.booleans())
    counts = st.integers(0, 9) if aggregated else st.integers(0, 1)
    conversions = np.array(
        draw(st.lists(counts, min_size=n_journeys, max_size=n_journeys)), dtype=float
    )
    nulls = (
        np.array(draw(st.lists(counts, min_size=n_journeys, max_size=n_journeys)), dtype=float)
        if aggregated
        else 1 - conversions
    )
    price = st.floats(0, 5000, allow_nan=False)
    value = conversions * draw(st.lists(price, min_size=n_journeys, max_size=n_journeys))
    with_margin, with_days, with_roles = draw(
        st.tuples(st.booleans(), st.booleans(), st.booleans())
    )
    days = st.floats(0, 400, allow_nan=False)
    return Paths(
        channels=tuple(f"channel {c}" for c in range(n_channels)),
        offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        codes=np.array(codes, dtype=np.int32),
        conversions=conversions,
        nulls=nulls,
        value=value,
        margin=value * draw(st.floats(0, 0.6)) if with_margin else None,
        days_before=np.array(draw(st.lists(days, min_size=n_touches, max_size=n_touches)))
        if with_days
        else None,
        role=np.array(
            draw(st.lists(st.integers(0, 7), min_size=n_touches, max_size=n_touches)),
            dtype=np.int8,
        )
        if with_roles
        else None,
    )


def _attribute_or_explain(paths: Paths, model: str) -> Attribution | None:
    """The model's result, or ``None`` when the journeys lack what the model needs."""
    if model == "time_decay" and paths.days_before is None:
        with pytest.raises(ValueError, match="time_decay needs the date of every touch"):
            attribute(paths, model)
        return None
    if model in ("w_shaped", "full_path") and paths.role is None:
        with pytest.raises(ValueError, match="needs the role of every touch"):
            attribute(paths, model)
        return None
    return attribute(paths, model, shapley_samples=200)


@pytest.mark.parametrize("model", [_available(m) for m in MODELS])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paths=random_paths())
def test_credits_add_up_to_what_the_journeys_had(paths: Paths, model: str) -> None:
    if model in DATA_DRIVEN:
        assume(paths.conversions.sum() > 0 and paths.nulls.sum() > 0)
    result = _attribute_or_explain(paths, model)
    if result is None:
        return
    columns = {"conversions": paths.conversions, "revenue": paths.value}
    if paths.margin is not None:
        columns["margin"] = paths.margin
    for column, per_journey in columns.items():
        left = result.notes.get(f"unattributed_{column}", 0.0)
        expected = float(per_journey.sum())
        assert result.total(column) + left == pytest.approx(expected, rel=1e-9, abs=1e-6)
    if paths.margin is None:
        assert result.channels["margin"].isna().all()

    channels = result.channels[result.channels["channel"] != BASELINE].set_index("channel")
    assert set(channels.index) <= set(paths.channels)
    touch_credits = {
        "conversions": result.touch_conversions,
        "revenue": result.touch_revenue,
        "margin": result.touch_margin,
    }
    for column, credits in touch_credits.items():
        if credits is None or column not in columns:
            continue
        assert len(credits) == len(paths.codes)
        by_channel = np.bincount(paths.codes, weights=credits, minlength=len(paths.channels))
        expected_rows = channels[column].reindex(paths.channels, fill_value=0.0).to_numpy()
        np.testing.assert_allclose(by_channel, expected_rows, rtol=1e-9, atol=1e-6)

    if model in HEURISTIC_MODELS:
        assert result.touch_conversions is not None
        assert np.all(result.touch_conversions >= 0)
        assert result.notes["journeys_without_touches"] == int(np.sum(paths.lengths == 0))
