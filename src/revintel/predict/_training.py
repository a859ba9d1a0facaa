"""Training a score: out-of-time windows, guard rails, model and baselines, choice, registration.

The model is chosen on the validation window and refitted on training and validation rows; the
test window is only reported, never used for a decision.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from revintel.model import FunnelDefinition, load_funnel
from revintel.predict._baselines import MilestonePriorBaseline, NaiveBayesBaseline, PointsBaseline
from revintel.predict._crossval import (
    CROSS_VALIDATED,
    FOLDS,
    NO_DATED_HISTORY,
    NO_DATED_HISTORY_DE,
    OUT_OF_TIME,
    check_folds,
    cross_validate,
    undated_frame,
    undated_history,
)
from revintel.predict._custom import spec_with_custom
from revintel.predict._dataset import MAX_FRAME_ROWS, training_frame, with_labels
from revintel.predict._entities import BASELINES, Entity, entity
from revintel.predict._evaluation import beats, evaluation
from revintel.predict._gbm import GradientBoostingScorer
from revintel.predict._guards import check_minimum_data, leaky_features, reference_distribution
from revintel.predict._price_features import PriceBandFeatures, with_band_features
from revintel.predict._registry import (
    ModelRecord,
    Scorer,
    encode_artifact,
    library_versions,
    register_model,
)
from revintel.predict._sentences import Sentence, german
from revintel.predict._snapshots import history_end
from revintel.predict._spec import FeatureSpec
from revintel.predict._targets import Target, target
from revintel.predict._windows import (
    Windows,
    choose_windows,
    horizon_candidates,
    plan_windows,
)

log = logging.getLogger(__name__)

#: Metrics of the comparison table, from the test window.
COMPARED = ("auc", "log_loss", "brier", "lift_top_decile", "rows", "positives")


@dataclass(frozen=True)
class TrainingResult:
    """The registered model and the out-of-time comparison with the baselines."""

    record: ModelRecord
    comparison: pd.DataFrame
    message: str


def _without(spec: FeatureSpec, dropped: list[str]) -> FeatureSpec:
    gone = set(dropped)
    relative = tuple(r for r in spec.relative if r.value not in gone and r.name not in gone)
    # The price-band features compare the discount: they go when it goes.
    bands = () if "discount" in gone else tuple(b for b in spec.bands if b not in gone)
    return FeatureSpec(
        categorical=tuple(c for c in spec.categorical if c not in gone),
        numeric=tuple(c for c in spec.numeric if c not in gone),
        relative=relative,
        monotone={k: v for k, v in spec.monotone.items() if k not in gone},
        points=tuple(r for r in spec.points if r.feature not in gone),
        bands=bands,
    )


def _baselines(
    spec: FeatureSpec, tgt: Target, funnel: FunnelDefinition, names: tuple[str, ...]
) -> dict[str, Any]:
    """Unfitted baselines ``names``, in the order of :data:`BASELINES`."""
    made: dict[str, Any] = {
        "naive_bayes": lambda: NaiveBayesBaseline(fields=tuple(spec.categorical)),
        "points": lambda: PointsBaseline(rules=spec.points),
        "milestone_prior": lambda: MilestonePriorBaseline(
            probabilities={m.id: m.default_probability for m in funnel.path},
            target_probability=funnel.get(tgt.milestone).default_probability,
        ),
    }
    return {name: made[name]() for name in BASELINES if name in names}


def _fit_all(
    spec: FeatureSpec,
    tgt: Target,
    funnel: FunnelDefinition,
    scored: Entity,
    rows: pd.DataFrame,
    random_state: int,
    price_bands: PriceBandFeatures | None = None,
) -> dict[str, Scorer]:
    """Every baseline of the entity, and LightGBM when the minimum-data rule holds; LightGBM
    scores rows without price-band features against ``price_bands``."""
    y = rows["label"].to_numpy()
    models: dict[str, Scorer] = {
        name: model.fit(rows, y)
        for name, model in _baselines(spec, tgt, funnel, scored.baselines).items()
    }
    if check_minimum_data(len(rows), int(y.sum())).enough:
        gbm = GradientBoostingScorer(spec=spec, random_state=random_state).fit(rows, y)
        gbm.encoder_.use_price_bands(price_bands)
        models["lightgbm"] = gbm
    return models


def _evaluate(models: dict[str, Scorer], rows: pd.DataFrame) -> dict[str, dict[str, Any]]:
    y = rows["label"].to_numpy()
    return {name: evaluation(y, m.predict_proba(rows)[:, 1]) for name, m in models.items()}


def _comparison(
    tested: dict[str, dict[str, Any]], validated: dict[str, dict[str, Any]], chosen: str
) -> pd.DataFrame:
    rows = []
    for name, ev in tested.items():
        checked = validated.get(name, {})
        rows.append({"algorithm": name, **{k: ev[k] for k in COMPARED}, "chosen": name == chosen,
                     "validation_auc": checked.get("auc", math.nan),
                     "validation_log_loss": checked.get("log_loss", math.nan)})  # fmt: skip
    return pd.DataFrame(rows)


def choose_model(
    validated: dict[str, dict[str, Any]], data_message: str
) -> tuple[str, str, Sentence]:
    """Algorithm, status and reason, decided on the validation window only.

    LightGBM is chosen when it was trained and beats every baseline there (higher AUC and no
    worse log loss); otherwise the baseline with the lowest validation log loss, as fallback.
    """
    baselines = {k: v for k, v in validated.items() if k != "lightgbm"}
    best = min(baselines, key=lambda k: np.nan_to_num(baselines[k]["log_loss"], nan=1e9))
    if "lightgbm" not in validated:
        reason = Sentence(f"{data_message}; using {best}", f"{german(data_message)}; nutzt {best}")
        return best, "fallback", reason
    if all(beats(validated["lightgbm"], ev) for ev in baselines.values()):
        return (
            "lightgbm",
            "active",
            Sentence(
                "lightgbm beats every baseline on the validation window",
                "lightgbm schlägt im Validierungsfenster jede Vergleichsbasis",
            ),
        )
    return (
        best,
        "fallback",
        Sentence(
            "lightgbm does not beat every baseline on the validation window (higher AUC and no "
            f"worse log loss); falling back to {best}",
            "lightgbm schlägt im Validierungsfenster nicht jede Vergleichsbasis (höhere AUC und "
            f"kein schlechterer Log-Loss); Rückfall auf {best}",
        ),
    )


def resolve_windows(
    kind: str,
    frame: pd.DataFrame,
    as_of: datetime,
    horizon_days: int | None,
    test_days: int | None,
    validation_days: int | None,
) -> tuple[Windows, str]:
    """The windows: given lengths when the user set any, otherwise chosen from the data."""
    if test_days is None and validation_days is None:
        return choose_windows(kind, frame, as_of, horizon_days)
    if horizon_days is None:
        candidates = horizon_candidates(frame)
        if not candidates:
            raise ValueError(f"{kind}: no conversions in the history to learn from")
        horizon_days = candidates[0][1]
    length = test_days if test_days is not None else validation_days
    assert length is not None  # one of them is set here
    at = pd.to_datetime(frame["at"])
    windows = plan_windows(at.min(), as_of, horizon_days, length, validation_days, last=at.max())
    described = windows.describe()
    return windows, Sentence(
        f"windows as given: {described}", f"Fenster wie vorgegeben: {described.de}"
    )


#: Most rows a model is fitted on; beyond, a uniform sample in time order (see docs/scale.md).
MAX_TRAINING_ROWS = 2_000_000


def bounded_sample(rows: pd.DataFrame, limit: int, seed: int = 0) -> pd.DataFrame:
    """At most ``limit`` of ``rows``, drawn uniformly without replacement, in their order.

    Fitting cost then stops growing with the history while evaluation still reads every row.

    Examples
    --------
    >>> rows = pd.DataFrame({"at": range(10)})
    >>> bounded_sample(rows, 4)["at"].is_monotonic_increasing, len(bounded_sample(rows, 4))
    (True, 4)
    """
    if len(rows) <= limit:
        return rows
    return rows.iloc[bounded_positions(len(rows), limit, seed)].reset_index(drop=True)


def bounded_positions(count: int, limit: int, seed: int = 0) -> np.ndarray:
    """The positions :func:`bounded_sample` keeps of ``count`` rows (all when within ``limit``)."""
    if count <= limit:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).choice(count, size=limit, replace=False))


def _split(frame: pd.DataFrame, w: Windows, limit: int, seed: int) -> dict[str, pd.DataFrame]:
    """The rows of each window; those models are fitted on bounded to ``limit``
    (:func:`bounded_sample`). Rows are taken once, by position, so that no window is copied
    in full before it is sampled."""
    at = frame["at"]
    masks = {
        "train": at <= w.train_to,
        "validation": at.between(w.validation_from, w.validation_to),
        "refit": at <= w.validation_to,
        "test": at.between(w.test_from, w.test_to),
    }
    labels = frame["label"]
    for name, mask in masks.items():
        inside = labels[mask]
        if inside.nunique() < 2:
            raise ValueError(
                f"the {name} window ({len(inside):,} rows, {int(inside.sum()):,} "
                "conversions) needs both outcomes for an out-of-time evaluation"
            )
    parts = {}
    for name, mask in masks.items():
        positions = np.flatnonzero(mask.to_numpy())
        if name in FITTED_WINDOWS:
            positions = positions[bounded_positions(len(positions), limit, seed)]
        parts[name] = frame.take(positions).reset_index(drop=True)
    return parts


#: The windows models are fitted on (the others are evaluated on every row).
FITTED_WINDOWS = ("train", "refit")


def train_score(
    store: Any,
    kind: str,
    funnel: FunnelDefinition | None = None,
    *,
    as_of: datetime | None = None,
    horizon_days: int | None = None,
    test_days: int | None = None,
    validation_days: int | None = None,
    random_state: int = 0,
    max_training_rows: int = MAX_TRAINING_ROWS,
) -> TrainingResult:
    """Train, choose on the validation window, test out of time and register a ``kind`` score.

    Models are fitted on the training window and compared on the validation window: LightGBM is
    used only when the minimum-data rule holds and it beats every baseline there, otherwise the
    best baseline (status ``fallback``). The chosen model and the baselines are then refitted on
    training and validation rows and measured on the test window, which decides nothing.
    Horizon and windows not given are chosen from the data (:func:`choose_windows`). Models
    are fitted on at most ``max_training_rows`` rows (:func:`bounded_sample`).

    Without dated history (every record created on one date, e.g. imported with one
    ``--as-of``), nothing can be tested out of time: the score is measured by grouped
    cross-validation instead (:func:`train_cross_validated`).
    """
    funnel = funnel or load_funnel()
    tgt = target(kind, horizon_days)
    scored = entity(tgt.entity)
    undated = undated_history(store, scored)
    if undated is not None:
        return train_cross_validated(store, tgt, funnel, undated, random_state)
    as_of = as_of or history_end(store)
    frame = training_frame(store, tgt, funnel, max(MAX_FRAME_ROWS, 2 * max_training_rows))
    if (frame["at"] > pd.Timestamp(as_of)).any():
        frame = frame.loc[frame["at"] <= pd.Timestamp(as_of)]
    if frame.empty:
        raise ValueError(f"no {tgt.entity} snapshots to learn {kind} from in the store")
    windows, how = resolve_windows(kind, frame, as_of, tgt.horizon_days, test_days, validation_days)
    tgt = tgt.with_horizon(windows.horizon_days)
    bands = None
    if scored.spec.bands:
        frame, bands = with_band_features(store, frame, pd.Timestamp(windows.validation_to))
    labelled = with_labels(frame, windows.horizon_days)
    del frame  # the windows' rows replace it: the whole frame is not kept beside them
    parts = _split(labelled, windows, max_training_rows, random_state)
    del labelled
    spec, dropped = _spec_without_leaks(store, scored, parts["train"])
    if bands is None:
        spec = replace(spec, bands=())
    first = _fit_all(spec, tgt, funnel, scored, parts["train"], random_state, bands)
    validated = _evaluate(first, parts["validation"])
    check = check_minimum_data(len(parts["train"]), int(parts["train"]["label"].sum()))
    chosen, status, reason = choose_model(validated, check.message)
    final = _fit_all(spec, tgt, funnel, scored, parts["refit"], random_state, bands)
    tested = _evaluate(final, parts["test"])
    message = Sentence(f"{reason}; {how}", f"{reason.de}; {german(how)}")
    log.info("%s: %s", kind, message)
    record = _record(tgt, chosen, status, final[chosen], tested, parts["refit"], windows, spec)
    summary = {n: {k: ev[k] for k in COMPARED} for n, ev in validated.items()}
    record = replace(record, metrics={**record.metrics, "message": str(message),
                                      "message_de": message.de, "dropped": dropped,
                                      "validation": summary})  # fmt: skip
    register_model(store, record)
    return TrainingResult(record, _comparison(tested, validated, chosen), message)


def train_cross_validated(
    store: Any, tgt: Target, funnel: FunnelDefinition, created: datetime, random_state: int = 0
) -> TrainingResult:
    """Train and register ``tgt`` on undated history, measured by grouped k-fold
    cross-validation (one snapshot per record, so each record sits in one fold).

    The model is chosen on the cross-validated metrics, refitted on every row and registered
    with ``metrics["evaluation"] = "cross-validation"``; its message begins with
    :data:`NO_DATED_HISTORY`.
    """
    scored = entity(tgt.entity)
    rows = undated_frame(store, tgt, funnel, scored)
    check_folds(tgt.kind, rows["label"].to_numpy())
    spec, dropped = _spec_without_leaks(store, scored, rows)
    # Undated history has no time line to fit price bands along.
    spec = replace(spec, bands=())

    def fit_all(part: pd.DataFrame) -> dict[str, Scorer]:
        return _fit_all(spec, tgt, funnel, scored, part, random_state)

    validated = cross_validate(fit_all, rows, rows["entity_id"], random_state)
    check = check_minimum_data(len(rows), int(rows["label"].sum()))
    chosen, status, reason = choose_model(validated, check.message)
    final = fit_all(rows)
    auc = validated[chosen]["auc"]
    message = Sentence(
        f"{NO_DATED_HISTORY} (every {scored.name} created {created:%d.%m.%Y}); "
        f"{FOLDS}-fold cross-validated AUC {auc:.3f} ({chosen}, folds "
        f"grouped by {scored.name}); {reason.replace('validation window', 'cross-validation')}",
        f"{NO_DATED_HISTORY_DE} (jeder Datensatz angelegt am {created:%d.%m.%Y}); AUC in "
        f"{FOLDS}-facher Kreuzvalidierung {auc:.3f} ({chosen}, ein Datensatz je Teilmenge); "
        f"{reason.de.replace('im Validierungsfenster', 'in der Kreuzvalidierung')}".replace(
            f"{auc:.3f}", f"{auc:.3f}".replace(".", ",")
        ),
    )
    log.info("%s: %s", tgt.kind, message)
    windows = Windows(created, created, created, created, created, created, 0)
    record = _record(tgt, chosen, status, final[chosen], validated, rows, windows, spec)
    summary = {n: {k: ev[k] for k in COMPARED} for n, ev in validated.items()}
    record = replace(record, metrics={**record.metrics, "message": str(message),
                                      "message_de": message.de, "dropped": dropped,
                                      "validation": summary, "evaluation": CROSS_VALIDATED,
                                      "folds": FOLDS})  # fmt: skip
    register_model(store, record)
    return TrainingResult(record, _comparison(validated, validated, chosen), message)


def _spec_without_leaks(
    store: Any, scored: Entity, train: pd.DataFrame
) -> tuple[FeatureSpec, list[str]]:
    """The entity's spec, with the store's custom fields, without features that leak the
    outcome; and the dropped names."""
    spec = replace(spec_with_custom(scored.spec, train), bands=scored.spec.bands)
    y = train["label"].to_numpy()
    dropped = leaky_features(train, y, (*spec.categorical, *spec.numeric))
    if scored.closing_leaks is not None:
        dropped += [f for f in scored.closing_leaks(store) if f not in dropped]
    return _without(spec, dropped), dropped


def _record(
    tgt: Target,
    chosen: str,
    status: str,
    scorer: Scorer,
    tested: dict[str, dict[str, Any]],
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
        **tested.get("lightgbm", {}),
        "chosen": chosen,
        "horizon_days": tgt.horizon_days,
        "choice_train_to": windows.train_to.isoformat(),
        "validation_from": windows.validation_from.isoformat(),
        "validation_to": windows.validation_to.isoformat(),
        "test_from": windows.test_from.isoformat(),
        "train_rows": len(train),
        "train_positives": int(train["label"].sum()),
        "drift_reference": reference,
        "evaluation": OUT_OF_TIME,
    }
    return ModelRecord(
        model_id=f"{tgt.kind}-{trained_at:%Y%m%d%H%M%S}-{digest}",
        kind=tgt.kind,
        algorithm=chosen,
        trained_at=trained_at,
        train_from=windows.train_from,
        train_to=windows.validation_to,
        test_to=windows.test_to,
        features=list(spec.names),
        metrics=metrics,
        baseline_metrics={k: v for k, v in tested.items() if k != "lightgbm"},
        library_versions=library_versions(),
        artifact=artifact,
        status=status,
    )
