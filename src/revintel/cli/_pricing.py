"""Price optimisation and deal analytics: the ``revintel pricing`` commands.

The group is :data:`revintel.cli._pricing_app.pricing_app`; the commands live in the modules
imported here: the price waterfall and leakage (``_pricing_waterfall``), price bands
(``_pricing_bands``), the price response (``_pricing_response``) and fitted price models with
deal guidance (``_pricing_guidance``).
"""

from __future__ import annotations

from revintel.cli import (  # noqa: F401  (imported for the commands they register)
    _pricing_bands,
    _pricing_guidance,
    _pricing_response,
    _pricing_waterfall,
)
