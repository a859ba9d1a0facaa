"""Lead and deal scoring: point-in-time features, LightGBM against baselines, reasons, registry.

Train with :func:`train_score`, score the open population with :func:`apply_scores`, explain one
entity with :func:`explain_entity` and score single records in process with
:class:`RealTimeScorer`.
"""

from revintel.predict._baselines import MilestonePriorBaseline, NaiveBayesBaseline, PointsBaseline
from revintel.predict._dataset import build_frame, current_frame, training_frame
from revintel.predict._evaluation import evaluation, score_metrics, top_decile_lift
from revintel.predict._gbm import GradientBoostingScorer
from revintel.predict._guards import (
    LeakageError,
    check_leakage,
    check_minimum_data,
    drift,
    leaky_features,
    psi,
)
from revintel.predict._reasons import sentence, top_reasons
from revintel.predict._registry import (
    ModelRecord,
    RegistryError,
    list_models,
    load_model,
    scorer_from_state,
)
from revintel.predict._report import evaluation_frame, render_report
from revintel.predict._scoring import (
    ApplyResult,
    RealTimeScorer,
    apply_scores,
    explain_entity,
    score_frame,
)
from revintel.predict._spec import DEAL_SPEC, LEAD_SPEC, FeatureSpec
from revintel.predict._targets import GROUPS, TARGETS, Target, target
from revintel.predict._training import TrainingResult, Windows, plan_windows, train_score

__all__ = [
    "DEAL_SPEC",
    "GROUPS",
    "LEAD_SPEC",
    "TARGETS",
    "ApplyResult",
    "FeatureSpec",
    "GradientBoostingScorer",
    "LeakageError",
    "MilestonePriorBaseline",
    "ModelRecord",
    "NaiveBayesBaseline",
    "PointsBaseline",
    "RealTimeScorer",
    "RegistryError",
    "Target",
    "TrainingResult",
    "Windows",
    "apply_scores",
    "build_frame",
    "check_leakage",
    "check_minimum_data",
    "current_frame",
    "drift",
    "evaluation",
    "evaluation_frame",
    "explain_entity",
    "leaky_features",
    "list_models",
    "load_model",
    "plan_windows",
    "psi",
    "render_report",
    "score_frame",
    "score_metrics",
    "scorer_from_state",
    "sentence",
    "target",
    "top_decile_lift",
    "top_reasons",
    "train_score",
    "training_frame",
]
