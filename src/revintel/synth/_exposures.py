"""Randomised exposures to touch channels in every stage of a journey, with a planted effect.

Before a lead's steps are drawn, every channel of :data:`~revintel.synth._config.EXPOSURE_CHANNELS`
is present in the stage of each step ``k`` (between reaching milestone ``k`` and reaching the
next one, or failing) with probability ``EXPOSURE_RATE[k, j]``, independently of everything
about the lead. A present channel adds ``EXPOSURE_EFFECT[k, j]`` to the logit of step ``k``, so
its incremental conversions are identifiable. Each step's logit is lowered by the offset that
keeps the step's expected conversion among the leads expected to reach it what it was without
exposures (the centring offset, see :func:`centring_offsets`), so the funnel's rates stay where
they were. Trade fairs pause during the
collapse: a lead created from ``TRADE_FAIR_LEAD_IN_DAYS`` before it until its end meets none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import expit, logit

from revintel.synth import _config as c

STEPS = len(c.PATH) - 1
CHANNELS = len(c.EXPOSURE_CHANNELS)
TRADE_FAIR = c.EXPOSURE_CHANNELS.index("trade_fair")

if c.EXPOSURE_RATE.shape != (STEPS, CHANNELS) or c.EXPOSURE_EFFECT.shape != (STEPS, CHANNELS):
    raise ValueError(
        "EXPOSURE_RATE and EXPOSURE_EFFECT need one row per step, one column per channel"
    )


@dataclass(frozen=True)
class Exposures:
    """The channels present in each stage of each lead's journey.

    Attributes
    ----------
    present
        ``uint16`` array (leads, steps): bit ``j`` is set when channel ``j`` of
        ``EXPOSURE_CHANNELS`` is present in the stage of step ``k``.
    paused
        Leads that meet no trade fair (created during the collapse or just before it).
    """

    present: np.ndarray
    paused: np.ndarray
    offset: np.ndarray | None = None  # (steps,) centring offset, once centred

    def has(self, channel: int) -> np.ndarray:
        """(leads, steps) whether channel ``channel`` is present in each stage."""
        return ((self.present >> np.uint16(channel)) & np.uint16(1)).astype(bool)

    def effect(self) -> np.ndarray:
        """(leads, steps) sum of the planted logit effects of the channels present."""
        total = np.zeros(self.present.shape)
        for j in range(CHANNELS):
            if c.EXPOSURE_EFFECT[:, j].any():
                total += self.has(j) * c.EXPOSURE_EFFECT[:, j]
        return total

    def centred(self, z: np.ndarray) -> Exposures:
        """These exposures with the offsets that keep each step's expected conversion under the
        step logits ``z`` (leads, steps), see :func:`centring_offsets`."""
        return replace(self, offset=centring_offsets(z, self.effect()))

    def logit_shift(self) -> np.ndarray:
        """(leads, steps) what the exposures add to each step's logit: effect less the offset."""
        if self.offset is None:
            raise ValueError("centre the exposures on the step logits first (Exposures.centred)")
        return self.effect() - self.offset


def _collapse_days(config: c.SynthConfig) -> tuple[float, float]:
    start, stop = c.TRADE_FAIR_COLLAPSE
    first = (start - config.start).days - c.TRADE_FAIR_LEAD_IN_DAYS
    return float(first), float((stop - config.start).days)


def trade_fair_paused(config: c.SynthConfig, created_day: np.ndarray) -> np.ndarray:
    """Leads created while trade fairs pause (from the lead-in before the collapse to its end)."""
    first, stop = _collapse_days(config)
    return (created_day >= first) & (created_day < stop)


def draw_exposures(config: c.SynthConfig, created_day: np.ndarray, first_lead: int) -> Exposures:
    """Draw the exposures of the leads created on ``created_day`` (lead ids from ``first_lead``).

    They come from their own stream, ``default_rng([seed, EXPOSURE_STREAM, first_lead])``, so
    every other random draw of the company stays what it was.
    """
    rng = np.random.default_rng([config.seed, c.EXPOSURE_STREAM, first_lead])
    n = len(created_day)
    paused = trade_fair_paused(config, created_day)
    present = np.zeros((n, STEPS), dtype=np.uint16)
    for j in range(CHANNELS):
        hit = rng.random((n, STEPS), dtype=np.float32) < c.EXPOSURE_RATE[:, j]
        if j == TRADE_FAIR:
            hit &= ~paused[:, None]
        present |= hit.astype(np.uint16) << np.uint16(j)
    return Exposures(present=present, paused=paused)


