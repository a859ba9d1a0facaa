"""Lead, deal and churn scores: point-in-time features, LightGBM against baselines, reasons.

Train with :func:`train_score`, score the open population with :func:`apply_scores` (or a whole
group with :func:`apply_group`), explain one entity with :func:`explain_entity` and score single
records in process with :class:`RealTimeScorer`. What is scored is looked up in
:data:`ENTITIES` and :data:`TARGETS`; a new target is an entry there.
"""

from revintel.predict._baselines import MilestonePriorBaseline, NaiveBayesBaseline, PointsBaseline
from revintel.predict._churn_evaluation import evaluate_churn_record
from revintel.predict._churn_risk import churn_alerts, churn_risk
from revintel.predict._churn_snapshots import ChurnDefinition
from revintel.predict._dataset import (
    MAX_FRAME_ROWS,
    build_frame,
    current_frame,
    training_frame,
    with_labels,
)
from revintel.predict._entities import BASELINES, ENTITIES, Entity, entity
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
from revintel.predict._score_history import ScoreHistoryError, score_history
from revintel.predict._scoring import (
    ApplyResult,
    RealTimeScorer,
    apply_group,
    apply_scores,
    explain_entity,
    score_frame,
)
from revintel.predict._sentences import Sentence, german
from revintel.predict._snapshots import history_end
from revintel.predict._spec import DEAL_SPEC, LEAD_SPEC, FeatureSpec
from revintel.predict._targets import GROUPS, TARGETS, Target, target
from revintel.predict._training import TrainingResult, choose_model, train_score
from revintel.predict._windows import (
    MIN_WINDOW_POSITIVES,
    Windows,
    choose_windows,
    plan_windows,
    round_horizon,
)

__all__ = [
    "BASELINES",
    "DEAL_SPEC",
    "ENTITIES",
    "GROUPS",
    "LEAD_SPEC",
    "MAX_FRAME_ROWS",
    "MIN_WINDOW_POSITIVES",
    "TARGETS",
    "ApplyResult",
    "ChurnDefinition",
    "Entity",
    "FeatureSpec",
    "GradientBoostingScorer",
    "LeakageError",
    "MilestonePriorBaseline",
    "ModelRecord",
    "NaiveBayesBaseline",
    "PointsBaseline",
    "RealTimeScorer",
    "RegistryError",
    "ScoreHistoryError",
    "Sentence",
    "Target",
    "TrainingResult",
    "Windows",
    "apply_group",
    "apply_scores",
    "build_frame",
    "check_leakage",
    "check_minimum_data",
    "choose_model",
    "choose_windows",
    "churn_alerts",
    "churn_risk",
    "current_frame",
    "drift",
    "entity",
    "evaluate_churn_record",
    "evaluation",
    "evaluation_frame",
    "explain_entity",
    "german",
    "history_end",
    "leaky_features",
    "list_models",
    "load_model",
    "plan_windows",
    "psi",
    "render_report",
    "round_horizon",
    "score_frame",
    "score_history",
    "score_metrics",
    "scorer_from_state",
    "sentence",
    "target",
    "top_decile_lift",
    "top_reasons",
    "train_score",
    "training_frame",
    "with_labels",
]
