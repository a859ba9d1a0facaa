"""Reps, accounts, contacts, products and campaigns of the demo company."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from revintel.synth import _config as c
from revintel.synth._columns import ids, take, timestamps, weighted_choice, with_lineage


@dataclass(frozen=True)
class Company:
    """The master data plus the hidden traits the journey simulation needs."""

    reps: pa.Table
    accounts: pa.Table
    contacts: pa.Table
    products: pa.Table
    rep_skill: np.ndarray
    rep_speed: np.ndarray  # multiplies the durations of the rep's opportunity stages
    rep_discount: np.ndarray
    rep_industries: np.ndarray  # (reps, industries) bool: specialisation
    account_rep: np.ndarray
    account_industry: np.ndarray
    account_segment: np.ndarray
    account_region: np.ndarray
    account_weight: np.ndarray
    contact_account: np.ndarray
    contacts_start: np.ndarray  # first contact row of each account
    contacts_count: np.ndarray
    product_family: np.ndarray
    product_price: np.ndarray
    product_cost: np.ndarray


def _reps(
    config: c.SynthConfig, rng: np.random.Generator, batch: str
) -> tuple[pa.Table, np.ndarray]:
    n = config.reps
    team = np.arange(n) % len(c.TEAMS)
    first = rng.integers(0, len(c.FIRST_NAMES), n)
    last = rng.integers(0, len(c.SURNAMES), n)
    names = [f"{c.FIRST_NAMES[f]} {c.SURNAMES[s]}" for f, s in zip(first, last, strict=True)]
    rep_id = ids("R", np.arange(1, n + 1), 3)
    region = [c.TEAMS[t] if t < 4 else "International" for t in team]
    table = with_lineage(
        {
            "rep_id": rep_id,
            "name": names,
            "email": [
                f"{nm.split()[0][0].lower()}.{i}@demo-gruppe.de" for i, nm in enumerate(names)
            ],
            "team": take(c.TEAMS, team),
            "region": region,
            "manager": [f"Leitung {c.TEAMS[t]}" for t in team],
            "capacity_hours_per_week": rng.choice([30.0, 35.0, 40.0], n),
            "hired_at": timestamps(config.start, -rng.integers(200, 4000, n)),
        },
        "rep_id",
        batch,
    )
    return table, team


def _account_names(rng: np.random.Generator, industry: np.ndarray) -> list[str]:
    seen: set[str] = set()
    names = []
    for ind in industry:
        words = c.NAME_WORDS[c.INDUSTRIES[ind]]
        while True:
            surname = c.SURNAMES[rng.integers(len(c.SURNAMES))]
            if rng.random() < 0.3:
                surname = f"{surname} & {c.SURNAMES[rng.integers(len(c.SURNAMES))]}"
            form = c.LEGAL_FORMS[weighted_choice(rng, c.LEGAL_FORM_WEIGHTS, 1)[0]]
            name = f"{surname} {words[rng.integers(len(words))]} {form}"
            if name not in seen:
                break
        seen.add(name)
        names.append(name)
    return names


_UMLAUTS: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "&": ""}
_ASCII = str.maketrans(_UMLAUTS)


def _slug(text: str) -> str:
    return "-".join(text.lower().translate(_ASCII).replace(".", "").split())


def _domains(names: list[str], countries: list[str]) -> list[str]:
    """One web domain per company: its name without the legal form (``mueller-lange-chemie.de``);
    where two companies would share one, the later one keeps its legal form, then a number."""
    taken: set[str] = set()
    out = []
    for name, country in zip(names, countries, strict=True):
        form = next(f for f in sorted(c.LEGAL_FORMS, key=len, reverse=True) if name.endswith(f))
        base = _slug(name.removesuffix(form))
        numbered = (f"{base}-{n}" for n in itertools.count(2))
        candidates = itertools.chain((base, f"{base}-{_slug(form)}"), numbered)
        domain = next(d for d in (f"{x}.{country.lower()}" for x in candidates) if d not in taken)
        taken.add(domain)
        out.append(domain)
    return out


def _accounts(
    config: c.SynthConfig, rng: np.random.Generator, rep_team: np.ndarray, batch: str
) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = config.accounts
    industry = weighted_choice(rng, c.INDUSTRY_WEIGHTS, n)
    region = weighted_choice(rng, c.REGION_WEIGHTS, n)
    employees = np.clip(np.round(rng.lognormal(np.log(180), 1.3, n)), 5, 60_000).astype(int)
    segment = np.where(employees >= 1000, 0, np.where(employees >= 50, 1, 2))
    city_pick = rng.integers(0, 4, n)
    cities = [c.CITIES[c.REGIONS[r]][k] for r, k in zip(region, city_pick, strict=True)]
    # Key-account reps own enterprise accounts; regional reps the rest of their region.
    owner = np.empty(n, dtype=int)
    reps_by_team = [np.flatnonzero(rep_team == t) for t in range(len(c.TEAMS))]
    for i in range(n):
        team = 4 if (segment[i] == 0 or region[i] == 4) else region[i]
        pool = reps_by_team[team] if len(reps_by_team[team]) else np.arange(len(rep_team))
        owner[i] = pool[rng.integers(len(pool))]
    names = _account_names(rng, industry)
    revenue = employees * rng.uniform(120_000, 260_000, n)
    band = np.digitize(revenue, [10e6, 50e6, 250e6, 1e9])
    bands = ("< 10 Mio. €", "10–50 Mio. €", "50–250 Mio. €", "250 Mio.–1 Mrd. €", "> 1 Mrd. €")
    table = with_lineage(
        {
            "account_id": ids("A", np.arange(1, n + 1), 5),
            "name": names,
            "industry": take(c.INDUSTRIES, industry),
            "segment": take(c.SEGMENTS, segment),
            "country": [ct for _, ct in cities],
            "region": take(c.REGIONS, region),
            "city": [cy for cy, _ in cities],
            "employees": employees,
            "revenue_band": take(bands, band),
            "owner_rep_id": ids("R", owner + 1, 3),
            "created_at": timestamps(config.start, -rng.integers(30, 3000, n)),
            "domain": _domains(names, [ct for _, ct in cities]),
        },
        "account_id",
        batch,
    )
    return table, industry, segment, region, owner, employees


def _contacts(
    config: c.SynthConfig, rng: np.random.Generator, domains: list[str], batch: str
) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
    per_account = rng.integers(1, 6, config.accounts)
    account = np.repeat(np.arange(config.accounts), per_account)
    n = len(account)
    first = rng.integers(0, len(c.FIRST_NAMES), n)
    last = rng.integers(0, len(c.SURNAMES), n)
    job = rng.integers(0, len(c.JOB_TITLES), n)
    first_names = take(c.FIRST_NAMES, first)
    last_names = take(c.SURNAMES, last)
    emails = [
        f"{f.lower()}.{s.lower()}{i}@{domains[a]}".replace("ü", "ue")
        .replace("ö", "oe")
        .replace("ä", "ae")
        for i, (f, s, a) in enumerate(
            zip(first_names.to_pylist(), last_names.to_pylist(), account, strict=True)
        )
    ]
    table = with_lineage(
        {
            "contact_id": ids("C", np.arange(1, n + 1), 6),
            "account_id": ids("A", account + 1, 5),
            "first_name": first_names,
            "last_name": last_names,
            "email": emails,
            "job_title": [c.JOB_TITLES[j][0] for j in job],
            "buying_role": [c.JOB_TITLES[j][1] for j in job],
            "created_at": timestamps(config.start, -rng.integers(0, 1500, n)),
        },
        "contact_id",
        batch,
    )
    starts = np.concatenate([[0], np.cumsum(per_account)[:-1]])
    return table, account, starts, per_account


def _products(
    config: c.SynthConfig, rng: np.random.Generator, batch: str
) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
    k = c.PRODUCTS_PER_FAMILY
    family = np.repeat(np.arange(len(c.FAMILIES)), k)
    price = np.array([rng.uniform(*c.FAMILIES[f][1]) for f in family]).round(-1)
    margin = np.array([c.FAMILIES[f][2] for f in family]) + rng.normal(0, 0.03, len(family))
    cost = (price * (1 - margin)).round(2)
    names = [
        f"{c.FAMILIES[f][0]} {['Basis', 'Pro', 'Max', 'Kompakt'][i % k]}"
        for i, f in enumerate(family)
    ]
    table = with_lineage(
        {
            "product_id": ids("P", np.arange(1, len(family) + 1), 3),
            "name": names,
            "family": [c.FAMILIES[f][0] for f in family],
            "list_price": price,
            "unit_cost": cost,
            "currency": [config.currency] * len(family),
        },
        "product_id",
        batch,
    )
    return table, family, price, cost


def build_company(config: c.SynthConfig, rng: np.random.Generator, batch: str) -> Company:
    """Generate the master data of the demo company."""
    reps, rep_team = _reps(config, rng, batch)
    accounts, industry, segment, region, owner, employees = _accounts(config, rng, rep_team, batch)
    contacts, contact_account, starts, counts = _contacts(
        config, rng, accounts.column("domain").to_pylist(), batch
    )
    products, family, price, cost = _products(config, rng, batch)
    rep_industries = np.zeros((config.reps, len(c.INDUSTRIES)), dtype=bool)
    for r in range(config.reps):
        rep_industries[r, rng.choice(len(c.INDUSTRIES), 2, replace=False)] = True
    return Company(
        reps=reps,
        accounts=accounts,
        contacts=contacts,
        products=products,
        rep_skill=rng.normal(0, 0.3, config.reps),
        rep_speed=rng.lognormal(0.0, 0.15, config.reps),
        rep_discount=rng.normal(0, 0.03, config.reps),
        rep_industries=rep_industries,
        account_rep=owner,
        account_industry=industry,
        account_segment=segment,
        account_region=region,
        account_weight=employees.astype(float) ** 0.3,
        contact_account=contact_account,
        contacts_start=starts,
        contacts_count=counts,
        product_family=family,
        product_price=price,
        product_cost=cost,
    )
