"""The capacity allocation programme: every hard rule holds on random companies, the optimum
beats the greedy baseline, equals brute force on tiny companies, and its bound is valid."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from revintel.allocation import (
    ASSIGNMENT_COLUMNS,
    AllocationError,
    AllocationRules,
    ResponseCurve,
    allocate_capacity,
    allocate_greedy,
    build_problem,
    parse_rules,
    read_rules,
)
from revintel.allocation._solver_instances import synthetic_company
from revintel.i18n.messages.allocation import MESSAGES

CURVE = ResponseCurve(s0=0.05, s_max=0.35, h_half=40.0)
RULES = read_rules()
TIE = 0.01


# ---------------------------------------------------------------- independent reference
def _fit(company: dict[str, pd.DataFrame], rep_id: str, segment: str) -> float:
    fit = company.get("rep_fit")
    if fit is None:
        return 1.0
    row = fit[(fit["rep_id"] == rep_id) & (fit["segment"] == segment)]
    return float(row["factor"].iloc[0]) if len(row) else 1.0


def _account_value(
    rules: AllocationRules, potential: float, level: str, fit: float, curve: ResponseCurve = CURVE
) -> float:
    """Yearly margin over the baseline minus the cost of the hours, from the formulas."""
    lv = rules.service_levels[level]
    hours = lv.hours_per_week * rules.weeks_per_year
    lift = (curve.s_max - curve.s0) * (1 - math.exp(-hours / curve.h_half))
    return potential * lift * rules.margin_rate * fit - hours * lv.cost_per_hour


def _deal_value(rules: AllocationRules, deal: pd.Series, fit: float) -> float:
    o = rules.opportunities
    return deal["amount"] * deal["win_uplift"] * rules.margin_rate * fit - (
        o.hours_per_week * o.weeks * o.cost_per_hour
    )


def _required_level(rules: AllocationRules, account: pd.Series) -> int:
    level = 0
    for rule in rules.minimum_coverage:
        if rule.potential_above is not None and not account["potential"] > rule.potential_above:
            continue
        if rule.segment is not None and account["segment"] != rule.segment:
            continue
        level = max(level, rules.level_index(rule.at_least))
    return level


def _may_serve(
    rules: AllocationRules, rep: pd.Series, region: str, segment: str, owner: Any
) -> bool:
    t = rules.territory
    if not t.own_region_only or rep["region"] == region:
        return True
    if t.current_owner_exempt and rep["rep_id"] == owner:
        return True
    return any(
        (e.rep_id == rep["rep_id"] or e.team == rep.get("team"))
        and ("*" in e.regions or region in e.regions)
        and (not e.segments or segment in e.segments)
        for e in t.exceptions
    )


def _check_hard_rules(
    company: dict[str, pd.DataFrame], rules: AllocationRules, rows: pd.DataFrame
) -> None:
    accounts = company["accounts"].set_index("account_id")
    deals = company["opportunities"].set_index("opportunity_id")
    reps = company["reps"].set_index("rep_id", drop=False)
    assert tuple(rows.columns) == ASSIGNMENT_COLUMNS
    # capacity
    used = rows.groupby("rep_id")["hours_per_week"].sum()
    over = used - reps.loc[used.index, "capacity_hours_per_week"]
    assert (over <= 1e-9).all(), over[over > 1e-9]
    # one rep per account and per deal; each row one or the other
    is_deal = rows["opportunity_id"].notna()
    assert (is_deal != rows["account_id"].notna()).all()
    assert not rows.loc[~is_deal, "account_id"].duplicated().any()
    assert not rows.loc[is_deal, "opportunity_id"].duplicated().any()
    level_of_hours = {lv.hours_per_week: n for n, lv in rules.service_levels.items()}
    hours_of_account = rows.loc[~is_deal].set_index("account_id")["hours_per_week"]
    for _, row in rows.iterrows():
        rep = reps.loc[row["rep_id"]]
        fit_for = rep["rep_id"]
        if pd.notna(row["opportunity_id"]):
            deal = deals.loc[row["opportunity_id"]]
            account = accounts.loc[deal["account_id"]]
            owner = deal["owner_rep_id"]
            assert row["hours_per_week"] == rules.opportunities.hours_per_week
            expected = _deal_value(rules, deal, _fit(company, fit_for, account["segment"]))
        else:
            account = accounts.loc[row["account_id"]]
            owner = account["owner_rep_id"]
            level = level_of_hours[row["hours_per_week"]]
            assert rules.level_index(level) > 0
            expected = _account_value(
                rules, account["potential"], level, _fit(company, fit_for, account["segment"])
            )
        # territory
        assert _may_serve(rules, rep, account["region"], account["segment"], owner)
        # the gain each row states is the formula's
        assert row["expected_gain"] == pytest.approx(expected, abs=0.006)
    # minimum coverage
    for account_id, account in accounts.iterrows():
        required = _required_level(rules, account)
        least = list(rules.service_levels.values())[required].hours_per_week
        assert hours_of_account.get(account_id, 0.0) >= least, account_id


def _tight(company: dict[str, pd.DataFrame], factor: float) -> dict[str, pd.DataFrame]:
    reps = company["reps"].copy()
    reps["capacity_hours_per_week"] = reps["capacity_hours_per_week"] * factor
    return {**company, "reps": reps}


def _solve(company: dict[str, pd.DataFrame], rules: AllocationRules = RULES, **options: Any):  # type: ignore[no-untyped-def]
    return allocate_capacity(
        company["accounts"],
        company["reps"],
        curve=CURVE,
        rules=rules,
        opportunities=company["opportunities"],
        rep_fit=company.get("rep_fit"),
        **options,
    )


def _greedy(company: dict[str, pd.DataFrame], rules: AllocationRules = RULES):  # type: ignore[no-untyped-def]
    problem = build_problem(
        company["accounts"],
        company["reps"],
        rules=rules,
        curve=CURVE,
        opportunities=company["opportunities"],
        rep_fit=company.get("rep_fit"),
    )
    return allocate_greedy(problem)


# ---------------------------------------------------------------- the tests
@pytest.mark.parametrize("seed", range(6))
def test_every_hard_rule_holds_and_the_optimum_beats_greedy(seed: int) -> None:
    company = _tight(
        synthetic_company(80, 6, regions=3, deals=10, seed=seed, enterprise_share=0.05),
        factor=0.15 + 0.05 * (seed % 4),
    )
    allocation = _solve(company)
    _check_hard_rules(company, RULES, allocation.assignments)
    assert allocation.status == "optimal"
    assert 0.0 <= allocation.gap <= 1e-3
    assert allocation.bound >= allocation.objective
    switching = allocation.details["switch_cost"].sum()
    assert allocation.objective == pytest.approx(
        allocation.details["expected_gain"].sum() - switching
    )
    greedy = _greedy(company)
    if greedy is not None:
        _check_hard_rules(company, RULES, greedy.assignments)
        assert allocation.objective >= greedy.objective - 1e-6


def _brute_force(company: dict[str, pd.DataFrame], rules: AllocationRules) -> float | None:
    """The best objective by trying every combination (None: no combination keeps the rules)."""
    accounts, deals, reps = company["accounts"], company["opportunities"], company["reps"]
    levels = rules.level_names[1:]
    capacity = dict(zip(reps["rep_id"], reps["capacity_hours_per_week"], strict=True))
    percent = rules.continuity.switch_gain_percent / 100
    eur = rules.continuity.switch_gain_eur
    choices: list[list[tuple[str, float, float] | None]] = []  # (rep, hours, objective)
    for _, a in accounts.iterrows():
        required = _required_level(rules, a)
        allowed = [lv for lv in levels if rules.level_index(lv) >= max(required, 1)]

        def value(rep_id: str, level: str, a: pd.Series = a) -> float:
            return _account_value(rules, a["potential"], level, _fit(company, rep_id, a["segment"]))

        owner_best = max(0.0, *(value(a["owner_rep_id"], lv) for lv in allowed))
        switch = max(min(percent * owner_best, eur), TIE)
        options: list[tuple[str, float, float] | None] = [] if required else [None]
        for _, rep in reps.iterrows():
            if _may_serve(rules, rep, a["region"], a["segment"], a["owner_rep_id"]):
                for lv in allowed:
                    cost = 0.0 if rep["rep_id"] == a["owner_rep_id"] else switch
                    hours = rules.service_levels[lv].hours_per_week
                    options.append((rep["rep_id"], hours, value(rep["rep_id"], lv) - cost))
        choices.append(options)
    for _, d in deals.iterrows():
        a = accounts.set_index("account_id").loc[d["account_id"]]

        def deal_value(rep_id: str, d: pd.Series = d, a: pd.Series = a) -> float:
            return _deal_value(rules, d, _fit(company, rep_id, a["segment"]))

        switch = max(min(percent * max(0.0, deal_value(d["owner_rep_id"])), eur), TIE)
        options = [None]
        for _, rep in reps.iterrows():
            if _may_serve(rules, rep, a["region"], a["segment"], d["owner_rep_id"]):
                cost = 0.0 if rep["rep_id"] == d["owner_rep_id"] else switch
                hours = rules.opportunities.hours_per_week
                options.append((rep["rep_id"], hours, deal_value(rep["rep_id"]) - cost))
        choices.append(options)
    best = None
    for combination in itertools.product(*choices):
        used: dict[str, float] = {}
        total = 0.0
        for choice in combination:
            if choice is not None:
                used[choice[0]] = used.get(choice[0], 0.0) + choice[1]
                total += choice[2]
        if all(h <= capacity[r] + 1e-9 for r, h in used.items()) and (best is None or total > best):
            best = total
    return best


BRUTE_RULES = parse_rules(
    """
