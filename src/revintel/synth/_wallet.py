"""The planted account potential of the demo company and how much of it sales time wins.

Every account could buy ``potential[a, f]`` EUR a year of product family ``f`` (its wallet,
from size, industry and region); a customer buys the share ``sow(h)`` of it from us, growing with
diminishing returns in the sales hours ``h`` a week it gets under today's size-based service
rule — in each year the rule's hours times a factor of that year (rep changes, leave, vacant
territories), so that what more hours win shows within each customer, not only between large and
small ones. Drawn from a random stream of its own, so that every other draw of the demo stays put.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from revintel.synth import _config as c
from revintel.synth._company import Company


def share_of_wallet(hours: np.ndarray | float) -> np.ndarray:
    """The planted share of wallet bought at ``hours`` sales hours a week.

    Examples
    --------
    >>> float(share_of_wallet(0.0))
    0.15
    >>> round(float(share_of_wallet(1.0)), 4)
    0.5609
    """
    h = np.asarray(hours, dtype=float)
    return c.SOW_S0 + (c.SOW_S_MAX - c.SOW_S0) * (1.0 - np.exp(-h / c.SOW_H_HALF))


#: Days of a year of service (years are counted back from the as-of date).
YEAR_DAYS = 365.25


@dataclass(frozen=True)
class Wallet:
    """Potential per account and family, and the service hours today's rule gives each account."""

    potential: np.ndarray  # (accounts, families) EUR a year
    hours: np.ndarray  # (accounts,) sales hours a week, were the account a customer
    year_factor: np.ndarray  # (accounts, years): hours of service year y back / rule's
    as_of_day: float  # day of the as-of date, counted from the start of the history
    phase: np.ndarray  # (accounts,) days after the as-of date the account's service year ends

    def year_end(self, account: np.ndarray, years_back: np.ndarray | int) -> np.ndarray:
        """The day the ``years_back``-th service year of ``account`` ends (0: the year that
        holds the as-of date). Each account's years turn on a day of its own (a rep change,
        a contract year), so that the company's service does not jump on one date."""
        return self.as_of_day + self.phase[account] - YEAR_DAYS * np.asarray(years_back)

    def years_back(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The service year of ``account`` that each ``day`` falls in (see :meth:`year_end`)."""
        back = np.floor((self.year_end(account, 0) - np.asarray(day, dtype=float)) / YEAR_DAYS)
        return np.clip(back, 0, self.year_factor.shape[1] - 1).astype(np.int64)

    def hours_in(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Sales hours a week ``account`` gets in the service year of ``day``."""
        return self.hours[account] * self.year_factor[account, self.years_back(account, day)]

    @property
    def spend(self) -> np.ndarray:
        """Expected yearly spend per account and family with us: potential × sow(hours)."""
        return self.potential * share_of_wallet(self.hours)[:, None]


def _family_table(values: dict[str, float]) -> np.ndarray:
    return np.array([values[name] for name, *_ in c.FAMILIES])


def industry_family_multipliers() -> np.ndarray:
    """(industries, families) multipliers of the potential, 1 where none is planted."""
    names = [f[0] for f in c.FAMILIES]
    out = np.ones((len(c.INDUSTRIES), len(names)))
    for i, industry in enumerate(c.INDUSTRIES):
        for family, factor in c.WALLET_INDUSTRY.get(industry, {}).items():
            out[i, names.index(family)] = factor
    return out


def plant_wallet(config: c.SynthConfig, company: Company) -> Wallet:
    """Potential and today's service hours of every account of ``company``."""
    rng = np.random.default_rng([config.seed, c.WALLET_STREAM])
    employees = company.accounts.column("employees").to_numpy().astype(float)
    size = employees[:, None] / c.WALLET_REFERENCE_EMPLOYEES
    base = _family_table(c.WALLET_BASE)
    elasticity = _family_table(c.WALLET_ELASTICITY)
    region = np.array([c.WALLET_REGION[r] for r in c.REGIONS])[company.account_region]
    noise = rng.lognormal(0.0, c.WALLET_SIGMA, size.shape[0] * len(base)).reshape(-1, len(base))
    potential = (
        base[None, :]
        * size ** elasticity[None, :]
        * industry_family_multipliers()[company.account_industry]
        * region[:, None]
        * noise
    ).round(2)
    rep_factor = rng.lognormal(0.0, c.SERVICE_REP_SIGMA, len(company.rep_skill))
    account_factor = rng.lognormal(0.0, c.SERVICE_ACCOUNT_SIGMA, len(employees))
    hours = c.SERVICE_HOURS_BY_SEGMENT[company.account_segment]
    # to the 1/2000 hour (under two seconds)
    hours = (2.0 * hours * rep_factor[company.account_rep] * account_factor).round(3) / 2.0
    years = int(np.ceil(config.days / YEAR_DAYS)) + 1
    sigma = c.SERVICE_YEAR_SIGMA
    year_factor = rng.lognormal(-(sigma**2) / 2.0, sigma, (len(employees), years))
    vacant = rng.random((len(employees), years)) < c.SERVICE_VACANCY_SHARE
    year_factor = np.where(vacant, c.SERVICE_VACANCY_FACTOR, year_factor).round(4)
    phase = (rng.random(len(employees)) * YEAR_DAYS).round(2)
    return Wallet(potential, hours, year_factor, float(config.days), phase)


def wallet_truth(wallet: Wallet, customers: np.ndarray, mean_rate: float) -> dict[str, Any]:
    """``allocation`` of the truth file: potential, today's hours and the share-of-wallet curve.

    ``customers`` are the account indices that bought: they get today's hours, every other
    account none. ``mean_rate`` is the purchases a year a customer buying its planted spend
    makes (see :meth:`~revintel.synth._orders.RepeatOrders.wallet_values`).
    """
    families = [f[0] for f in c.FAMILIES]
    hours = np.zeros(len(wallet.hours))
    hours[customers] = wallet.hours[customers]
    accounts = [f"A{a + 1:05d}" for a in range(len(hours))]
    return {
        "description": "potential: what each account could buy per product family, EUR a year; "
        "hours_today: sales hours a week today's service rule gives it (0: not a customer); "
        "hours_by_year: the hours a week a customer got in each of its service years counted "
        "back (first: the year ending service_year_phase_days after the as-of date, each "
        "year_days long), the rule's times a factor of the year; a "
        "customer's expected spend per family in a year while it buys (repeat orders, those "
        "without an opportunity) is potential × sow(hours of that year), "
        "sow(h) = s0 + (s_max - s0) × "
        "(1 - exp(-h / h_half)), averaged over the customers' purchase rates (a customer "
        "buying at purchases_per_year spends exactly that, one buying twice as often twice "
        "that); won deals come on top",
        "potential": {
            a: {f: float(v) for f, v in zip(families, row, strict=True)}
            for a, row in zip(accounts, wallet.potential, strict=True)
        },
        "hours_today": {a: float(h) for a, h in zip(accounts, hours, strict=True)},
        "hours_by_year": {
            accounts[a]: [round(float(h), 6) for h in wallet.hours[a] * wallet.year_factor[a]]
            for a in customers
        },
        "service_year_phase_days": {accounts[a]: float(wallet.phase[a]) for a in customers},
        "year_days": YEAR_DAYS,
        "share_of_wallet": {"s0": c.SOW_S0, "s_max": c.SOW_S_MAX, "h_half": c.SOW_H_HALF},
        "purchases_per_year": round(mean_rate, 6),
        "constants": {
            "reference_employees": c.WALLET_REFERENCE_EMPLOYEES,
            "base": dict(c.WALLET_BASE),
            "elasticity": dict(c.WALLET_ELASTICITY),
            "industry_family": {i: dict(m) for i, m in c.WALLET_INDUSTRY.items()},
            "region": dict(c.WALLET_REGION),
            "lognormal_sigma": c.WALLET_SIGMA,
            "service_hours_by_segment": dict(
                zip(c.SEGMENTS, c.SERVICE_HOURS_BY_SEGMENT.tolist(), strict=True)
            ),
            "service_rep_sigma": c.SERVICE_REP_SIGMA,
            "service_account_sigma": c.SERVICE_ACCOUNT_SIGMA,
            "service_year_sigma": c.SERVICE_YEAR_SIGMA,
            "service_vacancy_share": c.SERVICE_VACANCY_SHARE,
            "service_vacancy_factor": c.SERVICE_VACANCY_FACTOR,
            "activity_hour_share": dict(
                zip(c.ACTIVITY_KINDS, c.ACTIVITY_HOUR_SHARE.tolist(), strict=True)
            ),
            "activity_mean_minutes": dict(
                zip(c.ACTIVITY_KINDS, c.ACTIVITY_MEAN_MINUTES.tolist(), strict=True)
            ),
            "emails_per_hour": c.ACTIVITY_EMAILS_PER_HOUR,
        },
    }
