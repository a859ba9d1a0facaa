"""Which features lead and deal models use, their monotone directions and the points rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

RelativeOp = Literal["minus", "ratio"]
RuleOp = Literal["ge", "le", "eq", "in", "per"]


@dataclass(frozen=True)
class Relative:
    """A feature relative to its typical value: ``value`` minus (or over) its median by ``by``.

    The medians are learned from the training rows, so "discount above the segment norm" means
    above the norm of the training window.
    """

    name: str
    value: str
    by: tuple[str, ...]
    op: RelativeOp


@dataclass(frozen=True)
class Rule:
    """A points rule in the style of marketing-automation lead scoring.

    ``ge``/``le``/``eq``/``in`` award ``points`` when the condition holds; ``per`` awards
    ``points`` per unit of the feature, capped at ``cap`` units.
    """

    feature: str
    op: RuleOp
    value: Any
    points: float
    cap: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"feature": self.feature, "op": self.op, "value": self.value, "points": self.points,
                "cap": self.cap}  # fmt: skip


@dataclass(frozen=True)
class FeatureSpec:
    """Features of one entity: categorical and numeric inputs, relatives, monotone directions.

    ``bands`` names the price-band features (see ``_price_features``): the deal's price
    against the price band of comparable deals, computed from bands stored with the model.
    """

    categorical: tuple[str, ...]
    numeric: tuple[str, ...]
    relative: tuple[Relative, ...] = ()
    monotone: dict[str, int] = field(default_factory=dict)
    points: tuple[Rule, ...] = ()
    bands: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every model input, in the order of the encoded matrix."""
        return (*self.categorical, *self.numeric, *(r.name for r in self.relative), *self.bands)


LEAD_SPEC = FeatureSpec(
    categorical=("milestone", "channel", "campaign_kind", "industry", "segment", "region"),
    numeric=(
        "employees",
        "hours_since_created",
        "digital_touches",
        "digital_touches_14d",
        "webinars",
        "downloads",
        "days_since_digital",
        "response_hours",
    ),
    # More engagement never lowers the chance; a slower first call never raises it.
    monotone={"digital_touches": 1, "digital_touches_14d": 1, "webinars": 1, "response_hours": -1},
    points=(
        Rule("digital_touches", "per", None, 5.0, cap=6),
        Rule("webinars", "ge", 1, 15.0),
        Rule("downloads", "ge", 1, 10.0),
        Rule("days_since_digital", "le", 14, 5.0),
        Rule("segment", "eq", "Enterprise", 10.0),
        Rule("segment", "eq", "Mittelstand", 5.0),
        Rule("channel", "in", ["referral", "field_sales", "trade_fair"], 10.0),
        Rule("response_hours", "le", 24, 10.0),
    ),
)

DEAL_SPEC = FeatureSpec(
    categorical=("milestone", "industry", "segment", "region", "channel", "product_family"),
    numeric=(
        "milestone_rank",
        "employees",
        "amount",
        "age_days",
        "days_in_stage",
        "lead_days",
        "touches",
        "sales_touches",
        "days_since_touch",
        "quotes",
        "discount",
        "rep_win_rate",
        "rep_industry_win_rate",
    ),
    relative=(
        Relative("age_vs_typical", "age_days", ("milestone",), "ratio"),
        Relative("discount_vs_norm", "discount", ("segment", "milestone"), "minus"),
    ),
    # A later milestone, more discount (as such, against the segment norm and against the
    # price band of comparable deals), a lower position in the band and a better rep record
    # never hurt: the win chance never falls as the discount rises.
    monotone={
        "milestone_rank": 1,
        "discount": 1,
        "discount_vs_norm": 1,
        "discount_vs_band": 1,
        "band_position": -1,
        "rep_win_rate": 1,
        "rep_industry_win_rate": 1,
    },
    points=(
        Rule("milestone_rank", "per", None, 10.0),
        Rule("discount", "ge", 0.10, 10.0),
        Rule("sales_touches", "ge", 3, 10.0),
        Rule("days_since_touch", "ge", 30, -15.0),
        Rule("age_days", "ge", 120, -10.0),
        Rule("segment", "eq", "Mittelstand", 5.0),
    ),
    # The price against the bands pricing finds complements the segment norm: where the bands'
    # segments do not follow the account segment, the norm still carries the price response
    # (out-of-time comparison in docs/scoring.md).
    bands=("discount_vs_band", "band_position"),
)


def spec_to_dict(spec: FeatureSpec) -> dict[str, Any]:
    """JSON-ready form of ``spec`` (stored with every model)."""
    return {
        "categorical": list(spec.categorical),
        "numeric": list(spec.numeric),
        "relative": [[r.name, r.value, list(r.by), r.op] for r in spec.relative],
        "monotone": dict(spec.monotone),
        "points": [r.to_dict() for r in spec.points],
        "bands": list(spec.bands),
    }


def spec_from_dict(data: dict[str, Any]) -> FeatureSpec:
    """Inverse of :func:`spec_to_dict`."""
    return FeatureSpec(
        categorical=tuple(data["categorical"]),
        numeric=tuple(data["numeric"]),
        relative=tuple(Relative(n, v, tuple(b), op) for n, v, b, op in data["relative"]),
        monotone={k: int(v) for k, v in data["monotone"].items()},
        points=tuple(Rule(**r) for r in data["points"]),
        # Models stored before price bands have none.
        bands=tuple(data.get("bands", ())),
    )
