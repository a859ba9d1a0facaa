"""The lead handover on a small demo company: the queue, decisions, their audit and KPIs."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from revintel.auth import AccessDeniedError, Role, User
from revintel.ingest import undo_import
from revintel.store import Store, open_store
from revintel.views import kpi_values
from revintel.views._handover import (
    HandoverError,
    decide,
    decisions_csv,
    handover_queue,
    lead_decisions,
    rejection_reasons,
)
from revintel.views._records import RecordNotFoundError
from tests.alignment.handover_store import OPERATOR, Handover


def _lead(store: Store, lead_id: str) -> dict[str, Any]:
    t = store.table("leads")
    return dict(t.filter(t.lead_id == lead_id).to_pyarrow().to_pylist()[0])


def _mql_at(store: Store, lead_id: str) -> datetime:
    queue = handover_queue(store, OPERATOR, limit=1000).set_index("lead_id")
    return pd.Timestamp(queue.loc[lead_id, "mql_at"]).to_pydatetime()


def _kpi(store: Store, kpi: str, month: str) -> dict[str, Any]:
    rows = kpi_values(store, OPERATOR, (kpi,), (), None, None, None, (), False)
    return next(r for r in rows if r["period"] == month)


def _lead_milestones(store: Store, lead_id: str) -> pd.DataFrame:
    m = store.table("milestones")
    found = m.filter((m.entity_type == "lead") & (m.entity_id == lead_id))
    return found.to_pyarrow().to_pandas()


def test_the_queue_lists_the_waiting_leads_oldest_first(handover_db: Handover) -> None:
    db, waiting = handover_db
    with open_store(db, read_only=True) as store:
        now = datetime(2025, 1, 1)
        oldest = handover_queue(store, OPERATOR, now=now, limit=1000)
        newest = handover_queue(store, OPERATOR, now=now, order="newest", limit=5)
    # 40 leads opened by the fixture and 4 the demo company leaves undecided at its end
    assert len(oldest) == len(waiting) == 44
    assert oldest["mql_at"].is_monotonic_increasing
    assert newest["lead_id"].tolist() == oldest["lead_id"].tolist()[::-1][:5]
    first = oldest.iloc[0]
    hours = (now - pd.Timestamp(first["mql_at"]).to_pydatetime()) / timedelta(hours=1)
    assert first["waiting_hours"] == pytest.approx(round(hours, 1))
    assert oldest["account_name"].notna().all() and oldest["rep_name"].notna().all()
    # the answer is due after the hours the service levels allow for the lead's segment and
    # channel (conf/sla.yaml: 48 h, Enterprise 24 h); the queue's clock tells which are overdue
    allowed = (oldest["sla_due_at"] - oldest["mql_at"]) / timedelta(hours=1)
    assert set(allowed.round(6)) <= {24.0, 48.0} and allowed.notna().all()
    assert oldest["breached"].tolist() == (oldest["waiting_hours"] > allowed).tolist()
    assert 0 < int(oldest["breached"].sum()) < len(oldest)


def test_a_rep_and_a_team_lead_see_only_their_leads(handover_db: Handover) -> None:
    db, _ = handover_db
    with open_store(db, read_only=True) as store:
        everyone = handover_queue(store, OPERATOR, limit=1000)
        rep = handover_queue(store, User("r1", "R1", Role.sales_rep, "R001"), limit=1000)
        team = handover_queue(store, User("tl", "TL", Role.team_lead, "R001"), limit=1000)
    assert set(rep["rep_id"]) == {"R001"}
    assert len(rep) == int((everyone["rep_id"] == "R001").sum()) > 0
    # R001 and R006 form team Nord
    assert len(team) == int(everyone["rep_id"].isin(["R001", "R006"]).sum()) > len(rep)


def test_accepting_writes_a_sal_and_moves_the_acceptance_kpis(handover_db: Handover) -> None:
    db, waiting = handover_db
    lead_id = waiting[0]
    with open_store(db) as store:
        at = _mql_at(store, lead_id)
        month = f"{at:%Y-%m}-01"
        acceptance = _kpi(store, "mql_sal_acceptance", month)
        conversion = _kpi(store, "mql_sal_conversion", month)
        row = decide(store, OPERATOR, lead_id, "accept", now=at + timedelta(hours=3))
        after_acceptance = _kpi(store, "mql_sal_acceptance", month)
        after_conversion = _kpi(store, "mql_sal_conversion", month)
        events = _lead_milestones(store, lead_id)
        assert lead_id not in handover_queue(store, OPERATOR, limit=1000)["lead_id"].tolist()
    assert (row["action"], row["actor"], row["state_before"], row["state_after"]) == (
        "accept",
        "chef",
        "waiting",
        "accepted",
    )
    sal = events[events["milestone"] == "sal"]
    assert len(sal) == 1
    assert sal.iloc[0]["source_system"] == "revintel"
    assert sal.iloc[0]["milestone_event_id"] == row["milestone_event_id"]
    assert sal.iloc[0]["occurred_at"] == at.replace(microsecond=0) + timedelta(hours=3)
    assert after_acceptance["numerator"] == acceptance["numerator"] + 1
    assert after_acceptance["denominator"] == acceptance["denominator"] + 1
    assert after_conversion["numerator"] == conversion["numerator"] + 1
    assert after_conversion["denominator"] == conversion["denominator"]


def test_rejecting_stores_the_reason_and_counts_as_decided(handover_db: Handover) -> None:
    db, waiting = handover_db
    lead_id = waiting[1]
    with open_store(db) as store:
        month = f"{_mql_at(store, lead_id):%Y-%m}-01"
        before = _kpi(store, "mql_sal_acceptance", month)
        with pytest.raises(HandoverError, match="allowed: no_budget, no_need"):
            decide(store, OPERATOR, lead_id, "reject", reason="bored")
        row = decide(store, OPERATOR, lead_id, "reject", reason="no_budget", note="2027 wieder")
        after = _kpi(store, "mql_sal_acceptance", month)
        events = _lead_milestones(store, lead_id)
        lead = _lead(store, lead_id)
        with pytest.raises(HandoverError, match="not waiting"):
            decide(store, OPERATOR, lead_id, "accept")
    assert (row["reason"], row["note"], row["state_after"]) == (
        "no_budget",
        "2027 wieder",
        "rejected",
    )
    rejected = events[events["milestone"] == "disqualified"]
    assert rejected["reason"].tolist() == ["no_budget"]
    assert (lead["status"], lead["disqualified_reason"]) == ("disqualified", "no_budget")
    assert after["numerator"] == before["numerator"]
    assert after["denominator"] == before["denominator"] + 1


def test_a_recycled_lead_returns_with_a_newer_mql(handover_db: Handover) -> None:
    db, waiting = handover_db
    lead_id = waiting[2]
    with open_store(db) as store:
        at = _mql_at(store, lead_id)
        row = decide(store, OPERATOR, lead_id, "recycle", now=at + timedelta(days=1))
        assert lead_id not in handover_queue(store, OPERATOR, limit=1000)["lead_id"].tolist()
        assert _lead(store, lead_id)["status"] == "nurturing"
        with pytest.raises(HandoverError, match="state: recycled"):
            decide(store, OPERATOR, lead_id, "accept")
        events = _lead_milestones(store, lead_id)
        again = events[events["milestone"] == "mql"].iloc[:1].copy()
        again["milestone_event_id"] = "M-new-mql"
        again["occurred_at"] = at + timedelta(days=30)
        store.insert("milestones", again)
        back = handover_queue(store, OPERATOR, limit=1000).set_index("lead_id")
    assert (row["state_before"], row["state_after"], row["milestone_event_id"]) == (
        "waiting",
        "recycled",
        None,
    )
    assert pd.Timestamp(back.loc[lead_id, "mql_at"]) == pd.Timestamp(at + timedelta(days=30))


def test_reassigning_changes_the_rep_within_the_team_lead_s_team(handover_db: Handover) -> None:
    db, _ = handover_db
    team_lead = User("tl", "TL", Role.team_lead, "R001")
    rep = User("r1", "R1", Role.sales_rep, "R001")
    with open_store(db) as store:
        mine = handover_queue(store, rep, limit=1000)["lead_id"].tolist()
        everyone = handover_queue(store, OPERATOR, limit=1000)
        foreign = everyone[everyone["rep_id"] == "R002"]["lead_id"].iloc[0]
        with pytest.raises(AccessDeniedError, match="may not assign leads"):
            decide(store, rep, mine[0], "reassign", rep_id="R006")
        with pytest.raises(AccessDeniedError, match="outside your team"):
            decide(store, team_lead, mine[0], "reassign", rep_id="R002")
        with pytest.raises(AccessDeniedError, match="belongs to another rep"):
            decide(store, team_lead, foreign, "accept")
        with pytest.raises(RecordNotFoundError):
            decide(store, rep, "L-none", "accept")
        row = decide(store, team_lead, mine[0], "reassign", rep_id="R006")
        assert _lead(store, mine[0])["rep_id"] == "R006"
        assert mine[0] not in handover_queue(store, rep, limit=1000)["lead_id"].tolist()
        audit = lead_decisions(store, team_lead)
        # the rep no longer sees the lead, nor its decisions
        assert lead_decisions(store, rep).empty
    assert (row["rep_before"], row["rep_after"], row["state_after"]) == ("R001", "R006", "waiting")
    assert audit["decision_id"].tolist() == [row["decision_id"]]


def test_a_decision_is_a_batch_undo_takes_back(handover_db: Handover) -> None:
    db, waiting = handover_db
    lead_id = waiting[3]
    with open_store(db) as store:
        before = _lead(store, lead_id)
        row = decide(store, OPERATOR, lead_id, "reject", reason="too_early")
        report = undo_import(store, row["import_batch_id"])
        after = _lead(store, lead_id)
        events = _lead_milestones(store, lead_id)
        audit = lead_decisions(store, OPERATOR)
        assert lead_id in handover_queue(store, OPERATOR, limit=1000)["lead_id"].tolist()
    assert report.removed["milestones"] == 1 and report.restored["leads"] == 1
    assert after == before
    assert "disqualified" not in events["milestone"].tolist()
    assert audit["decision_id"].tolist() == [row["decision_id"]]


def test_the_crm_export_reads_back_semicolon_separated(handover_db: Handover) -> None:
    db, waiting = handover_db
    with open_store(db) as store:
        decide(store, OPERATOR, waiting[4], "accept")
        decide(store, OPERATOR, waiting[5], "reject", reason="wrong_contact")
        audit = lead_decisions(store, OPERATOR)
        german = decisions_csv(store, audit, "de")
        english = decisions_csv(store, audit, "en")
    rows = list(csv.DictReader(io.StringIO(german), delimiter=";"))
    assert [r["lead_id"] for r in rows] == audit["lead_id"].tolist()
    assert {(r["action"], r["reason"]) for r in rows} == {
        ("accept", ""),
        ("reject", "wrong_contact"),
    }
    assert {r["source_system"] for r in rows} == {"synth"}
    assert [r["source_id"] for r in rows] == audit["lead_id"].tolist()
    read_back = [datetime.strptime(r["decided_at"], "%d.%m.%Y %H:%M:%S") for r in rows]
    assert read_back == [pd.Timestamp(t).to_pydatetime() for t in audit["decided_at"]]
    assert (
        english.splitlines()[0] == "lead_id;source_system;source_id;action;reason;actor;decided_at"
    )


def test_rejection_reasons_are_configurable(tmp_path: Path) -> None:
    built_in = rejection_reasons("de")
    assert len(built_in) == 7 and built_in[0] == ("no_budget", "Kein Budget")
    own = tmp_path / "reasons.yaml"
    own.write_text(
        "reasons:\n  - id: price\n    label: {de: Zu teuer, en: Too expensive}\n", encoding="utf-8"
    )
    assert rejection_reasons("en", str(own)) == [("price", "Too expensive")]
    own.write_text("reasons:\n  - id: Price!\n", encoding="utf-8")
    with pytest.raises(HandoverError, match=r"reasons\[0\]\.id"):
        rejection_reasons("en", str(own))
