"""Each rep's skill on the logit scale, adjusted for the deals the rep was given.

A deal is a sequence of steps along the opportunity path (generated → specified → offer sent →
… → won); each step passed or failed is one trial. The chance of passing a step is modelled as
``logit P = step + segment + industry + family + channel + discount (closing step) + rep``, so
a rep who gets easy segments or cheap products is compared with what the company achieves on
the same kind of deal. Every passed or failed step carries information about the rep, which
measures skill far sooner than won / lost alone. The rep effects of that fit are then pooled
rep → team → company (:func:`revintel.allocation._rep_shrink.pool_two_levels`). Stores without
a milestone log fall back to one trial per closed deal (won or lost).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from threadpoolctl import threadpool_limits

from revintel.allocation._rep_deals import CONTEXT
from revintel.allocation._rep_shrink import pool_two_levels

#: Ridge penalty (1 / prior variance) on context and rep coefficients of the first fit: weak,
#: only to keep rare levels finite; the reps are pooled afterwards by the data's own variance.
CONTEXT_PENALTY = 0.5
REP_PENALTY = 0.5
#: Fewest closed deals for a model of the reps at all.
MIN_CLOSED = 20


class RepModelError(ValueError):
    """Too few deals to compare reps; the message says how many there are and are needed."""


@dataclass(frozen=True)
class RepSkill:
    """The fitted step model: context coefficients and the pooled rep effects.

    ``reps`` has one row per rep: ``rep_id``, ``team``, ``trials``, ``raw`` (the rep
    coefficient of the joint fit, centred), ``raw_se``, ``skill`` (pooled rep → team → company),
    ``skill_sd``; ``tau`` and ``omega`` are the estimated spreads of skill within teams and of
    the teams.
    """

    steps: int
    levels: dict[str, tuple[str, ...]]
    coef: np.ndarray
    discount_norm: dict[str, float]
    reps: pd.DataFrame
    tau: float
    omega: float

    def step_logits(self, deals: pd.DataFrame) -> np.ndarray:
        """(deals, steps) logit of passing each step for an average rep (skill 0)."""
        base = self._context(deals) @ self.coef[self.steps : -1]
        logits = base[:, None] + self.coef[: self.steps][None, :]
        logits[:, -1] += self._closing(deals)
        return logits

    def win_probability(
        self, deals: pd.DataFrame, rep_ids: np.ndarray, extra: np.ndarray | None = None
    ) -> np.ndarray:
        """P(win) of each deal worked by ``rep_ids`` (unknown reps count as average), from the
        step the deal has reached (``depth``) on; ``extra`` adds to the closing step's logit."""
        skill = pd.Series(self.reps["skill"].to_numpy(), index=self.reps["rep_id"])
        effect = pd.Series(rep_ids).map(skill).fillna(0.0).to_numpy()
        logits = self.step_logits(deals) + effect[:, None]
        if extra is not None:
            logits[:, -1] += extra
        passed = np.clip(deals["depth"].to_numpy(dtype=int), 0, self.steps)
        if self.steps == 1:
            passed = np.zeros(len(deals), dtype=int)
        todo = np.arange(self.steps)[None, :] >= passed[:, None]
        return np.exp(np.sum(np.where(todo, np.log(expit(logits)), 0.0), axis=1))

    def _context(self, deals: pd.DataFrame) -> np.ndarray:
        blocks = [
            (deals[column].to_numpy()[:, None] == np.array(values)[None, :]).astype(float)
            for column, values in self.levels.items()
        ]
        return np.hstack(blocks) if blocks else np.zeros((len(deals), 0))

    def _closing(self, deals: pd.DataFrame) -> np.ndarray:
        norm = deals["segment"].map(self.discount_norm).astype(float).fillna(0.0)
        above = deals["discount"].astype(float).fillna(norm) - norm
        return self.coef[-1] * above.to_numpy()


