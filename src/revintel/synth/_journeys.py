"""The funnel journey of every lead: step probabilities, durations, outcomes, as-of censoring."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from revintel.synth import _config as c
from revintel.synth._company import Company
from revintel.synth._exposures import Exposures, draw_exposures
from revintel.synth._leads import Leads

STEPS = len(c.PATH) - 1
OFFER_SENT = c.PATH.index("offer_sent")


@dataclass(frozen=True)
class Journeys:
    """Planted probabilities and simulated, censored event times of every lead's journey."""

    probability: np.ndarray  # (leads, steps): P(step k succeeds | milestone k reached)
    reached: np.ndarray  # (leads, milestones) uncensored: milestone reached at some time
    time: np.ndarray  # (leads, milestones) day of reaching each milestone (uncensored)
    depth: np.ndarray  # index of the last milestone reached (uncensored)
    end_time: np.ndarray  # day of the terminal event (won, lost or disqualified)
    end_reason: np.ndarray  # index into the reason list of the terminal event, -1 for won
    as_of: float  # day of the as-of instant; later events are not recorded
    discount: np.ndarray
    rep_fit: np.ndarray
    stalled: np.ndarray  # planted stalled-deal cluster
    exposures: Exposures | None = None  # channels present in each stage (planted effects)

    @property
    def recorded(self) -> np.ndarray:
        """(leads, milestones): reached and dated before the as-of instant."""
        return self.reached & (self.time <= self.as_of)

    @property
    def ended(self) -> np.ndarray:
        """Whether the terminal event happened before the as-of instant."""
        return self.end_time <= self.as_of

    @property
    def outcome(self) -> np.ndarray:
        """0 won, 1 lost, 2 disqualified (uncensored)."""
        return np.where(self.depth == STEPS, 0, np.where(self.depth < c.LEAD_STEPS, 2, 1))


def _step_logits(
    rng: np.random.Generator, company: Company, leads: Leads
) -> tuple[np.ndarray, ...]:
    n = len(leads.channel)
    industry = company.account_industry[leads.account]
    segment = company.account_segment[leads.account]
    channel_effect = c.CHANNEL_EFFECT[leads.channel]
    z = np.tile(logit(c.BASE_CONVERSION), (n, 1))
    lead_part = channel_effect + c.ENGAGEMENT_EFFECT * leads.engagement + c.SEGMENT_EFFECT[segment]
    z[:, : c.LEAD_STEPS - 1] += lead_part[:, None]
    z[:, 0] += c.RESPONSE_TIME_EFFECT * np.log(leads.response_hours / c.RESPONSE_HOURS_MEDIAN)
    z[:, 0] += np.where(leads.in_dip, c.DIP_ACCEPTANCE_EFFECT, 0.0)
    later = (
        channel_effect / 3
        + c.INDUSTRY_EFFECT[industry]
        + c.SEGMENT_EFFECT[segment]
        + company.rep_skill[leads.rep]
    )
    z[:, c.LEAD_STEPS - 1 :] += later[:, None]
    norm = c.SEGMENT_DISCOUNT_NORM[segment]
    discount = np.clip(norm + company.rep_discount[leads.rep] + rng.normal(0, 0.04, n), 0.0, 0.35)
    rep_fit = company.rep_industries[leads.rep, industry]
    z[:, -1] += c.PRICE_RESPONSE_PER_DISCOUNT * (discount - norm) + c.REP_FIT_EFFECT * rep_fit
    return z, discount.round(3), rep_fit


def _durations(
    rng: np.random.Generator, company: Company, leads: Leads
) -> tuple[np.ndarray, np.ndarray]:
    n = len(leads.channel)
    segment = company.account_segment[leads.account]
    speed = c.SEGMENT_SPEED[segment][:, None] * np.ones((n, STEPS))
    digital = c.DIGITAL[leads.channel]
    speed[:, : c.LEAD_STEPS] *= np.where(digital, 0.8, 1.2)[:, None]
    industry = company.account_industry[leads.account]
    opportunity_speed = c.INDUSTRY_SPEED[industry] * company.rep_speed[leads.rep]
    speed[:, c.LEAD_STEPS :] *= opportunity_speed[:, None]
    noise = rng.lognormal(0.0, c.DURATION_SIGMA, (n, STEPS + 1))
    fail_median = np.append(c.MEDIAN_DAYS, c.MEDIAN_DAYS[-1]) * 1.5
    durations = np.empty((n, STEPS + 1))
    durations[:, :STEPS] = c.MEDIAN_DAYS * speed * noise[:, :STEPS]
    durations[:, STEPS] = noise[:, STEPS]  # scaled by the failing step's median below
    durations[:, STEPS] *= speed.mean(axis=1)
    return durations, fail_median


def simulate_journeys(
    config: c.SynthConfig, rng: np.random.Generator, company: Company, leads: Leads
) -> Journeys:
    """Walk every lead along the funnel path with its planted step probabilities."""
    z, discount, rep_fit = _step_logits(rng, company, leads)
    exposures = draw_exposures(config, leads.created_day, leads.first).centred(z)
    z += exposures.logit_shift()
    probability = expit(z)
    success = rng.random(probability.shape) < probability
    reached = np.ones((len(z), STEPS + 1), dtype=bool)
    reached[:, 1:] = np.cumprod(success, axis=1).astype(bool)
    depth = reached.sum(axis=1) - 1
    durations, fail_median = _durations(rng, company, leads)
    as_of = float(config.days)
    time = np.empty_like(reached, dtype=float)
    time[:, 0] = leads.created_day
    time[:, 1:] = leads.created_day[:, None] + np.cumsum(durations[:, :STEPS], axis=1)
    stalled = _plant_stall(company, leads, reached, time, as_of)
    stall_from = time[:, OFFER_SENT]
    time[:, OFFER_SENT + 1 :] = np.where(
        stalled[:, None],
        stall_from[:, None] + (time[:, OFFER_SENT + 1 :] - stall_from[:, None]) * c.STALL_FACTOR,
        time[:, OFFER_SENT + 1 :],
    )
    rows = np.arange(len(z))
    last_time = time[rows, depth]
    fail_duration = durations[:, STEPS] * fail_median[np.minimum(depth, STEPS - 1)]
    fail_duration = np.where(stalled, fail_duration * c.STALL_FACTOR, fail_duration)
    end_time = np.where(depth == STEPS, time[:, STEPS], last_time + fail_duration)
    n_reasons = np.where(depth < c.LEAD_STEPS, len(c.DISQUALIFIED_REASONS), len(c.LOST_REASONS))
    end_reason = np.where(depth == STEPS, -1, (rng.random(len(z)) * n_reasons).astype(int))
    return Journeys(
        probability=probability,
        reached=reached,
        time=time,
        depth=depth,
        end_time=end_time,
        end_reason=end_reason,
        as_of=as_of,
        discount=discount,
        rep_fit=rep_fit,
        stalled=stalled,
        exposures=exposures,
    )


def _plant_stall(
    company: Company, leads: Leads, reached: np.ndarray, time: np.ndarray, as_of: float
) -> np.ndarray:
    """Offers sent 3–9 months before the end to Automotive accounts stop moving."""
    industry = company.account_industry[leads.account]
    offer = time[:, OFFER_SENT]
    return (
        reached[:, OFFER_SENT]
        & (industry == c.INDUSTRIES.index(c.STALL_INDUSTRY))
        & (offer >= as_of - 270)
        & (offer < as_of - 90)
    )
