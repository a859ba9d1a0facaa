"""The planted ground truth of the demo company, for tests and for users checking estimators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np

from revintel.synth import _config as c
from revintel.synth._company import Company
from revintel.synth._journeys import STEPS, Journeys
from revintel.synth._leads import Leads, dip_start
from revintel.synth._orders import OrderBook
from revintel.synth._pipeline import Deals

MATURITY_DAYS = 365


def _step_truth(journeys: Journeys, rows: np.ndarray) -> dict[str, dict[str, float]]:
    """Mean planted step probability among the leads of ``rows`` that reached the step."""
    out = {}
    for k in range(STEPS):
        arrived = rows & journeys.reached[:, k]
        n = int(arrived.sum())
        rate = float(journeys.probability[arrived, k].mean()) if n else float("nan")
        out[f"{c.PATH[k]}->{c.PATH[k + 1]}"] = {"p": round(rate, 6), "n": n}
    return out


def _win_truth(journeys: Journeys, rows: np.ndarray) -> dict[str, dict[str, float | None]]:
    """Mean planted P(won | at milestone) among the leads of ``rows`` that reached it."""
    remaining = np.cumprod(journeys.probability[:, ::-1], axis=1)[:, ::-1]
    out = {}
    for k in range(STEPS):
        arrived = rows & journeys.reached[:, k]
        n = int(arrived.sum())
        out[c.PATH[k]] = {"p": round(float(remaining[arrived, k].mean()), 6) if n else None, "n": n}
    return out


def _auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve by the Mann-Whitney rank sum."""
    from scipy.stats import rankdata  # scipy.stats costs a second at import: only load it here

    ranks = rankdata(score)
    n_pos = int(positive.sum())
    n_neg = len(score) - n_pos
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _scoring_ceiling(journeys: Journeys) -> dict[str, float]:
    """AUC a scorer knowing the planted probabilities would reach: the ceiling for any model."""
    p = journeys.probability
    won = journeys.depth == STEPS
    ended = journeys.ended
    sql = journeys.reached[:, c.LEAD_STEPS - 1]
    decided_sql = ended | sql
    opportunity = journeys.reached[:, c.PATH.index("opportunity_generated")] & ended
    return {
        "lead_to_sql_auc": round(_auc(np.prod(p[:, :2], axis=1)[decided_sql], sql[decided_sql]), 4),
        "lead_to_won_auc": round(_auc(np.prod(p, axis=1)[ended], won[ended]), 4),
        "deal_won_auc_at_creation": round(
            _auc(np.prod(p[:, c.LEAD_STEPS :], axis=1)[opportunity], won[opportunity]), 4
        ),
    }


def _channel_mix(config: c.SynthConfig, leads: Leads) -> dict[str, dict[str, float]]:
    year = (np.datetime64(config.start.isoformat(), "D") + leads.created_day.astype(int)).astype(
        "datetime64[Y]"
    ).astype(int) + 1970
    mix = {}
    for y in np.unique(year):
        share = np.bincount(leads.channel[year == y], minlength=len(c.CHANNELS)) / (year == y).sum()
        mix[str(y)] = {ch: round(float(s), 4) for ch, s in zip(c.CHANNELS, share, strict=True)}
        mix[str(y)]["digital"] = round(float(share[c.DIGITAL].sum()), 4)
    return mix


def build_truth(
    config: c.SynthConfig,
    company: Company,
    leads: Leads,
    journeys: Journeys,
    deals: Deals,
    book: OrderBook,
) -> dict[str, Any]:
    """Everything the generator planted, as a JSON-ready mapping."""
    mature_day = config.days - MATURITY_DAYS
    mature = leads.created_day < mature_day
    dip = leads.created_day >= leads.dip_start_day
    stalled_open = journeys.stalled & ~journeys.ended
    families = [f[0] for f in c.FAMILIES]
    segment = company.account_segment[leads.account]
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
        },
        "stage_conversion": _step_truth(journeys, mature),
        "win_probability": _win_truth(journeys, mature),
        "stage_conversion_by_channel": {
            ch: _step_truth(journeys, mature & (leads.channel == i))
            for i, ch in enumerate(c.CHANNELS)
        },
        "stage_conversion_by_segment": {
            s: _step_truth(journeys, mature & (segment == i)) for i, s in enumerate(c.SEGMENTS)
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
        "channel_mix_by_year": _channel_mix(config, leads),
        "price_response": {
            "logit_per_discount_above_norm": c.PRICE_RESPONSE_PER_DISCOUNT,
            "segment_discount_norm": dict(
                zip(c.SEGMENTS, c.SEGMENT_DISCOUNT_NORM.tolist(), strict=True)
            ),
            "rep_fit_logit": c.REP_FIT_EFFECT,
        },
        "lead_scoring": {
            "engagement_logit_per_sd": c.ENGAGEMENT_EFFECT,
            "response_time_logit_per_log_hour": c.RESPONSE_TIME_EFFECT,
            "channel_logit": dict(zip(c.CHANNELS, c.CHANNEL_EFFECT.tolist(), strict=True)),
        },
        "scoring_ceiling": _scoring_ceiling(journeys),
        "rep_skill_logit": {
            f"R{i + 1:03d}": round(float(s), 4) for i, s in enumerate(company.rep_skill)
        },
        "purchase_process": {
            "model": "BG/NBD repeat purchases, Gamma-Gamma spend",
            "r": c.REPEAT_R,
            "alpha_years": c.REPEAT_ALPHA,
            "a": c.DROPOUT_A,
            "b": c.DROPOUT_B,
            "spend_p": c.SPEND_P,
            "spend_q": c.SPEND_Q,
            "spend_gamma": c.SPEND_GAMMA,
            "customers": len(book.customers),
        },
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
                "expected_acceptance": round(float(journeys.probability[dip, 0].mean()), 4)
                if dip.any()
                else None,
                "leads": int(dip.sum()),
            },
            "stalled_deals": {
                "industry": c.STALL_INDUSTRY,
                "milestone": "offer_sent",
                "slowdown": c.STALL_FACTOR,
                "open_opportunities": [f"O{i + 1:07d}" for i in np.flatnonzero(stalled_open)],
            },
        },
        "counts": {"opportunities": len(deals.lead), "won": int((deals.status == 1).sum())},
    }
