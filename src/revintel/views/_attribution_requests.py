"""Attribution requests checked before any data is read: the model, the milestone, the level
and the settings, each error naming the parameter at fault."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from revintel.attribution._models import MODELS
from revintel.model import FunnelDefinition
from revintel.views._customers import AS_OF_RANGE

#: Whose journeys are attributed: single leads, opportunities, or accounts (buying groups).
LEVELS = ("lead", "opportunity", "account")


class AttributionRequestError(ValueError):
    """An attribution request the data or the funnel cannot answer; ``field`` names the
    parameter at fault (``None`` when no single one is)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AttributionSettings:
    """How journeys are cut and models tuned; the defaults of every surface.

    Attributes
    ----------
    level
        ``lead``, ``opportunity`` or ``account`` (see :data:`LEVELS`).
    lookback_days
        Only touches this many days before the conversion (or end) count; ``None``: all.
    stage_only
        Only touches after the journey reached the previous milestone (what moved it on).
    half_life_days
        Half-life of the ``time_decay`` model.
    order
        Order (1–3) of the ``markov`` model's chain.
    as_of
        Evaluation day (default: the store's latest event).
    """

    level: str = "lead"
    lookback_days: int | None = None
    stage_only: bool = False
    half_life_days: float = 7.0
    order: int = 1
    as_of: date | None = None


#: The settings of a request that sets none.
DEFAULT_SETTINGS = AttributionSettings()


def attribution_targets(funnel: FunnelDefinition) -> tuple[str, ...]:
    """The milestones journeys can be attributed to: the path milestones and ``won``."""
    return tuple(dict.fromkeys((*funnel.path_ids, funnel.won.id)))


def check_model(model: str) -> None:
    """Raise :class:`AttributionRequestError` (field ``model``) for an unknown model."""
    if model not in MODELS:
        raise AttributionRequestError(
            f"unknown model {model!r}; choose one of {', '.join(MODELS)}", "model"
        )


def check_request(
    model: str | None, to: str, settings: AttributionSettings, funnel: FunnelDefinition
) -> None:
    """Check the model (unless ``None``), the milestone and the settings of a request."""
    check_settings(settings)
    level = settings.level
    if model is not None:
        check_model(model)
    targets = attribution_targets(funnel)
    if to not in targets:
        raise AttributionRequestError(
            f"unknown milestone {to!r}; choose one of {', '.join(targets)}", "to"
        )
    if level == "opportunity" and funnel.get(to).entity != "opportunity":
        raise AttributionRequestError(
            f"level opportunity needs a milestone opportunities reach; {to!r} is reached by "
            "leads (use level lead or account)",
            "level",
        )


def check_settings(settings: AttributionSettings) -> None:
    """Check the level, lookback, half-life, Markov order and as-of day of ``settings``."""
    if settings.level not in LEVELS:
        raise AttributionRequestError(
            f"unknown level {settings.level!r}; choose one of {', '.join(LEVELS)}", "level"
        )
    if settings.lookback_days is not None and settings.lookback_days < 1:
        raise AttributionRequestError("lookback_days must be at least 1", "lookback_days")
    if not settings.half_life_days > 0:
        raise AttributionRequestError("half_life_days must be above 0", "half_life_days")
    if settings.order not in (1, 2, 3):
        raise AttributionRequestError(f"order {settings.order} is not 1, 2 or 3", "order")
    first, last = AS_OF_RANGE
    if settings.as_of is not None and not first <= settings.as_of <= last:
        raise AttributionRequestError(
            f"as_of {settings.as_of.isoformat()} must lie between {first} and {last}", "as_of"
        )
