"""The forecast's history: the dated milestone log as the engine streams it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from revintel.forecast import History
from revintel.forecast._history import to_days
from revintel.store import Store


def _dated_log(store: Store) -> pd.DataFrame:
    """Every dated milestone read into pandas, as the forecast once read them."""
    log = store.table("milestones").to_pandas()
    log = log.loc[~log["inferred"].fillna(False).astype(bool)]
    return log.assign(at=to_days(log["occurred_at"]))


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["entity", "milestone", "at"]
    return frame[columns].sort_values(columns, ignore_index=True)


def test_the_history_holds_the_raw_logs_dated_milestones(
    demo_store: Store, history: History
) -> None:
    log = _dated_log(demo_store)
    expected = log.rename(columns={"entity_id": "entity"})
    is_opp = expected["entity_type"] == "opportunity"
    opp = _ordered(expected.loc[is_opp])
    lead = _ordered(expected.loc[~is_opp])
    assert len(opp) > 5_000 and len(lead) > 10_000
    pd.testing.assert_frame_equal(_ordered(history.opp_events), opp, check_dtype=False)
    pd.testing.assert_frame_equal(_ordered(history.lead_events), lead, check_dtype=False)
    # the history ends on the day of the log's last dated milestone
    last = np.nanmax(log["at"].to_numpy(float))
    last_day = pd.Timestamp(0) + pd.to_timedelta(last, unit="D")
    assert history.last_event == last_day.date()
