"""The scored entities: one lookup holding everything that depends on what is scored.

An :class:`Entity` says where its rows live, when it is scored (its snapshots), which features
describe it, how the outcome after a snapshot is read and which baselines it is measured
against. Scoring code asks the entity of a target instead of branching on its name, so an
account-level target (churn, next purchase, cross-sell) is one entry in :data:`ENTITIES` and
one in :data:`~revintel.predict.TARGETS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import pandas as pd

from revintel.model import FunnelDefinition
from revintel.predict._churn_evaluation import churn_report
from revintel.predict._churn_features import CHURN_SPEC, churn_features
from revintel.predict._churn_snapshots import account_snapshots, label_churn
from revintel.predict._features import deal_features, lead_features
from revintel.predict._guards import filled_at_closing
from revintel.predict._snapshots import (
    deal_snapshots,
    label_deal_journey,
    label_lead_journey,
    lead_snapshots,
)
from revintel.predict._spec import DEAL_SPEC, LEAD_SPEC, FeatureSpec
from revintel.store import Store

if TYPE_CHECKING:
    from revintel.predict._registry import ModelRecord
    from revintel.predict._targets import Target

#: Prediction times in the history: ``(store, funnel) -> table(entity_id, at)``.
SnapshotRule = Callable[[Store, FunnelDefinition], ir.Table]
#: State and outcome of snapshots: ``(store, snapshots, target, funnel) -> table`` with
#: ``entity_id``, ``at``, ``ended``, ``reached``, ``outcome_at`` (first time the outcome happened
#: after ``at``, null if never) and, for funnel journeys, ``rank_at`` and ``stage_at``.
LabelRule = Callable[[Store, ir.Table, "Target", FunnelDefinition], ir.Table]
#: Features of labelled snapshots: ``(store, state) -> table`` with the state columns kept, each
#: aggregate reporting the latest event it read in a ``*_recorded_at`` column.
FeatureBuilder = Callable[[Store, ir.Table], ir.Table]
#: Features a source fills only once the outcome is known: ``store -> names``.
LeakRule = Callable[[Store], list[str]]
#: Evaluation beyond the registry's comparison, run after training: ``(store, record) ->
#: (updated record, rows for the comparison table, one sentence)``.
ReportRule = Callable[[Store, "ModelRecord"], tuple["ModelRecord", pd.DataFrame, str]]

#: Every baseline, in the order they are reported.
BASELINES = ("naive_bayes", "points", "milestone_prior")


@dataclass(frozen=True)
class Entity:
    """What is scored and how its snapshots, features and outcomes are read from the store.

    Parameters
    ----------
    name
        Key in :data:`ENTITIES` and the ``entity_type`` of its scores (``lead``…).
    table, id_column
        The store table holding one row per entity, and its id column.
    group
        CLI group training its targets together (``revintel score train GROUP``).
    training_snapshots
        Prediction times in the history.
    label
        State at, and outcome after, each snapshot.
    features
        Point-in-time features of labelled snapshots.
    spec
        The features the models use, monotone directions and points rules.
    created_column
        Column of ``table`` with the entity's creation time: entities created after the as-of
        instant are not scored. ``None`` scores every row.
    baselines
        Names of the baselines measured (``milestone_prior`` needs a funnel milestone).
    closing_leaks
        Features to drop because the source fills them when the outcome is known.
    report
        Evaluation of a trained model beyond the registry's comparison (``None``: none).
    """

    name: str
    table: str
    id_column: str
    group: str
    training_snapshots: SnapshotRule
    label: LabelRule
    features: FeatureBuilder
    spec: FeatureSpec
    created_column: str | None = "created_at"
    baselines: tuple[str, ...] = BASELINES
    closing_leaks: LeakRule | None = None
    report: ReportRule | None = None

    def current_snapshots(self, store: Store, as_of: datetime) -> ir.Table:
        """Every entity existing at ``as_of``, scored at ``as_of``; ended ones drop out later."""
        stamp = ibis.timestamp(as_of)
        t = store.table(self.table)
        if self.created_column is not None:
            t = t.filter(t[self.created_column] <= stamp)
        return t.select(entity_id=t[self.id_column], at=stamp)

    def holds(self, store: Store, entity_id: str) -> bool:
        """Whether the store has an entity with id ``entity_id``."""
        t = store.table(self.table)
        return bool(t.filter(t[self.id_column] == entity_id).count().execute())


def _churn_report(store: Store, record: ModelRecord) -> tuple[ModelRecord, pd.DataFrame, str]:
    # Imported when run: the churn evaluation builds frames through this module.
    from revintel.predict._churn_evaluation import churn_report

    return churn_report(store, record)


#: The scored entities by name.
ENTITIES: dict[str, Entity] = {
    "lead": Entity(
        name="lead",
        table="leads",
        id_column="lead_id",
        group="leads",
        training_snapshots=lead_snapshots,
        label=label_lead_journey,
        features=lead_features,
        spec=LEAD_SPEC,
    ),
    "opportunity": Entity(
        name="opportunity",
        table="opportunities",
        id_column="opportunity_id",
        group="deals",
        training_snapshots=deal_snapshots,
        label=label_deal_journey,
        features=deal_features,
        spec=DEAL_SPEC,
        closing_leaks=filled_at_closing,
    ),
    # Customers (accounts with orders) at month ends; see docs/churn.md.
    "account": Entity(
        name="account",
        table="accounts",
        id_column="account_id",
        group="accounts",
        training_snapshots=account_snapshots,
        label=label_churn,
        features=churn_features,
        spec=CHURN_SPEC,
        created_column=None,
        baselines=("naive_bayes", "points"),
        report=churn_report,
    ),
}


def entity(name: str) -> Entity:
    """The entity ``name``; ``KeyError`` listing the known ones."""
    try:
        return ENTITIES[name]
    except KeyError:
        raise KeyError(f"unknown entity {name!r}; known: {', '.join(ENTITIES)}") from None
