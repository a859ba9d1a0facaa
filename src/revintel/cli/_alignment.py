"""Marketing and sales as one process: the ``revintel handover``, ``feedback``, ``sla``,
``plan`` and ``scorecard`` commands, registered by the modules imported here."""

from __future__ import annotations

from revintel.cli import (  # noqa: F401  (imported for the commands they register)
    _feedback,
    _handover,
    _plan,
    _scorecard,
    _sla,
)
