"""The forecast's history: the dated milestone log as the engine streams it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from revintel.forecast import History, load_history, replay_leads, replay_opportunities
from revintel.forecast._history import cutoff_days, to_days
from revintel.model import load_funnel
from revintel.store import Store, open_store


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


# --- the replay by integer codes against a replay by id labels ---------------------------------


def _first_by_label(
    events: pd.DataFrame, ids: pd.Series, names: tuple[str, ...], cut: float
) -> np.ndarray:
    known = events[(events["at"] < cut) & events["milestone"].isin(names)]
    first = known.groupby(["entity", "milestone"])["at"].min().unstack()
    first = first.reindex(index=ids.to_numpy(), columns=list(names))
    return np.array(first.to_numpy(float), copy=True)


def _end_by_label(
    events: pd.DataFrame, ids: pd.Series, outcome: tuple[str, ...], cut: float
) -> np.ndarray:
    ends = events[(events["at"] < cut) & events["milestone"].isin(outcome)]
    return ends.groupby("entity")["at"].min().reindex(ids.to_numpy()).to_numpy(float)


def _leads_by_label(history: History, cut: float) -> dict[str, np.ndarray]:
    """What a lead's replay holds, looked up by id labels (the slow, obvious way)."""
    funnel = history.funnel
    ids = history.leads.loc[history.leads["created"] < cut, "lead_id"]
    opps = history.opportunities
    opps = opps[(opps["created"] < cut) & opps["lead_id"].notna()]
    by_lead = opps.groupby("lead_id")["opportunity_id"].first()
    through = history.opp_events.merge(
        pd.DataFrame({"entity": by_lead.to_numpy(), "lead": by_lead.index.to_numpy()}),
        on="entity",
    )
    through["entity"] = through.pop("lead")
    won = _end_by_label(through, ids, funnel.outcome_ids("won"), cut)
    lost = np.fmin(
        _end_by_label(through, ids, funnel.outcome_ids("lost"), cut),
        _end_by_label(history.lead_events, ids, funnel.outcome_ids("disqualified"), cut),
    )
    created = opps.groupby("lead_id")["created"].min().reindex(ids.to_numpy())
    return {
        "entries": _first_by_label(history.lead_events, ids, history.lead_path, cut),
        "closed": np.fmin(won, lost),
        "won": ~np.isnan(won) & ~(lost < won),
        "has_opportunity": ids.isin(by_lead.index).to_numpy(),
        "opportunity_created": created.to_numpy(float),
    }


def _opportunities_by_label(history: History, cut: float) -> dict[str, np.ndarray]:
    funnel = history.funnel
    known = history.opportunities[history.opportunities["created"] < cut]
    ids = known["opportunity_id"]
    entries = _first_by_label(history.opp_events, ids, history.opp_path, cut)
    entries[:, 0] = np.fmin(entries[:, 0], known["created"].to_numpy(float))
    won = _end_by_label(history.opp_events, ids, funnel.outcome_ids("won"), cut)
    lost = _end_by_label(history.opp_events, ids, funnel.outcome_ids("lost"), cut)
    return {
        "entries": entries,
        "closed": np.fmin(won, lost),
        "won": ~np.isnan(won) & ~(lost < won),
    }


def _assert_replays_agree(history: History, days: list[date]) -> None:
    for day in days:
        cut = cutoff_days(day)
        leads = replay_leads(history, day)
        expected = _leads_by_label(history, cut)
        np.testing.assert_array_equal(leads.entries, expected["entries"])
        np.testing.assert_array_equal(leads.closed, expected["closed"])
        np.testing.assert_array_equal(leads.won, expected["won"])
        for column in ("has_opportunity", "opportunity_created"):
            np.testing.assert_array_equal(leads.frame[column].to_numpy(), expected[column])
        opps = replay_opportunities(history, day)
        expected = _opportunities_by_label(history, cut)
        for name in ("entries", "closed", "won"):
            np.testing.assert_array_equal(getattr(opps, name), expected[name])


def test_the_replay_by_codes_equals_the_replay_by_id_labels(history: History) -> None:
    days = [history.last_event - timedelta(days=n) for n in (0, 45, 200, 400)]
    won = [replay_leads(history, d).won.sum() for d in days]
    assert won[0] > won[-1] > 0  # the cut-offs see different pasts
    _assert_replays_agree(history, days)


def test_the_replay_by_codes_handles_unknown_ids_and_leads_without_id(history: History) -> None:
    leads = history.leads.copy()
    leads.loc[3, "lead_id"] = None  # a lead without id
    leads = pd.concat([leads, leads.iloc[[7]]], ignore_index=True)  # the same id twice
    opps = history.opportunities.copy()
    opps.loc[0, "lead_id"] = "NO-SUCH-LEAD"  # an opportunity of a lead the store lacks
    ghost = pd.DataFrame(
        {"entity": ["NO-SUCH-LEAD", "L-GHOST"], "milestone": ["mql", "sal"], "at": [1.0, 2.0]}
    )
    edited = History.from_frames(
        history.funnel,
        opportunities=opps,
        leads=leads,
        lead_events=pd.concat([history.lead_events, ghost], ignore_index=True),
        opp_events=history.opp_events,
        deal_scores=history.deal_scores,
        last_event=history.last_event,
    )
    _assert_replays_agree(edited, [history.last_event - timedelta(days=90)])


def _replays(history: History, day: date) -> list[np.ndarray]:
    leads, opps = replay_leads(history, day), replay_opportunities(history, day)
    return [leads.entries, leads.closed, leads.won, opps.entries, opps.closed, opps.won]


def test_the_engine_codes_the_log_as_python_does(
    generated: dict[str, pa.Table], tmp_path: Path
) -> None:
    """Numbered by the engine, the log replays as numbered in Python from its raw rows, also
    with events of entities the tables lack and without entity."""
    tables = dict(generated)
    log = tables["milestones"]
    ghosts = log.slice(0, 4).to_pandas()
    ghosts["entity_id"] = ["NO-SUCH-LEAD", None, "NO-SUCH-DEAL", "L-GHOST"]
    ghosts["entity_type"] = ["lead", "lead", "opportunity", "lead"]
    ghosts["milestone_event_id"] = [f"ghost-{n}" for n in range(4)]
    tables["milestones"] = pa.concat_tables(
        [log, pa.Table.from_pandas(ghosts, schema=log.schema, preserve_index=False)]
    )
    store = open_store(str(tmp_path / "ghosts.duckdb"))
    for name, table in tables.items():
        store.insert(name, table)
    engine = load_history(store, load_funnel())
    raw = _dated_log(store).rename(columns={"entity_id": "entity"})
    is_opp = raw["entity_type"] == "opportunity"
    by_python = History.from_frames(
        engine.funnel,
        opportunities=engine.opportunities,
        leads=engine.leads,
        lead_events=raw.loc[~is_opp, ["entity", "milestone", "at"]],
        opp_events=raw.loc[is_opp, ["entity", "milestone", "at"]],
        deal_scores=engine.deal_scores,
        last_event=engine.last_event,
    )
    store.close()
    # the ghosts are held without entity, and every other event with its own
    assert engine.lead_events["entity"].isna().sum() == 3
    assert engine.opp_events["entity"].isna().sum() == 1
    np.testing.assert_array_equal(engine.opportunity_leads, by_python.opportunity_leads)
    for day in [engine.last_event - timedelta(days=n) for n in (0, 120, 365)]:
        for ours, theirs in zip(_replays(engine, day), _replays(by_python, day), strict=True):
            np.testing.assert_array_equal(ours, theirs)
