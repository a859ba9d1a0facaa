"""Why an assignment was made, as data that ``revintel.i18n`` renders in German or English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ReasonKind = Literal["keep", "switch", "relieve", "new", "deal"]


@dataclass(frozen=True)
class AllocationReason:
    """Why a rep spends these hours on an account or open deal.

    Attributes
    ----------
    kind
        ``keep``: the current owner keeps the account; ``switch``: another rep takes over
        because that gains more than the continuity rule asks (``gain_over_owner`` a year);
        ``relieve``: another rep takes over because the owner's hours earn more elsewhere;
        ``new``: the account has no owner who may keep it; ``deal``: an open deal gets
        the rep's hours.
    level
        The service level (``inside``, ``field`` …; ``deal`` for open deals).
    gain
        Expected incremental margin a year (deals: until they close) minus the cost of the
        hours, in EUR.
    basis
        Why the rep may serve the item: ``region`` (own region), ``exception`` (a named
        territory exception), ``owner`` (an existing relationship across regions) or
        ``anywhere`` (no territory rule).
    region
        The item's region.
    fit
        The rep's fit factor for the item (by segment, industry …; 1: average).
    gain_over_owner
        For ``switch`` and ``relieve``: how much more the new rep earns than the owner at
        the same level (may be negative for ``relieve``).
    coverage_rule
        The minimum-coverage rule that asks for this level, when the level is the minimum.
    """

    kind: ReasonKind
    level: str
    gain: float
    basis: str
    region: str
    fit: float = 1.0
    gain_over_owner: float = 0.0
    coverage_rule: str = ""

    @property
    def message_key(self) -> str:
        """Key of the main message (``revintel.i18n.messages.allocation``)."""
        return f"allocation.solver.reason.{self.kind}"

    def placeholders(self) -> dict[str, str | float]:
        """Values for the templates' ``{level}``, ``{gain}``, ``{region}``, ``{fit}``,
        ``{gain_over_owner}`` and ``{rule}`` (euros unformatted: format with the money
        helper of ``revintel.i18n``)."""
        return {
            "level": self.level,
            "gain": self.gain,
            "region": self.region,
            "fit": self.fit,
            "gain_over_owner": self.gain_over_owner,
            "rule": self.coverage_rule,
        }

    def parts(self) -> tuple[str, ...]:
        """Message keys to render and join with "; ": the main one, the territory basis and,
        when a coverage rule set the level, the rule."""
        keys = [self.message_key, f"allocation.solver.basis.{self.basis}"]
        if self.fit != 1.0:
            keys.append("allocation.solver.fit")
        if self.coverage_rule:
            keys.append("allocation.solver.coverage")
        return tuple(keys)
