"""The attribution models by name: one entry point for every surface."""

from __future__ import annotations

from revintel.attribution._heuristic import (
    DEFAULT_HALF_LIFE_DAYS,
    HEURISTIC_MODELS,
    heuristic_attribution,
)
from revintel.attribution._paths import Paths
from revintel.attribution._result import Attribution

#: Every model :func:`attribute` knows, rule-based ones first.
MODELS = (*HEURISTIC_MODELS, "markov", "shapley")

#: The models that learn the credits from converting and non-converting journeys alike.
DATA_DRIVEN = ("markov", "shapley")


def attribute(
    paths: Paths,
    model: str,
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    markov_order: int = 1,
    shapley_samples: int | None = None,
    seed: int = 0,
) -> Attribution:
    """Attribute the journeys' conversions, value and margin to channels with a named model.

    Parameters
    ----------
    paths
        The journeys.
    model
        One of :data:`MODELS`: ``first``, ``last``, ``linear``, ``time_decay``, ``u_shaped``,
        ``w_shaped``, ``full_path`` (rule-based, see
        :func:`revintel.attribution._heuristic.touch_shares`), ``markov`` (removal effects of a
        Markov chain) or ``shapley`` (Shapley values of a conversion model).
    half_life_days
        Half-life of ``time_decay`` in days (default 7).
    markov_order
        Order of the ``markov`` chain (1 to 3).
    shapley_samples
        Permutations sampled by ``shapley`` when there are too many channels to enumerate every
        coalition; ``None`` for its default.
    seed
        Seed of that sampling.

    Returns
    -------
    Attribution
        Credits per channel (and per touch where the model gives them).

    Raises
    ------
    ValueError
        For an unknown model (the message lists the known ones) and for journeys a model
        cannot use (``time_decay`` without touch dates, ``w_shaped``/``full_path`` without
        touch roles).
    """
    if model in HEURISTIC_MODELS:
        return heuristic_attribution(paths, model, half_life_days=half_life_days)
    if model == "markov":
        from revintel.attribution._markov import markov_attribution

        return markov_attribution(paths, order=markov_order)
    if model == "shapley":
        from revintel.attribution._shapley import shapley_attribution

        return shapley_attribution(paths, samples=shapley_samples, seed=seed)
    raise ValueError(f"unknown attribution model {model!r}; choose one of: {', '.join(MODELS)}")
