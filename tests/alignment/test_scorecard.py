"""The joint scorecard's sections against numbers computed independently from the store's tables
on a small demo company: MQL counts and LVR from the milestone events, targets from the won
deals, contributions from the stored credits, the weighted MQL count from the planted scores."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from revintel.alignment._scorecard import Scorecard, build_scorecard
from revintel.alignment._scorecard_config import (
    ScorecardConfigError,
    load_scorecard_config,
)
from revintel.alignment._scorecard_credits import contribution_lines
from revintel.alignment._scorecard_month import ScorecardMonthError, parse_month
from revintel.auth import Role, User
from revintel.metrics import MetricSources, load_catalogue
from revintel.model import load_funnel
from revintel.store import open_store
from revintel.views._scorecard import scorecard_view
from tests.alignment.scorecard_company import (
    MONTH,
    PREVIOUS,
    SCORE_KIND,
    mql_times,
    planted_scores,
    scorecard_db,
)

LAST_YEAR = date(2023, 11, 1)
Q4 = (date(2024, 10, 1), date(2024, 12, 31))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scorecard_db(tmp_path_factory)


@pytest.fixture(scope="module")
def card(db: Path) -> Scorecard:
    with open_store(db) as store:
        return build_scorecard(store, MONTH)


@pytest.fixture(scope="module")
def tables(db: Path) -> dict[str, pd.DataFrame]:
    names = ("milestones", "opportunities", "reps", "targets", "attribution_credits", "leads")
    with open_store(db) as store:
        return {n: store.table(n).to_pandas() for n in names}


def first_mql_months(milestones: pd.DataFrame) -> pd.Series:
    """Each lead's MQL month: its first MQL event, else the first event of the next milestone
    along the path it reached (a later milestone proves the MQL)."""
    funnel = load_funnel()
    chain = [*funnel.path_ids, funnel.won.id]
    events = milestones.assign(lead=milestones["lead_id"].fillna(milestones["entity_id"]))
    first = events.groupby(["lead", "milestone"])["occurred_at"].min().unstack()
    t_mql = pd.Series(pd.NaT, index=first.index, dtype="datetime64[ns]")
    for milestone in reversed(chain):
        if milestone in first:
            found = pd.to_datetime(first[milestone])
            t_mql = found.where(found.notna(), t_mql)
    return t_mql.dropna().dt.to_period("M").dt.to_timestamp().dt.date


def test_kpis_count_the_mqls_of_the_month_the_year_before_and_their_growth(
    card: Scorecard, tables: dict[str, pd.DataFrame]
) -> None:
    months = first_mql_months(tables["milestones"]).value_counts()
    now, before, year_ago = (int(months[m]) for m in (MONTH, PREVIOUS, LAST_YEAR))
    kpis = {k.kpi: k for k in card.kpis}
    assert [k.kpi for k in card.kpis] == [k.id for k in load_scorecard_config().kpis]
    assert (kpis["mqls"].value, kpis["mqls"].previous, kpis["mqls"].last_year) == (
        now,
        before,
        year_ago,
    )
    assert kpis["lvr"].value == pytest.approx((now - before) / before)
    assert (card.velocity.mqls, card.velocity.mqls_previous) == (now, before)
    assert card.velocity.lvr == pytest.approx((now - before) / before)
    spec = load_catalogue().get("mql_sal_acceptance")
    assert kpis["mql_sal_acceptance"].definition_de == spec.definition.de
    assert kpis["pipeline_coverage"].grain == "quarter"
    assert kpis["pipeline_coverage"].period == Q4[0]


def test_targets_of_the_quarter_against_the_deals_won_by_each_team(
    card: Scorecard, tables: dict[str, pd.DataFrame]
) -> None:
    targets = tables["targets"]
    quarter = targets[pd.to_datetime(targets["period_start"]).dt.date == Q4[0]]
    opps = tables["opportunities"]
    closed = pd.to_datetime(opps["closed_at"]).dt.date
    won = opps[(opps["status"] == "won") & (closed >= Q4[0]) & (closed <= Q4[1])]
    team_of = dict(zip(tables["reps"]["rep_id"], tables["reps"]["team"], strict=True))
    won = won.assign(team=won["rep_id"].map(team_of))
    assert card.target_period == Q4
    assert {t.target_id for t in card.targets} == set(quarter["target_id"])
    mql_months = first_mql_months(tables["milestones"])
    mqls_in_q4 = int(((mql_months >= Q4[0]) & (mql_months <= Q4[1])).sum())
    checked = 0
    for line in card.targets:
        row = quarter[quarter["target_id"] == line.target_id].iloc[0]
        assert line.owner == "team" and line.team == row["team"]
        assert line.target == pytest.approx(row["amount"])
        if line.measure == "order_intake" and line.team in set(team_of.values()):
            expected = won.loc[won["team"] == line.team, "amount"].sum()
        elif line.measure == "mqls":  # a team without reps (Marketing) counts company-wide
            expected = mqls_in_q4
        else:
            continue
        assert line.actual == pytest.approx(expected)
        if line.target > 0:
            assert line.attainment == pytest.approx(expected / line.target)
        checked += 1
    assert checked >= 4


def test_marketing_and_sales_add_up_to_each_milestones_credited_conversions(
    card: Scorecard, tables: dict[str, pd.DataFrame]
) -> None:
    credits = tables["attribution_credits"]
    month = credits[
        (credits["model"] == "u_shaped")
        & (credits["level"] == "lead")
        & (pd.to_datetime(credits["period"]).dt.date == MONTH)
    ]
    settings = load_scorecard_config().contribution
    assert card.credits_stored and card.attribution_model == "u_shaped"
    assert card.contributions is not None
    assert [c.milestone for c in card.contributions] == ["mql", "sql", "won"]
    for line in card.contributions:
        rows = month[month["milestone"] == line.milestone]
        marketing = rows.loc[rows["channel"].isin(settings.marketing_channels), "conversions"]
        sales = rows.loc[rows["channel"].isin(settings.sales_channels), "conversions"]
        assert line.conversions == pytest.approx(rows["conversions"].sum())
        assert line.marketing == pytest.approx(marketing.sum())
        assert line.sales == pytest.approx(sales.sum())
        assert line.marketing + line.sales + line.unattributed == pytest.approx(line.conversions)
    mql = card.contributions[0]
    assert mql.conversions == card.velocity.mqls  # every MQL of the month is credited once


def test_weighted_mqls_are_the_sum_of_the_scores_as_of_the_mql(db: Path, card: Scorecard) -> None:
    scores = planted_scores(mql_times(db))
    counted = scores[scores["score_id"].str.startswith("sc-before-")]
    mqls = mql_times(db).set_index("lead_id")["t_mql"]
    month_of = mqls.dt.to_period("M").dt.to_timestamp().dt.date
    counted = counted.assign(month=counted["entity_id"].map(month_of))
    now = counted.loc[counted["month"] == MONTH, "score"].sum()
    before = counted.loc[counted["month"] == PREVIOUS, "score"].sum()
    v = card.velocity
    assert v.score_kind == SCORE_KIND
    assert v.weighted == pytest.approx(now)
    assert v.weighted_previous == pytest.approx(before)
    assert v.scored_share == 1.0 and v.scored_share_previous == 1.0
    assert v.lvr_weighted == pytest.approx((now - before) / before)


def test_service_levels_and_alerts_of_the_month(card: Scorecard) -> None:
    kpis = {k.kpi: k for k in card.kpis}
    levels = {s.level: s for s in card.sla}
    assert set(levels) == {"accept", "first_contact"}
    kpi_of = {"accept": "sla_accept_attainment", "first_contact": "sla_contact_attainment"}
    for level, kpi in kpi_of.items():
        line = levels[level]
        assert line.due == line.met + line.breached
        assert line.due + line.open == card.velocity.mqls
        assert line.attainment == pytest.approx(kpis[kpi].value)
    assert card.alerts, "the demo's acceptance rate of 2024-11 is below its threshold"
    for alert in card.alerts:
        assert alert.reason_de and alert.reason_en
        assert alert.period is None or alert.period <= MONTH


def test_without_stored_credits_of_the_model_the_section_says_so(db: Path, tmp_path: Path) -> None:
    own = tmp_path / "scorecard.yaml"
    own.write_text("kpis: [mqls, {id: win_rate, grain: quarter}]\ncontribution: {model: linear}\n")
    config = load_scorecard_config(own, load_catalogue())
    assert [(k.id, k.grain) for k in config.kpis] == [("mqls", "month"), ("win_rate", "quarter")]
    with open_store(db) as store:
        sources = MetricSources.from_store(store)
        assert contribution_lines(sources, config.contribution, MONTH) == (False, ())
        stored, lines = contribution_lines(sources, load_scorecard_config().contribution, MONTH)
    assert stored and lines


def test_a_rep_sees_their_own_mqls_and_no_company_credits(
    db: Path, tables: dict[str, pd.DataFrame]
) -> None:
    rep = sorted(tables["reps"]["rep_id"])[0]
    leads = tables["leads"]
    months = first_mql_months(tables["milestones"])
    own = months[months.index.isin(leads.loc[leads["rep_id"] == rep, "lead_id"])]
    with open_store(db) as store:
        card = scorecard_view(store, User("rep", "Rep", Role.sales_rep, rep_id=rep), "2024-11")
    assert card.contributions is None
    assert card.velocity.mqls == int((own == MONTH).sum()) > 0
    assert {k.kpi: k.value for k in card.kpis}["mqls"] == card.velocity.mqls


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("kpis: [mqls, no_such_kpi]\n", "kpis[1].id"),
        ("kpis: [mqls, mqls]\n", "kpis[1].id"),
        ("kpis: [mqls, stage_conversion]\n", "kpis[1].id"),
        ("kpis: [mqls]\ncontribution: {model: guesswork}\n", "contribution.model"),
        ("kpis: []\n", "kpis"),
        ("kpis: [{id: mqls, grain: week}]\n", "kpis[0].grain"),
    ],
)
def test_a_bad_scorecard_file_names_file_and_field(text: str, field: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScorecardConfigError, match=re.escape(f"{path}: {field}:")):
        load_scorecard_config(path, load_catalogue())


@pytest.mark.parametrize("text", ["2024-13", "11/2024", "2024-1", "soon"])
def test_a_malformed_month_names_month(text: str) -> None:
    with pytest.raises(ScorecardMonthError, match=r"^month: .* is not a month"):
        parse_month(text, date(2024, 12, 31))


def test_a_future_month_names_month_and_the_default_is_the_last_complete_one() -> None:
    with pytest.raises(ScorecardMonthError, match=r"^month: 2025-01 lies in the future"):
        parse_month("2025-01", date(2024, 12, 31))
    assert parse_month("", date(2024, 12, 31)) == date(2024, 11, 1)
    assert parse_month("2024-12", date(2024, 12, 31)) == date(2024, 12, 1)
