"""SLA status per lead against the raw tables, the summary, the KPIs of the semantic layer and
the breach alert with its leads, on a small demo company."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from revintel.alignment._sla import lead_status, sla_breaches, sla_summary
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpi, load_catalogue
from revintel.metrics._alerts import sla_breach
from revintel.metrics._engine import kpi_context, period_end
from revintel.metrics._sla_alerts import due_leads
from revintel.metrics._sla_kpis import DUE_COLUMN, HOURS_COLUMN, sla_leads
from revintel.metrics._sla_levels import load_sla_levels
from revintel.store import open_store
from tests.alignment.sla_store import sla_store


@pytest.fixture(scope="module")
def company(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[MetricSources, pd.DataFrame]]:
    db: Path = sla_store(tmp_path_factory)
    with open_store(db, read_only=True) as store:
        sources = MetricSources.from_store(store)
        yield sources, lead_status(sources)


def _raw(sources: MetricSources, name: str) -> pd.DataFrame:
    return sources.tables[name].to_pandas()


def test_hours_and_decisions_agree_with_the_raw_tables(
    company: tuple[MetricSources, pd.DataFrame],
) -> None:
    sources, status = company
    kinds = load_sla_levels().contact_kinds
    m, tp = _raw(sources, "milestones"), _raw(sources, "touchpoints")
    mql = m[m["milestone"] == "mql"].groupby("lead_id")["occurred_at"].min()
    assert len(status) == len(mql) == 6_000
    touches = tp[tp["kind"].isin(kinds)].merge(
        mql.rename("mql"), left_on="lead_id", right_index=True
    )
    first = (
        touches[touches["occurred_at"] >= touches["mql"]].groupby("lead_id")["occurred_at"].min()
    )
    hours = ((first - mql.reindex(first.index)).dt.total_seconds() / 3600).rename("expected")
    got = status.set_index("lead_id")["first_contact_hours"]
    joined = pd.concat([got, hours], axis=1)
    assert joined["first_contact_hours"].notna().sum() == joined["expected"].notna().sum() > 5_000
    assert np.allclose(
        joined["first_contact_hours"], joined["expected"], atol=1 / 3600, equal_nan=True
    )
    sal = m[m["milestone"].isin(["sal", "sql"])].groupby("lead_id")["occurred_at"].min()
    accepted = status[status["decision"] == "accepted"].set_index("lead_id")
    assert (accepted["decided_at"] <= sal.reindex(accepted.index)).all()
    dq = status[status["decision"] == "rejected"]
    assert dq["lead_id"].isin(m.loc[m["milestone"] == "disqualified", "lead_id"]).all()


def test_status_follows_hours_and_levels(company: tuple[MetricSources, pd.DataFrame]) -> None:
    _, status = company
    for level in ("accept", "first_contact"):
        taken, allowed = status[f"{level}_hours"], status[f"{level}_due_hours"]
        met = status[f"{level}_status"] == "met"
        assert (met == (taken <= allowed)).all()
        still = status[f"{level}_status"] == "open"
        assert (taken[still].isna() & (status["waited_hours"][still] < allowed[still])).all()
    enterprise = status[status["segment"] == "Enterprise"]
    assert set(enterprise["accept_due_hours"]) == {24.0}
    assert set(enterprise["first_contact_due_hours"]) == {8.0}


def test_summary_adds_up_over_groups(company: tuple[MetricSources, pd.DataFrame]) -> None:
    _, status = company
    total = sla_summary(status).set_index("level")
    by_segment = sla_summary(status, "segment").groupby("level")[["due", "met", "open"]].sum()
    for level in ("accept", "first_contact"):
        row = total.loc[level]
        assert row["due"] == row["met"] + row["breached"]
        assert row["due"] + row["open"] == len(status)
        assert row["attainment"] == pytest.approx(row["met"] / row["due"])
        assert list(by_segment.loc[level]) == [row["due"], row["met"], row["open"]]
    assert 0.4 < total.loc["first_contact", "attainment"] < 0.75


def test_kpis_equal_the_summary(company: tuple[MetricSources, pd.DataFrame]) -> None:
    sources, status = company
    catalogue = load_catalogue()
    summary = sla_summary(status, "segment").set_index(["level", "segment"])
    for kpi, level in (
        ("sla_accept_attainment", "accept"),
        ("sla_contact_attainment", "first_contact"),
    ):
        frame = evaluate_kpi(sources, catalogue.get(kpi), MetricQuery(grain="all", by=("segment",)))
        for _, row in frame.iterrows():
            expected = summary.loc[(level, row["segment"])]
            assert row["denominator"] == expected["due"] and row["numerator"] == expected["met"]
    median = evaluate_kpi(sources, catalogue.get("sla_response_hours"), MetricQuery(grain="all"))
    assert median["value"].iloc[0] == pytest.approx(
        status["first_contact_hours"].median(), abs=1e-6
    )


def test_the_breach_alert_lists_the_leads_that_missed(
    company: tuple[MetricSources, pd.DataFrame],
) -> None:
    sources, status = company
    catalogue = load_catalogue()
    spec = catalogue.get("sla_contact_attainment")
    alerts = sla_breach(sources, spec, catalogue)
    overall = [a for a in alerts if not a.group]
    assert len(overall) == 1
    alert = overall[0]
    assert alert.value < 0.8 == alert.reference
    leads = alert.numbers["leads"]
    assert (
        0 < len(leads) <= 20
        and alert.numbers["missed"] == alert.numbers["due"] - alert.numbers["met"]
    )
    waited = [lead["waited_hours"] for lead in leads]
    assert waited == sorted(waited, reverse=True)
    indexed = status.set_index("lead_id")
    for lead in leads:
        assert indexed.loc[lead["lead_id"], "first_contact_status"] == "breached"
        assert indexed.loc[lead["lead_id"], "rep_id"] == lead["rep_id"]
    assert leads[0]["lead_id"] in alert.reason("de") and "SLA Erstkontakt" in alert.reason("de")
    assert "first contact" in alert.reason("en")


def test_breaches_are_unhandled_leads_past_due(company: tuple[MetricSources, pd.DataFrame]) -> None:
    _, status = company
    frame = sla_breaches(status, within_days=30)
    assert not frame.empty
    assert (frame["waited_hours"] > frame["due_hours"]).all()
    assert (frame["waited_hours"] <= 30 * 24).all()
    assert list(frame["waited_hours"]) == sorted(frame["waited_hours"], reverse=True)
    indexed = status.set_index("lead_id")
    for _, row in frame.iterrows():
        assert pd.isna(indexed.loc[row["lead_id"], f"{row['level']}_hours"])


def test_the_alert_reads_only_the_last_complete_periods_due_leads(
    company: tuple[MetricSources, pd.DataFrame],
) -> None:
    sources, _ = company
    catalogue = load_catalogue()
    spec = catalogue.get("sla_contact_attainment")
    assert spec.alert is not None
    level = spec.params.level
    # every period's leads, judged in pandas
    query = MetricQuery(grain=spec.alert.grain, by=())
    ctx = kpi_context(sources, spec, query, catalogue.settings)
    rows = ctx.rows(sla_leads(sources).drop("sla_segment"))
    every = ctx.keyed(rows, rows.mql_at).to_pandas()
    taken, allowed = every[HOURS_COLUMN[level]], every[DUE_COLUMN[level]]
    due = every[(taken.notna() & (taken <= allowed)) | (every["waited_hours"] >= allowed)]
    ends = period_end(due["period"], ctx.grain)
    complete = due[ends <= pd.Timestamp(sources.as_of + timedelta(days=1))]
    last = complete[complete["period"] == complete["period"].max()]
    read = due_leads(sources, spec, catalogue, ())
    assert len(due) > len(last) > 20  # earlier periods hold due leads too
    assert sorted(read["lead_id"]) == sorted(last["lead_id"])
    assert set(read["period"]) == {pd.Timestamp(last["period"].iloc[0]).date()}