def centring_offsets(z: np.ndarray, effect: np.ndarray) -> np.ndarray:
    """Per step ``k``, the offset ``o_k`` that keeps the step's expected conversion among the
    leads expected to reach it: ``Σ w expit(z_k + effect_k - o_k) = Σ w expit(z_k)``, the
    weights ``w`` being each lead's chance to reach milestone ``k`` with its exposures (the
    product of its earlier shifted step probabilities); found by Newton's method, step by step.

    Parameters
    ----------
    z
        (leads, steps) step logits without exposures.
    effect
        (leads, steps) summed planted effects of the channels present.
    """
    if z.shape != effect.shape:
        raise ValueError(f"z {z.shape} and effect {effect.shape} need the same shape")
    steps = z.shape[1]
    offset = np.zeros(steps)
    if len(z) == 0:
        return offset
    reach = np.ones(len(z))
    for k in range(steps):
        weight = reach / reach.sum()
        target = weight @ expit(z[:, k])
        offset[k] = weight @ effect[:, k]
        for _ in range(30):
            p = expit(z[:, k] + effect[:, k] - offset[k])
            gap = weight @ p - target
            offset[k] += gap / max(float(weight @ (p * (1 - p))), 1e-12)
            if abs(gap) < 1e-12:
                break
        reach = reach * expit(z[:, k] + effect[:, k] - offset[k])
    return offset


def incremental(probability: np.ndarray, effect: float) -> np.ndarray:
    """P(step | planted logit) − P(step | the logit without ``effect``), per entry."""
    if effect == 0:
        return np.zeros_like(probability)
    return probability - expit(logit(probability) - effect)


class ExposureTruth:
    """Sums over blocks of leads of the planted incremental conversions per step and channel.

    A lead's step ``k`` counts once it is decided by the as-of date (the next milestone or the
    failure recorded); its incremental conversion from channel ``j`` present in the stage is
    ``P(step | planted logit) − P(step | the logit without j's effect)``.
    """

    def __init__(self) -> None:
        self.decided = np.zeros(STEPS, dtype=np.int64)
        self.converted = np.zeros(STEPS, dtype=np.int64)
        self.present = np.zeros((STEPS, CHANNELS), dtype=np.int64)
        self.incremental = np.zeros((STEPS, CHANNELS))
        self.offset_sum = np.zeros(STEPS)
        self.leads = 0

    def add(
        self,
        exposures: Exposures,
        probability: np.ndarray,
        recorded: np.ndarray,
        failed_at: np.ndarray,
    ) -> None:
        """Add one block: its exposures, planted step probabilities (leads, steps), recorded
        milestones (leads, milestones) and the step each lead failed at by the as-of date
        (−1 when none)."""
        if exposures.offset is not None:
            self.offset_sum += exposures.offset * len(probability)
            self.leads += len(probability)
        failed = failed_at[:, None] == np.arange(STEPS)
        decided = recorded[:, :STEPS] & (recorded[:, 1:] | failed)
        self.decided += decided.sum(axis=0)
        self.converted += (decided & recorded[:, 1:]).sum(axis=0)
        for j in range(CHANNELS):
            with_channel = decided & exposures.has(j)
            self.present[:, j] += with_channel.sum(axis=0)
            for k in np.flatnonzero(with_channel.any(axis=0)):
                rows = with_channel[:, k]
                lift = incremental(probability[rows, k], float(c.EXPOSURE_EFFECT[k, j]))
                self.incremental[k, j] += lift.sum()

    def build(self) -> dict[str, object]:
        """Per transition (keyed by its target milestone) and channel: the planted logit effect,
        the presence rate, decided journeys with the channel and its incremental conversions."""
        offset = self.offset_sum / max(self.leads, 1)
        out: dict[str, object] = {}
        for k in range(STEPS):
            channels = {
                ch: {
                    "logit_effect": float(c.EXPOSURE_EFFECT[k, j]),
                    "presence_rate": float(c.EXPOSURE_RATE[k, j]),
                    "decided_with_channel": int(self.present[k, j]),
                    "incremental_conversions": round(float(self.incremental[k, j]), 3),
                }
                for j, ch in enumerate(c.EXPOSURE_CHANNELS)
            }
            out[c.PATH[k + 1]] = {
                "from": c.PATH[k],
                "decided": int(self.decided[k]),
                "converted": int(self.converted[k]),
                "centring_logit": round(float(offset[k]), 4),
                "channels": channels,
            }
        return out
