"""Seeded synthetic companies for checking and timing the allocation programme: accounts with
potential, segment, region and owner; reps with region, team and capacity; open deals."""

from __future__ import annotations

import numpy as np
import pandas as pd

SEGMENTS = ("Enterprise", "Mittelstand", "Kleinunternehmen")
_SEGMENT_POTENTIAL = {"Enterprise": 12.0, "Mittelstand": 10.8, "Kleinunternehmen": 9.6}


def synthetic_company(
    accounts: int,
    reps: int,
    *,
    regions: int = 4,
    deals: int = 0,
    seed: int = 0,
    fit_spread: float = 0.2,
    enterprise_share: float = 0.1,
) -> dict[str, pd.DataFrame]:
    """``accounts``, ``reps``, ``opportunities`` and ``rep_fit`` frames of a made-up company.

    Potential is log-normal per segment (Enterprise about 160,000 EUR a year; the other
    segments share 4:5 what ``enterprise_share`` leaves), reps are spread
    evenly over the regions (at least one each) with 30 to 40 hours a week, each account is
    owned by a rep of its region, and each rep's fit per segment is 1 ± ``fit_spread``.
    """
    rng = np.random.default_rng(seed)
    names = [f"Region {i + 1}" for i in range(regions)]
    rep_region = np.array([names[i % regions] for i in range(reps)])
    rep_ids = np.array([f"R{i:04d}" for i in range(reps)])
    rep_frame = pd.DataFrame(
        {
            "rep_id": rep_ids,
            "region": rep_region,
            "team": rep_region,
            "capacity_hours_per_week": rng.choice([30.0, 35.0, 40.0], reps),
        }
    )
    rest = (1.0 - enterprise_share) / 0.9
    shares = [enterprise_share, 0.4 * rest, 0.5 * rest]
    segment = rng.choice(SEGMENTS, accounts, p=shares)
    region = rng.choice(names, accounts)
    mu = np.array([_SEGMENT_POTENTIAL[s] for s in segment])
    owner = np.empty(accounts, dtype=object)
    for name in names:
        here = region == name
        owner[here] = rng.choice(rep_ids[rep_region == name], int(here.sum()))
    account_frame = pd.DataFrame(
        {
            "account_id": [f"A{i:06d}" for i in range(accounts)],
            "region": region,
            "segment": segment,
            "potential": np.round(rng.lognormal(mu, 0.7), 2),
            "owner_rep_id": owner,
        }
    )
    on = rng.integers(0, accounts, deals)
    deal_frame = pd.DataFrame(
        {
            "opportunity_id": [f"O{i:06d}" for i in range(deals)],
            "account_id": account_frame["account_id"].to_numpy()[on],
            "amount": np.round(rng.lognormal(10.5, 0.8, deals), 2),
            "win_uplift": np.round(rng.uniform(0.02, 0.15, deals), 3),
            "owner_rep_id": owner[on],
        }
    )
    fit = pd.DataFrame([(r, s) for r in rep_ids for s in SEGMENTS], columns=["rep_id", "segment"])
    fit["factor"] = np.round(1.0 + rng.uniform(-fit_spread, fit_spread, len(fit)), 3)
    return {
        "accounts": account_frame,
        "reps": rep_frame,
        "opportunities": deal_frame,
        "rep_fit": fit,
    }
