"""What-if scenarios of a plan written as text: ``NAME=mql_to_sal:1.2,deal_size:1.1,webinar:1.5``.

``mql_to_sal`` and ``deal_size`` multiply the MQL→SAL rate and the deal size; any other key
is a channel whose share of the MQLs is multiplied by the value.
"""

from __future__ import annotations

import math

from revintel.alignment._plan import Scenario


class ScenarioTextError(ValueError):
    """A scenario text cannot be read; the message shows the expected form."""


_FORM = "write NAME=mql_to_sal:1.2,deal_size:1.1,CHANNEL:1.5"


def parse_scenario(text: str) -> Scenario:
    """A :class:`Scenario` from its text.

    Examples
    --------
    >>> parse_scenario("push=mql_to_sal:1.2,webinar:1.5")
    Scenario(name='push', mql_to_sal=1.2, deal_size=1.0, channel_leads={'webinar': 1.5})
    """
    name, sep, body = text.partition("=")
    if not sep or not name.strip() or not body.strip():
        raise ScenarioTextError(f"{text!r} is not a scenario; {_FORM}")
    values: dict[str, float] = {}
    for part in body.split(","):
        key, colon, number = part.strip().rpartition(":")
        try:
            value = float(number)
        except ValueError:
            value = math.nan
        if not colon or not key or not math.isfinite(value) or value <= 0:
            raise ScenarioTextError(f"{part.strip()!r} in {text!r} is not KEY:FACTOR; {_FORM}")
        values[key.strip()] = value
    return Scenario(
        name=name.strip(),
        mql_to_sal=values.pop("mql_to_sal", 1.0),
        deal_size=values.pop("deal_size", 1.0),
        channel_leads=values,
    )


def standard_scenarios() -> list[Scenario]:
    """The comparisons the plan shows by default: a better MQL→SAL rate and bigger deals."""
    return [
        Scenario(name="better_sal", mql_to_sal=1.2),
        Scenario(name="bigger_deals", deal_size=1.1),
    ]
