"""Training a score: out-of-time split, guard rails, model and baselines, choice, registration."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from revintel.model import FunnelDefinition, load_funnel
from revintel.predict._baselines import MilestonePriorBaseline, NaiveBayesBaseline, PointsBaseline
from revintel.predict._dataset import training_frame
from revintel.predict._evaluation import beats, evaluation
from revintel.predict._gbm import GradientBoostingScorer
from revintel.predict._guards import (
    check_minimum_data,
    filled_at_closing,
    leaky_features,
    reference_distribution,
)
from revintel.predict._registry import (
    ModelRecord,
    Scorer,
    encode_artifact,
    library_versions,
    register_model,
)
from revintel.predict._snapshots import history_end
from revintel.predict._spec import FeatureSpec, spec_for
from revintel.predict._targets import Target, target

log = logging.getLogger(__name__)

BASELINES = ("naive_bayes", "points", "milestone_prior")


@dataclass(frozen=True)
class Windows:
    """Out-of-time windows: fit on ``[train_from, train_to]``, test on ``[test_from, test_to]``.

    ``train_to`` lies one horizon before ``test_from``, so every training label was known
    before the test period began; ``test_to`` lies one horizon before the as-of instant.
    """

    train_from: datetime
    train_to: datetime
    test_from: datetime
    test_to: datetime


def plan_windows(first: datetime, as_of: datetime, horizon_days: int, test_days: int) -> Windows:
    """Windows ending at ``as_of``; ``ValueError`` when the history is too short for them."""
    test_to = as_of - timedelta(days=horizon_days)
    test_from = test_to - timedelta(days=test_days)
    train_to = test_from - timedelta(days=horizon_days)
    if train_to <= first:
        span = (as_of - first).days
        raise ValueError(
            f"the history covers {span} days; an out-of-time evaluation with a {horizon_days}-day "
            f"horizon and a {test_days}-day test period needs more than "
            f"{2 * horizon_days + test_days} days (try smaller --horizon-days or --test-days)"
        )
    return Windows(first, train_to, test_from, test_to)


@dataclass(frozen=True)
class TrainingResult:
    """The registered model and the out-of-time comparison with the baselines."""

    record: ModelRecord
    comparison: pd.DataFrame
    message: str


def _without(spec: FeatureSpec, dropped: list[str]) -> FeatureSpec:
    gone = set(dropped)
    relative = tuple(r for r in spec.relative if r.value not in gone and r.name not in gone)
    return FeatureSpec(
        categorical=tuple(c for c in spec.categorical if c not in gone),
        numeric=tuple(c for c in spec.numeric if c not in gone),
        relative=relative,
        monotone={k: v for k, v in spec.monotone.items() if k not in gone},
        points=tuple(r for r in spec.points if r.feature not in gone),
    )


def _baselines(spec: FeatureSpec, tgt: Target, funnel: FunnelDefinition) -> dict[str, Any]:
    probabilities = {m.id: m.default_probability for m in funnel.path}
    goal = funnel.get(tgt.milestone).default_probability
    fields = tuple(c for c in spec.categorical)
    return {
        "naive_bayes": NaiveBayesBaseline(fields=fields),
        "points": PointsBaseline(rules=spec.points),
        "milestone_prior": MilestonePriorBaseline(probabilities=probabilities,
                                                  target_probability=goal),
    }  # fmt: skip


def _comparison(evaluations: dict[str, dict[str, Any]], chosen: str) -> pd.DataFrame:
    rows = []
    for name, ev in evaluations.items():
        keys = ("auc", "log_loss", "brier", "lift_top_decile", "rows", "positives")
        rows.append({"algorithm": name, **{k: ev[k] for k in keys}, "chosen": name == chosen})
    return pd.DataFrame(rows)


def _choose(evaluations: dict[str, dict[str, Any]], gbm_trained: bool, data_msg: str) -> tuple:
    baselines = {k: v for k, v in evaluations.items() if k in BASELINES}
    best = min(baselines, key=lambda k: np.nan_to_num(baselines[k]["log_loss"], nan=1e9))
    if not gbm_trained:
        return best, "fallback", f"{data_msg}; using {best}"
    if all(beats(evaluations["lightgbm"], ev) for ev in baselines.values()):
        return "lightgbm", "active", "lightgbm beats every baseline out of time"
    return (
        best,
        "fallback",
        (
            "lightgbm does not beat every baseline out of time (higher AUC and no worse log loss); "
            f"falling back to {best}"
        ),
    )


def train_score(
    store: Any,
    kind: str,
    funnel: FunnelDefinition | None = None,
    *,
    as_of: datetime | None = None,
    horizon_days: int | None = None,
    test_days: int = 365,
    random_state: int = 0,
) -> TrainingResult:
    """Train, evaluate out of time against the baselines, choose and register a ``kind`` score.

    The learned model is used only when the minimum-data rule holds and it beats every baseline
    on the later period; otherwise the best baseline is registered with status ``fallback``.
    """
    funnel = funnel or load_funnel()
    tgt = target(kind, horizon_days)
    as_of = as_of or history_end(store)
    frame = training_frame(store, tgt, funnel)
    frame = frame.loc[frame["at"] <= pd.Timestamp(as_of)]
    if frame.empty:
        raise ValueError(f"no {tgt.entity} snapshots to learn {kind} from in the store")
    windows = plan_windows(frame["at"].min(), as_of, tgt.horizon_days, test_days)
    train = frame.loc[frame["at"] <= windows.train_to].reset_index(drop=True)
    test = frame.loc[frame["at"].between(windows.test_from, windows.test_to)].reset_index(drop=True)
    if train.empty or test.empty:
        raise ValueError(f"{kind}: {len(train)} training and {len(test)} test rows; need both")
    y_train, y_test = train["label"].to_numpy(), test["label"].to_numpy()
    spec = spec_for(tgt.entity)
    dropped = leaky_features(train, y_train, (*spec.categorical, *spec.numeric))
    if tgt.entity == "opportunity":
        dropped += [f for f in filled_at_closing(store) if f not in dropped]
    spec = _without(spec, dropped)
    models: dict[str, Scorer] = {}
    for name, model in _baselines(spec, tgt, funnel).items():
        models[name] = model.fit(train, y_train)
    check = check_minimum_data(len(train), int(y_train.sum()))
    if check.enough:
        gbm = GradientBoostingScorer(spec=spec, random_state=random_state)
        models["lightgbm"] = gbm.fit(train, y_train)
    evaluations = {n: evaluation(y_test, m.predict_proba(test)[:, 1]) for n, m in models.items()}
    chosen, status, message = _choose(evaluations, "lightgbm" in models, check.message)
    log.info("%s: %s", kind, message)
    record = _record(tgt, chosen, status, models[chosen], evaluations, train, windows, spec)
    record = replace(record, metrics={**record.metrics, "message": message, "dropped": dropped})
    register_model(store, record)
    return TrainingResult(record, _comparison(evaluations, chosen), message)


def _record(
    tgt: Target,
    chosen: str,
    status: str,
    scorer: Scorer,
    evaluations: dict[str, dict[str, Any]],
    train: pd.DataFrame,
    windows: Windows,
    spec: FeatureSpec,
) -> ModelRecord:
    artifact = encode_artifact(scorer.to_state())
    trained_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    digest = hashlib.sha1(artifact.encode()).hexdigest()[:8]
    reference = {
        f: reference_distribution(train[f], f in spec.categorical)
        for f in (*spec.categorical, *spec.numeric)
    }
    metrics = {
        **evaluations.get("lightgbm", {}),
        "chosen": chosen,
        "horizon_days": tgt.horizon_days,
        "test_from": windows.test_from.isoformat(),
        "train_rows": len(train),
        "train_positives": int(train["label"].sum()),
        "drift_reference": reference,
    }
    return ModelRecord(
        model_id=f"{tgt.kind}-{trained_at:%Y%m%d%H%M%S}-{digest}",
        kind=tgt.kind,
        algorithm=chosen,
        trained_at=trained_at,
        train_from=windows.train_from,
        train_to=windows.train_to,
        test_to=windows.test_to,
        features=list(spec.names),
        metrics=metrics,
        baseline_metrics={k: v for k, v in evaluations.items() if k in BASELINES},
        library_versions=library_versions(),
        artifact=artifact,
        status=status,
    )
