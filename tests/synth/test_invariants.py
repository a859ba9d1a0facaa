"""Invariants every generated company keeps, whatever its size and seed."""

from functools import cache

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revintel.model import load_funnel
from revintel.synth import SynthConfig, SynthResult, generate

FUNNEL = load_funnel()
PATH = [*list(FUNNEL.path_ids), "won"]
TERMINAL = {"won", "lost", "disqualified"}


@cache
def _company(seed: int, leads: int, accounts: int) -> SynthResult:
    return generate(SynthConfig(seed=seed, leads=leads, accounts=accounts, reps=10))


configs = st.tuples(
    st.integers(0, 10_000), st.integers(300, 2_500), st.sampled_from([60, 150, 400])
)


def _frames(result: SynthResult) -> dict[str, pd.DataFrame]:
    return {name: table.to_pandas() for name, table in result.tables.items()}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_milestone_histories_are_ordered_and_end_at_a_terminal(
    config: tuple[int, int, int],
) -> None:
    m = _frames(_company(*config))["milestones"]
    m = m.assign(rank=m["milestone"].map({k: i for i, k in enumerate(PATH)}).fillna(len(PATH)))
    m = m.sort_values(["lead_id", "rank"])
    # timestamps never go back along a journey
    steps = m.groupby("lead_id")["occurred_at"].diff().dropna()
    assert (steps >= pd.Timedelta(0)).all()
    # at most one terminal event, and nothing after it
    terminal = m[m["milestone"].isin(TERMINAL)]
    assert not terminal["lead_id"].duplicated().any()
    last = m.groupby("lead_id").tail(1)
    ends = m[m["milestone"].isin(TERMINAL)][["lead_id", "occurred_at"]]
    joined = last.merge(ends, on="lead_id", suffixes=("", "_end"))
    assert (joined["milestone"].isin(TERMINAL)).all()
    assert (joined["occurred_at"] == joined["occurred_at_end"]).all()
    # every journey starts with an MQL and has no gaps along the path
    path_events = m[~m["milestone"].isin(TERMINAL - {"won"})]
    expected_rank = path_events.groupby("lead_id").cumcount()
    assert (path_events["rank"].to_numpy() == expected_rank.to_numpy()).all()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_funnel_counts_never_rise(config: tuple[int, int, int]) -> None:
    m = _frames(_company(*config))["milestones"]
    counts = m["milestone"].value_counts().reindex(PATH, fill_value=0).to_numpy()
    assert (np.diff(counts) <= 0).all()
    assert counts[0] == config[1]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_references_resolve(config: tuple[int, int, int]) -> None:
    f = _frames(_company(*config))
    keys = {name: set(df.iloc[:, 0]) for name, df in f.items()}
    checks = [
        ("accounts", "owner_rep_id", "reps"),
        ("contacts", "account_id", "accounts"),
        ("leads", "account_id", "accounts"),
        ("leads", "contact_id", "contacts"),
        ("leads", "campaign_id", "campaigns"),
        ("leads", "rep_id", "reps"),
        ("opportunities", "lead_id", "leads"),
        ("opportunities", "account_id", "accounts"),
        ("opportunities", "product_id", "products"),
        ("milestones", "lead_id", "leads"),
        ("touchpoints", "lead_id", "leads"),
        ("touchpoints", "opportunity_id", "opportunities"),
        ("quotes", "opportunity_id", "opportunities"),
        ("orders", "account_id", "accounts"),
        ("orders", "opportunity_id", "opportunities"),
        ("order_lines", "order_id", "orders"),
        ("order_lines", "product_id", "products"),
    ]
    for table, column, target in checks:
        values = set(f[table][column].dropna())
        assert values <= keys[target], f"{table}.{column} → {target}"
    for name, df in f.items():
        assert df.iloc[:, 0].is_unique, name
        assert (df["source_id"] == df.iloc[:, 0]).all()
        assert df["source_system"].eq("synth").all()


def test_opportunity_outcome_matches_its_milestones() -> None:
    f = _frames(_company(7, 2_000, 150))
    opp = f["opportunities"].set_index("opportunity_id")
    m = f["milestones"]
    won = set(m.loc[m["milestone"] == "won", "entity_id"])
    lost = set(m.loc[m["milestone"] == "lost", "entity_id"])
    assert set(opp.index[opp["status"] == "won"]) == won
    assert set(opp.index[opp["status"] == "lost"]) == lost
    closed = opp[opp["status"] != "open"]
    assert (closed["closed_at"] >= closed["created_at"]).all()
    assert opp.loc[opp["status"] == "open", "closed_at"].isna().all()
    assert np.allclose(opp["net_price"], (opp["list_price"] * (1 - opp["discount"])).round(2))
    assert (opp["currency"] == "EUR").all()


def test_same_seed_gives_the_same_company() -> None:
    a = generate(SynthConfig(seed=3, leads=500, accounts=80, reps=6))
    b = generate(SynthConfig(seed=3, leads=500, accounts=80, reps=6))
    c = generate(SynthConfig(seed=4, leads=500, accounts=80, reps=6))
    assert all(a.tables[n].equals(b.tables[n]) for n in a.tables)
    assert not a.tables["milestones"].equals(c.tables["milestones"])


def test_every_company_has_its_own_web_domain_and_contacts_write_from_it() -> None:
    """Distinct companies never share a domain (it would make them look like duplicates)."""
    f = _frames(_company(11, 1_000, 3_000))
    accounts = f["accounts"][~f["accounts"]["placeholder"].fillna(False).astype(bool)]  # no guest
    assert accounts["domain"].is_unique
    assert accounts["domain"].str.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.[a-z]{2}").all()
    koch = accounts[accounts["name"].str.startswith("Koch Chemie ")]
    if len(koch) > 1:  # the same words under another legal form keep the form in the domain
        assert koch["domain"].nunique() == len(koch)
    contacts = f["contacts"].merge(accounts[["account_id", "domain"]], on="account_id")
    assert (contacts["email"].str.split("@").str[1] == contacts["domain"]).all()
