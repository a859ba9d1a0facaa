"""The planted ground truth of the demo company, for tests and for users checking estimators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from revintel.synth import _config as c
from revintel.synth._company import Company
from revintel.synth._exposures import ExposureTruth
from revintel.synth._journeys import STEPS, Journeys
from revintel.synth._leads import Leads, dip_start
from revintel.synth._order_truth import purchase_truth
from revintel.synth._orders import OrderBook
from revintel.synth._pipeline import Deals
from revintel.synth._price_adjustments import price_waterfall_truth
from revintel.synth._touchpoints import planted_touch_truth
from revintel.synth._wallet import wallet_truth

MATURITY_DAYS = 365


#: Lead groups the stage and win truths are reported for: all mature leads, then by channel
#: and by segment.
GROUPS = (
    ("all", None),
    *((f"channel:{ch}", ch) for ch in c.CHANNELS),
    *((f"segment:{s}", s) for s in c.SEGMENTS),
)


def _auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve by the Mann-Whitney rank sum."""
    from scipy.stats import rankdata  # scipy.stats costs a second at import: only load it here

    ranks = rankdata(score)
    n_pos = int(positive.sum())
    n_neg = len(score) - n_pos
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


class TruthParts:
    """Sums of the planted truth over blocks of leads, turned into the truth at the end.

    A company generated in blocks adds each block (:meth:`add`) and builds the truth once its
    orders exist (:meth:`build`); one block gives exactly what the arrays of all leads give.
    """

    def __init__(self) -> None:
        groups = len(GROUPS)
        self.arrived = np.zeros((groups, STEPS), dtype=np.int64)
        self.step_sum = np.zeros((groups, STEPS))
        self.win_sum = np.zeros((groups, STEPS))
        self.year_channel: dict[int, np.ndarray] = {}
        self.ceiling: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {
            "lead_to_sql_auc": [],
            "lead_to_won_auc": [],
            "deal_won_auc_at_creation": [],
        }
        self.dip_sum = 0.0
        self.dip_leads = 0
        self.stalled_open: list[str] = []
        self.opportunities = 0
        self.won = 0
        self.exposure = ExposureTruth()

    def _groups(self, config: c.SynthConfig, company: Company, leads: Leads) -> list[np.ndarray]:
        mature = leads.created_day < config.days - MATURITY_DAYS
        segment = company.account_segment[leads.account]
        masks = [mature]
        masks += [mature & (leads.channel == i) for i in range(len(c.CHANNELS))]
        masks += [mature & (segment == i) for i in range(len(c.SEGMENTS))]
        return masks

    def add(
        self,
        config: c.SynthConfig,
        company: Company,
        leads: Leads,
        journeys: Journeys,
        deals: Deals,
    ) -> None:
        """Add the truth of one block of leads."""
        remaining = np.cumprod(journeys.probability[:, ::-1], axis=1)[:, ::-1]
        for g, rows in enumerate(self._groups(config, company, leads)):
            for k in range(STEPS):
                arrived = rows & journeys.reached[:, k]
                self.arrived[g, k] += int(arrived.sum())
                self.step_sum[g, k] += journeys.probability[arrived, k].sum()
                self.win_sum[g, k] += remaining[arrived, k].sum()
        year = (
            np.datetime64(config.start.isoformat(), "D") + leads.created_day.astype(int)
        ).astype("datetime64[Y]").astype(int) + 1970
        for y in np.unique(year):
            counts = np.bincount(leads.channel[year == y], minlength=len(c.CHANNELS))
            self.year_channel[int(y)] = self.year_channel.get(int(y), 0) + counts
        self._add_ceiling(journeys)
        dip = leads.created_day >= leads.dip_start_day
        self.dip_sum += journeys.probability[dip, 0].sum()
        self.dip_leads += int(dip.sum())
        stalled_open = np.flatnonzero(journeys.stalled & ~journeys.ended)
        self.stalled_open += [f"O{leads.first + i + 1:07d}" for i in stalled_open]
        self.opportunities += len(deals.lead)
        self.won += int((deals.status == 1).sum())
        if journeys.exposures is not None:
            failed_at = np.where(journeys.ended & (journeys.depth < STEPS), journeys.depth, -1)
            self.exposure.add(
                journeys.exposures, journeys.probability, journeys.recorded, failed_at
            )

    def _add_ceiling(self, journeys: Journeys) -> None:
        """Scores and outcomes a scorer knowing the planted probabilities would be judged on."""
        p = journeys.probability
        won = journeys.depth == STEPS
        ended = journeys.ended
        sql = journeys.reached[:, c.LEAD_STEPS - 1]
        decided_sql = ended | sql
        opportunity = journeys.reached[:, c.PATH.index("opportunity_generated")] & ended
        self.ceiling["lead_to_sql_auc"].append(
            (np.prod(p[:, :2], axis=1)[decided_sql], sql[decided_sql])
        )
        self.ceiling["lead_to_won_auc"].append((np.prod(p, axis=1)[ended], won[ended]))
        self.ceiling["deal_won_auc_at_creation"].append(
            (np.prod(p[:, c.LEAD_STEPS :], axis=1)[opportunity], won[opportunity])
        )

    def step_truth(self, group: int) -> dict[str, dict[str, float]]:
        """Mean planted step probability among the leads of ``group`` that reached the step."""
        out = {}
        for k in range(STEPS):
            n = int(self.arrived[group, k])
            rate = float(self.step_sum[group, k] / n) if n else float("nan")
            out[f"{c.PATH[k]}->{c.PATH[k + 1]}"] = {"p": round(rate, 6), "n": n}
        return out

    def win_truth(self, group: int) -> dict[str, dict[str, float | None]]:
        """Mean planted P(won | at milestone) among the leads of ``group`` that reached it."""
        out: dict[str, dict[str, float | None]] = {}
        for k in range(STEPS):
            n = int(self.arrived[group, k])
            p = round(float(self.win_sum[group, k] / n), 6) if n else None
            out[c.PATH[k]] = {"p": p, "n": n}
        return out

    def scoring_ceiling(self) -> dict[str, float]:
        """AUC a scorer knowing the planted probabilities would reach: the ceiling for any model."""
        out = {}
        for name, parts in self.ceiling.items():
            score = np.concatenate([s for s, _ in parts])
            positive = np.concatenate([y for _, y in parts])
            out[name] = round(_auc(score, positive), 4)
        return out

    def channel_mix(self) -> dict[str, dict[str, float]]:
        """Share of each channel among the leads of each year, and the digital share."""
        mix = {}
        for y in sorted(self.year_channel):
            counts = self.year_channel[y]
            share = counts / counts.sum()
            mix[str(y)] = {ch: round(float(s), 4) for ch, s in zip(c.CHANNELS, share, strict=True)}
            mix[str(y)]["digital"] = round(float(share[c.DIGITAL].sum()), 4)
        return mix

    def build(self, config: c.SynthConfig, company: Company, book: OrderBook) -> dict[str, Any]:
        """The truth of every block added, as a JSON-ready mapping."""
        return _truth(config, company, book, self)