def fit_rep_skill(deals: pd.DataFrame, staged: bool | None = None) -> RepSkill:
    """Fit the step model on ``deals`` (the frame of :func:`rep_deals`).

    Parameters
    ----------
    deals
        One row per opportunity with ``rep_id``, ``team``, the context columns, ``discount``,
        ``status`` and ``depth``.
    staged
        Use the steps of the milestone log; default: when the log tells for at least half the
        lost deals at which step they failed.

    Raises
    ------
    RepModelError
        Fewer than :data:`MIN_CLOSED` closed deals.
    """
    closed = deals["status"].isin(["won", "lost"])
    if int(closed.sum()) < MIN_CLOSED:
        raise RepModelError(
            f"rep skill needs at least {MIN_CLOSED} closed deals; the store has {int(closed.sum())}"
        )
    steps = int(deals["depth"].max()) if len(deals) else 1
    if staged is None:
        # Won deals passed every step by definition; whether the log tells where lost ones
        # failed decides.
        lost = deals["status"] == "lost"
        staged = bool(lost.any() and (deals.loc[lost, "depth"] >= 0).mean() >= 0.5) and steps > 1
    steps = steps if staged else 1
    rows, step, outcome = _trials(deals, staged, steps)
    levels = {c: tuple(sorted(deals[c].unique())) for c in CONTEXT}
    norm = deals.loc[closed].groupby("segment")["discount"].median().to_dict()
    frame = deals.iloc[rows].reset_index(drop=True)
    reps = np.array(sorted(deals["rep_id"].unique()))
    partial = RepSkill(steps, levels, np.zeros(0), norm, pd.DataFrame(), 0.0, 0.0)
    step_block = (step[:, None] == np.arange(steps)[None, :]).astype(float)
    context = partial._context(frame)
    closing = (step == steps - 1).astype(float)
    norm_rows = frame["segment"].map(norm).fillna(0.0)
    discount = (frame["discount"].astype(float).fillna(norm_rows) - norm_rows).to_numpy()
    rep_block = (frame["rep_id"].to_numpy()[:, None] == reps[None, :]).astype(float)
    design = np.hstack([step_block, context, rep_block, (closing * discount)[:, None]])
    penalty = np.concatenate(
        [
            np.full(steps, 1e-6),
            np.full(context.shape[1], CONTEXT_PENALTY),
            np.full(len(reps), REP_PENALTY),
            [1e-6],
        ]
    )
    coef, cov = penalised_logit(design, outcome, penalty)
    rep_slice = slice(steps + context.shape[1], steps + context.shape[1] + len(reps))
    raw, trials = coef[rep_slice], rep_block.sum(axis=0)
    centre = float(np.average(raw, weights=trials))
    # Standard errors of the centred effects: the common level of the reps is not a rep's.
    centring = np.eye(len(reps)) - (trials / trials.sum())[None, :]
    raw_se = np.sqrt(np.diag(centring @ cov[rep_slice, rep_slice] @ centring.T))
    coef[:steps] += centre
    teams = deals.drop_duplicates("rep_id").set_index("rep_id")["team"].reindex(reps).to_numpy()
    skill, skill_sd, tau2, omega2 = pool_two_levels(raw - centre, raw_se, teams)
    table = pd.DataFrame(
        {
            "rep_id": reps,
            "team": teams,
            "trials": trials.astype(int),
            "raw": raw - centre,
            "raw_se": raw_se,
            "skill": skill,
            "skill_sd": skill_sd,
        }
    )
    kept = np.r_[coef[: steps + context.shape[1]], coef[-1]]
    return RepSkill(steps, levels, kept, norm, table, float(np.sqrt(tau2)), float(np.sqrt(omega2)))


def _trials(deals: pd.DataFrame, staged: bool, steps: int) -> tuple[np.ndarray, ...]:
    """(deal row, step, passed) of every step a deal passed or failed."""
    status = deals["status"].to_numpy()
    if not staged:
        rows = np.flatnonzero(np.isin(status, ["won", "lost"]))
        return rows, np.zeros(len(rows), dtype=int), (status[rows] == "won").astype(float)
    depth = deals["depth"].to_numpy(dtype=int)
    known = depth >= 0
    passed = np.where(known, np.minimum(depth, steps), 0)
    failed = known & (status == "lost") & (depth < steps)
    rows = np.concatenate([np.repeat(np.arange(len(deals)), passed), np.flatnonzero(failed)])
    step = np.concatenate([np.concatenate([np.arange(k) for k in passed]), depth[failed]])
    outcome = np.concatenate([np.ones(int(passed.sum())), np.zeros(int(failed.sum()))])
    return rows, step.astype(int), outcome


def penalised_logit(
    design: np.ndarray, outcome: np.ndarray, penalty: np.ndarray, iterations: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """Ridge-penalised logistic regression by Newton steps: coefficients and their covariance
    (the inverse of the penalised Hessian).

    Examples
    --------
    >>> x = np.ones((4, 1))
    >>> coef, cov = penalised_logit(x, np.array([1.0, 1.0, 1.0, 0.0]), np.array([1e-9]))
    >>> round(float(coef[0]), 4)  # log(3 / 1)
    1.0986
    """
    coef = np.zeros(design.shape[1])
    hessian = np.diag(penalty)
    # Small dense products: BLAS threads cost more than they save, most of all on a busy host.
    with threadpool_limits(limits=1, user_api="blas"):
        for _ in range(iterations):
            p = expit(design @ coef)
            gradient = design.T @ (outcome - p) - penalty * coef
            hessian = design.T @ (design * (p * (1 - p))[:, None]) + np.diag(penalty)
            step = np.linalg.solve(hessian, gradient)
            coef += step
            if np.max(np.abs(step)) < 1e-8:
                break
        return coef, np.linalg.inv(hessian)
