"""Attribution as every surface shows it: one model's credits per channel for the journeys of a
funnel transition (or of an aggregated path file), and every model side by side.

The command line, the API and the dashboard call these functions, so they show the same
numbers. Requests are checked first (:mod:`revintel.views._attribution_requests`); an
:class:`AttributionRequestError` names the parameter at fault (``model``, ``to``, ``file``…).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from revintel.attribution._journeys import StoreJourneys, store_journeys
from revintel.attribution._models import MODELS, attribute
from revintel.attribution._path_files import read_path_file
from revintel.attribution._paths import Paths
from revintel.attribution._result import BASELINE, Attribution
from revintel.auth import User, scoped_store
from revintel.model import FunnelDefinition, load_funnel
from revintel.store import Store, store_currency
from revintel.views._attribution_frames import RESULT_COLUMNS, channel_frame, plain_notes
from revintel.views._attribution_requests import (
    DEFAULT_SETTINGS,
    LEVELS,
    AttributionRequestError,
    AttributionSettings,
    attribution_targets,
    check_model,
    check_request,
    check_settings,
)

__all__ = [
    "BASELINE",
    "COMPARED_VALUES",
    "LEVELS",
    "MODELS",
    "RESULT_COLUMNS",
    "AttributionRequestError",
    "AttributionSettings",
    "AttributionView",
    "ModelComparison",
    "attribution_table",
    "attribution_targets",
    "channel_frame",
    "check_request",
    "model_comparison",
    "path_file_attribution",
    "plain_notes",
]

#: What ``model_comparison`` compares.
COMPARED_VALUES = ("conversions", "revenue")


@dataclass(frozen=True)
class AttributionView:
    """One model's credits, ready to print or serve.

    Attributes
    ----------
    model
        The model's name.
    to, came_from
        The milestone the journeys convert to and the one they start from (``None`` for the
        first milestone and for path files, whose ``to`` is ``None`` too).
    channels
        One row per channel with :data:`RESULT_COLUMNS`, largest conversions first; a
        data-driven model's ``(baseline)`` row comes last. ``share`` is the channel's part of
        all conversions; the columns sum to :attr:`conversions` and :attr:`revenue`.
    journeys, conversions, revenue
        Journeys attributed, their conversions and their conversion value.
    open_journeys
        Journeys left out because they were neither converted nor ended by the as-of day.
    as_of
        The evaluation day of store journeys (``None`` for path files).
    currency
        Currency of ``revenue`` and ``margin`` (the store's; ``None`` for path files).
    notes
        How the model computed the credits (only JSON-ready entries of modest size).
    """

    model: str
    to: str | None
    came_from: str | None
    channels: pd.DataFrame
    journeys: int
    conversions: float
    revenue: float
    open_journeys: int = 0
    as_of: date | None = None
    currency: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelComparison:
    """Every model's credits per channel side by side.

    Attributes
    ----------
    to, came_from, value
        The transition and what is compared (``conversions`` or ``revenue``).
    frame
        ``channel`` and one column per model of :data:`MODELS` (NaN for a model that could
        not run: see ``skipped``), largest mean credit first, ``(baseline)`` last.
    journeys, total
        Journeys compared and the total every model's column sums to.
    skipped
        Model → why it could not run on these journeys.
    """

    to: str
    came_from: str | None
    value: str
    frame: pd.DataFrame
    journeys: int
    total: float
    skipped: dict[str, str] = field(default_factory=dict)


def _journeys(
    store: Store,
    user: User | None,
    to: str,
    settings: AttributionSettings,
    funnel: FunnelDefinition,
) -> StoreJourneys:
    source = store if user is None else scoped_store(store, user)
    try:
        return store_journeys(
            source,
            to,
            level=settings.level,
            lookback_days=settings.lookback_days,
            stage_only=settings.stage_only,
            as_of=settings.as_of,
            funnel=funnel,
        )
    except ValueError as exc:
        raise AttributionRequestError(str(exc)) from None


def _attribute(paths: Paths, model: str, settings: AttributionSettings) -> Attribution:
    try:
        return attribute(
            paths, model, half_life_days=settings.half_life_days, markov_order=settings.order
        )
    except ValueError as exc:  # e.g. time decay on journeys without dates
        message = str(exc) if model in str(exc) else f"{model}: {exc}"
        raise AttributionRequestError(message, "model") from None


def _view(
    model: str,
    result: Attribution | None,
    paths: Paths,
    *,
    to: str | None = None,
    came_from: str | None = None,
    open_journeys: int = 0,
    as_of: date | None = None,
    currency: str | None = None,
) -> AttributionView:
    return AttributionView(
        model=model,
        to=to,
        came_from=came_from,
        channels=channel_frame(result),
        journeys=len(paths),
        conversions=float(np.sum(paths.conversions)),
        revenue=float(np.sum(paths.value)),
        open_journeys=open_journeys,
        as_of=as_of,
        currency=currency,
        notes={} if result is None else plain_notes(result.notes),
    )


def attribution_table(
    store: Store,
    user: User | None,
    model: str,
    to: str,
    settings: AttributionSettings = DEFAULT_SETTINGS,
    funnel: FunnelDefinition | None = None,
) -> AttributionView:
    """Credits of ``model`` for the journeys converting to milestone ``to``.

    Parameters
    ----------
    store
        The store.
    user
        Whose rows count (a sales rep's own leads); ``None`` for every row.
    model
        One of :data:`MODELS`.
    to
        A milestone of :func:`attribution_targets`.
    settings
        Level, lookback, stage-only cut, time-decay half-life, Markov order and as-of day.
    funnel
        The funnel definition (default: the built-in one).

    Raises
    ------
    AttributionRequestError
        For an unknown model, milestone or level, or a model the journeys do not suit.
    """
    funnel = funnel or load_funnel()
    check_request(model, to, settings, funnel)
    found = _journeys(store, user, to, settings, funnel)
    result = _attribute(found.paths, model, settings) if len(found.paths) else None
    return _view(
        model,
        result,
        found.paths,
        to=to,
        came_from=found.transition[0],
        open_journeys=found.open_journeys,
        as_of=found.as_of,
        currency=store_currency(store),
    )


def model_comparison(
    store: Store,
    user: User | None,
    to: str,
    settings: AttributionSettings = DEFAULT_SETTINGS,
    funnel: FunnelDefinition | None = None,
    value: str = "conversions",
) -> ModelComparison:
    """Every model of :data:`MODELS` on the same journeys, ``value`` credited per channel.

    A model the journeys do not suit gets a NaN column and its reason in ``skipped``.
    """
    if value not in COMPARED_VALUES:
        raise AttributionRequestError(
            f"unknown value {value!r}; choose one of {', '.join(COMPARED_VALUES)}", "value"
        )
    funnel = funnel or load_funnel()
    check_request(None, to, settings, funnel)
    found = _journeys(store, user, to, settings, funnel)
    columns: dict[str, pd.Series] = {}
    skipped: dict[str, str] = {}
    for model in MODELS:
        if not len(found.paths):
            columns[model] = pd.Series(dtype=float)
            continue
        try:
            credits = _attribute(found.paths, model, settings).channels
        except AttributionRequestError as exc:
            skipped[model] = str(exc)
            columns[model] = pd.Series(dtype=float)
            continue
        columns[model] = credits.set_index("channel")[value].astype(float)
    frame = pd.DataFrame(columns).rename_axis("channel").reset_index()
    frame = frame.reindex(columns=["channel", *MODELS])
    frame["_baseline"] = frame["channel"] == BASELINE
    frame["_mean"] = frame[list(MODELS)].mean(axis=1)
    frame = frame.sort_values(["_baseline", "_mean", "channel"],
                              ascending=[True, False, True], kind="stable")  # fmt: skip
    frame = frame.drop(columns=["_baseline", "_mean"]).reset_index(drop=True)
    # A channel a model that ran does not name has no credit from it; the baseline row stays
    # empty for the models that have none.
    ran = [m for m in MODELS if m not in skipped]
    channels = frame["channel"] != BASELINE
    frame.loc[channels, ran] = frame.loc[channels, ran].fillna(0.0)
    total = np.sum(found.paths.conversions if value == "conversions" else found.paths.value)
    return ModelComparison(
        to=to,
        came_from=found.transition[0],
        value=value,
        frame=frame,
        journeys=len(found.paths),
        total=float(total),
        skipped=skipped,
    )


def path_file_attribution(
    path: Path, model: str, settings: AttributionSettings = DEFAULT_SETTINGS
) -> AttributionView:
    """Credits of ``model`` for the journeys of an aggregated path file (see
    :func:`revintel.attribution._path_files.read_path_file` for the formats read).

    Raises
    ------
    AttributionRequestError
        Field ``file`` when the file cannot be read (the message names file, row and column),
        field ``model`` for an unknown model or one the file does not suit (time decay needs
        dates, W-shaped and full-path need the touches' roles).
    """
    check_model(model)
    check_settings(settings)
    try:
        paths = read_path_file(path)
    except OSError as exc:
        message = f"{path}: cannot read the file ({exc.strerror or exc})"
        raise AttributionRequestError(message, "file") from None
    except ValueError as exc:
        raise AttributionRequestError(str(exc), "file") from None
    result = _attribute(paths, model, settings) if len(paths) else None
    return _view(model, result, paths)