def build_truth(
    config: c.SynthConfig,
    company: Company,
    leads: Leads,
    journeys: Journeys,
    deals: Deals,
    book: OrderBook,
) -> dict[str, Any]:
    """Everything the generator planted, as a JSON-ready mapping."""
    parts = TruthParts()
    parts.add(config, company, leads, journeys, deals)
    return parts.build(config, company, book)


def _truth(
    config: c.SynthConfig, company: Company, book: OrderBook, parts: TruthParts
) -> dict[str, Any]:
    mature_day = config.days - MATURITY_DAYS
    families = [f[0] for f in c.FAMILIES]
    return {
        "description": "Planted parameters of the revintel demo company; see docs/demo-company.md.",
        "config": {
            "seed": config.seed,
            "leads": config.leads,
            "accounts": config.accounts,
            "reps": config.reps,
            "start": config.start.isoformat(),
            "years": config.years,
        },
        "as_of": (config.end - timedelta(days=1)).isoformat(),
        "mature_before": (config.start + timedelta(days=mature_day)).isoformat(),
        "definitions": {
            "stage_conversion": "mean planted step probability of the mature leads that reached "
            "the first milestone of the step",
            "win_probability": "mean planted P(won | milestone) of the mature leads "
            "that reached it",
            "attribution": "per transition (keyed by its target milestone) and touch channel: "
            "the planted logit effect of the channel present in the stage, and the incremental "
            "conversions, summed over the journeys whose step was decided by the as-of date and "
            "had the channel: P(step | planted logit) - P(step | logit without its effect)",
        },
        "stage_conversion": parts.step_truth(0),
        "win_probability": parts.win_truth(0),
        "stage_conversion_by_channel": {
            ch: parts.step_truth(1 + i) for i, ch in enumerate(c.CHANNELS)
        },
        "stage_conversion_by_segment": {
            s: parts.step_truth(1 + len(c.CHANNELS) + i) for i, s in enumerate(c.SEGMENTS)
        },
        "median_days_planted": {
            f"{c.PATH[k]}->{c.PATH[k + 1]}": float(c.MEDIAN_DAYS[k]) for k in range(STEPS)
        },
        "duration_factors": {
            "segment": dict(zip(c.SEGMENTS, c.SEGMENT_SPEED.tolist(), strict=True)),
            "industry_opportunity_stages": dict(
                zip(c.INDUSTRIES, c.INDUSTRY_SPEED.tolist(), strict=True)
            ),
            "rep_opportunity_stages": {
                f"R{i + 1:03d}": round(float(s), 4) for i, s in enumerate(company.rep_speed)
            },
            "lead_steps_digital": 0.8,
            "lead_steps_offline": 1.2,
            "lognormal_sigma": c.DURATION_SIGMA,
        },
        "channel_mix_by_year": parts.channel_mix(),
        "price_response": {
            "logit_per_discount_above_norm": c.PRICE_RESPONSE_PER_DISCOUNT,
            "segment_discount_norm": dict(
                zip(c.SEGMENTS, c.SEGMENT_DISCOUNT_NORM.tolist(), strict=True)
            ),
            "rep_fit_logit": c.REP_FIT_EFFECT,
        },
        "price_waterfall": price_waterfall_truth(),
        "lead_scoring": {
            "engagement_logit_per_sd": c.ENGAGEMENT_EFFECT,
            "response_time_logit_per_log_hour": c.RESPONSE_TIME_EFFECT,
            "channel_logit": dict(zip(c.CHANNELS, c.CHANNEL_EFFECT.tolist(), strict=True)),
        },
        "scoring_ceiling": parts.scoring_ceiling(),
        "rep_skill_logit": {
            f"R{i + 1:03d}": round(float(s), 4) for i, s in enumerate(company.rep_skill)
        },
        "purchase_process": purchase_truth(book),
        "churn": {
            "dropout_probability_after_purchase_mean": c.DROPOUT_A / (c.DROPOUT_A + c.DROPOUT_B),
            "dropped_out_accounts": [
                f"A{a + 1:05d}" for a in book.customers[~np.isnan(book.dropped_out_at)]
            ],
        },
        "product_affinity": {
            a: {b: round(float(p), 4) for b, p in zip(families, row, strict=True)}
            for a, row in zip(families, book.affinity, strict=True)
        },
        "planted": {
            "mql_sal_dip": {
                "from": dip_start(config).isoformat(),
                "channel": "social",
                "logit_effect": c.DIP_ACCEPTANCE_EFFECT,
                "expected_acceptance": round(float(parts.dip_sum / parts.dip_leads), 4)
                if parts.dip_leads
                else None,
                "leads": parts.dip_leads,
            },
            "stalled_deals": {
                "industry": c.STALL_INDUSTRY,
                "milestone": "offer_sent",
                "slowdown": c.STALL_FACTOR,
                "open_opportunities": parts.stalled_open,
            },
        },
        "counts": {"opportunities": parts.opportunities, "won": parts.won},
        "attribution": parts.exposure.build(),
        "buying_journey": planted_touch_truth(),
        "allocation": wallet_truth(book.wallet, book.customers, book.mean_rate),
    }