margin_rate: 0.3
service_levels:
  digital: {hours_per_week: 0, cost_per_hour: 0}
  inside: {hours_per_week: 0.5, cost_per_hour: 40}
  field: {hours_per_week: 1.5, cost_per_hour: 60}
continuity: {switch_gain_percent: 10, switch_gain_eur: 300}
minimum_coverage:
  - {name: enterprise, segment: Enterprise, at_least: inside}
opportunities: {hours_per_week: 1.0, weeks: 6, cost_per_hour: 50}
""",
    "brute.yaml",
)


def test_on_tiny_companies_the_optimum_equals_brute_force() -> None:
    feasible = 0
    for seed in range(10):
        company = synthetic_company(5, 3, regions=2, deals=1, seed=100 + seed, enterprise_share=0.3)
        capacity = np.random.default_rng(seed).choice([0.5, 1.0, 1.5, 2.0, 3.0], 3)
        company = {**company, "reps": company["reps"].assign(capacity_hours_per_week=capacity)}
        best = _brute_force(company, BRUTE_RULES)
        if best is None:
            with pytest.raises(AllocationError, match="minimum coverage"):
                _solve(company, BRUTE_RULES, mip_rel_gap=0.0)
            continue
        feasible += 1
        allocation = _solve(company, BRUTE_RULES, mip_rel_gap=0.0)
        _check_hard_rules(company, BRUTE_RULES, allocation.assignments)
        assert allocation.objective == pytest.approx(best, abs=1e-6), seed
    assert feasible >= 5  # most tiny companies have an allocation to compare


def test_the_current_owner_keeps_the_account_unless_switching_gains_enough() -> None:
    company = synthetic_company(150, 6, regions=2, deals=0, seed=3, fit_spread=0.3)
    company = _tight(company, factor=100.0)  # no rep is short of hours: accounts are independent
    allocation = _solve(company)
    details = allocation.details.merge(
        company["accounts"], left_on="item_id", right_on="account_id", suffixes=("", "_a")
    )
    switched = details[details["rep_id"] != details["owner_rep_id"]]
    assert len(switched) > 0
    pct = RULES.continuity.switch_gain_percent / 100
    for _, row in switched.iterrows():
        required = max(_required_level(RULES, row), 1)
        owner_values = [
            _account_value(
                RULES, row["potential"], lv, _fit(company, row["owner_rep_id"], row["segment"])
            )
            for lv in RULES.level_names[required:]
        ]
        owner_best = max(owner_values)
        threshold = max(min(pct * max(owner_best, 0.0), RULES.continuity.switch_gain_eur), TIE)
        assert row["expected_gain"] - owner_best >= threshold - 1e-6
        assert row["reason_kind"] == "switch"
    # with equal fit nobody switches
    equal = _solve({**company, "rep_fit": None})
    assert (equal.details["rep_id"] == equal.details["owner_rep_id"]).all()
    assert set(equal.details["reason_kind"]) == {"keep"}


def test_fit_may_be_given_per_industry_instead_of_segment() -> None:
    company = _tight(synthetic_company(60, 2, regions=1, deals=0, seed=4), factor=100.0)
    accounts = company["accounts"].assign(industry=["Maschinenbau", "Chemie"] * 30)
    fit = pd.DataFrame({"rep_id": ["R0001"], "industry": ["Chemie"], "factor": [2.0]})
    allocation = _solve({**company, "accounts": accounts, "rep_fit": fit})
    rows = allocation.details.merge(accounts, left_on="item_id", right_on="account_id")
    hours = {lv.hours_per_week: n for n, lv in RULES.service_levels.items()}
    for _, row in rows.iterrows():
        factor = 2.0 if (row["rep_id"], row["industry"]) == ("R0001", "Chemie") else 1.0
        level = hours[row["hours_per_week"]]
        expected = _account_value(RULES, row["potential"], level, factor)
        assert row["expected_gain"] == pytest.approx(expected)
    chemistry = rows[rows["industry"] == "Chemie"]
    assert (chemistry["rep_id"] == "R0001").mean() > 0.9  # worth switching for twice the fit


def test_territory_exceptions_let_a_team_serve_one_segment_everywhere() -> None:
    company = synthetic_company(120, 5, regions=2, deals=6, seed=9, enterprise_share=0.2)
    reps = company["reps"].copy()
    reps.loc[4, ["region", "team"]] = ["International", "Key Account"]
    accounts = company["accounts"].replace({"owner_rep_id": {"R0004": "R0000"}})  # same region
    deals = company["opportunities"].replace({"owner_rep_id": {"R0004": "R0000"}})
    fit = company["rep_fit"].copy()
    fit.loc[(fit["rep_id"] == "R0004") & (fit["segment"] == "Enterprise"), "factor"] = 1.6
    company = _tight(
        {**company, "reps": reps, "accounts": accounts, "opportunities": deals, "rep_fit": fit},
        factor=0.5,
    )
    allocation = _solve(company)
    _check_hard_rules(company, RULES, allocation.assignments)
    key_rows = allocation.details[allocation.details["rep_id"] == reps.loc[4, "rep_id"]]
    assert len(key_rows) > 0
    assert set(key_rows["segment"]) == {"Enterprise"}
    assert set(key_rows["basis"]) == {"exception"}
    without = parse_rules(RULES.model_dump_json(exclude={"territory"}), "no-exception.json")
    assert without.territory.exceptions == ()
    plain = _solve(company, without)
    assert reps.loc[4, "rep_id"] not in set(plain.assignments["rep_id"])


def test_offering_fewer_reps_keeps_a_valid_bound_on_the_full_optimum() -> None:
    company = _tight(synthetic_company(400, 12, regions=2, deals=20, seed=5), factor=0.2)
    full = _solve(company, mip_rel_gap=1e-6)
    narrow = _solve(company, candidates_per_account=1, mip_rel_gap=1e-6)
    assert not full.restricted and narrow.restricted
    _check_hard_rules(company, RULES, narrow.assignments)
    assert narrow.objective <= full.objective + 1e-6
    assert narrow.bound >= full.objective - 1e-6  # the Lagrangian bound over every pair
    assert narrow.gap == pytest.approx((narrow.bound - narrow.objective) / narrow.bound)
    assert narrow.variables < full.variables


def test_every_reason_renders_in_german_and_english() -> None:
    company = _tight(synthetic_company(200, 6, regions=3, deals=15, seed=2), factor=0.3)
    allocation = _solve(company)
    kinds = {r.kind for r in allocation.assignments["reason"]}
    assert {"keep", "deal"} <= kinds
    for reason in allocation.assignments["reason"]:
        for key in reason.parts():
            for text in MESSAGES[key]:
                rendered = text.format(**reason.placeholders())
                assert "{" not in rendered
    for name in ("keep", "switch", "relieve", "new", "deal"):
        assert f"allocation.solver.reason.{name}" in MESSAGES
    for basis in ("region", "exception", "owner", "anywhere"):
        assert f"allocation.solver.basis.{basis}" in MESSAGES


def test_an_account_without_a_rep_allowed_to_serve_it_is_named() -> None:
    company = synthetic_company(30, 2, regions=2, deals=0, seed=1, enterprise_share=0.5)
    accounts = company["accounts"].copy()
    enterprise = accounts.index[accounts["segment"] == "Enterprise"][0]
    accounts.loc[enterprise, ["region", "owner_rep_id"]] = ["Region 9", None]
    with pytest.raises(
        AllocationError,
        match=rf"account {accounts.loc[enterprise, 'account_id']} "
        r"\(region Region 9\) must get at least field_light by rule 'enterprise'",
    ):
        _solve({**company, "accounts": accounts})  # fmt: skip


def test_coverage_beyond_capacity_says_how_many_hours_are_missing() -> None:
    company = _tight(
        synthetic_company(60, 2, regions=1, deals=0, seed=1, enterprise_share=0.9), 0.1
    )
    with pytest.raises(AllocationError, match=r"need at least \d+\.\d hours a week, the reps have"):
        _solve(company)


@pytest.mark.parametrize(
    ("frame", "column", "value", "message"),
    [
        ("accounts", "potential", None, "accounts: column 'potential' is missing"),
        ("reps", "capacity_hours_per_week", -1.0, "reps: capacity_hours_per_week of R0000"),
        ("opportunities", "account_id", "A999", "names account A999, which is not among"),
        ("opportunities", "win_uplift", 1.5, "win_uplift of O000000 must lie in"),
        ("rep_fit", "factor", None, "rep_fit: expected the columns rep_id, factor and one"),
        ("rep_fit", "segment", None, "rep_fit: expected the columns rep_id, factor and one"),
    ],
)
def test_bad_input_is_refused_with_what_is_wrong(
    frame: str, column: str, value: object, message: str
) -> None:
    company = synthetic_company(20, 2, regions=1, deals=2, seed=0)
    table = company[frame]
    changed = table.drop(columns=column) if value is None else table.assign(**{column: value})
    with pytest.raises(AllocationError, match=message):
        _solve({**company, frame: changed})
