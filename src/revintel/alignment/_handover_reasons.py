"""The reasons sales may give for rejecting a marketing qualified lead.

The built-in list lives in ``conf/handover.yaml``; a company replaces it with its own file of
the same shape (ids with German and English labels).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from revintel.model._declarative import read_yaml_mapping

#: The packaged reasons file.
REASONS_FILE = "conf/handover.yaml"
#: The environment variable naming a company's own reasons file for every surface.
REASONS_ENV = "REVINTEL_HANDOVER_REASONS"
_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LANGUAGES = ("de", "en")


class HandoverError(ValueError):
    """A handover decision or its configuration is invalid; the message says why."""


class HandoverConflictError(HandoverError):
    """The decision does not fit the lead's current state (not waiting for sales, already with
    that rep)."""


@dataclass(frozen=True)
class RejectionReason:
    """One reason of the list: its id and its German and English labels."""

    id: str
    de: str
    en: str

    def label(self, language: str) -> str:
        """The label in ``language`` (German for ``de``, English otherwise)."""
        return self.de if language == "de" else self.en


def load_reasons(path: str | Path | None = None) -> tuple[RejectionReason, ...]:
    """The rejection reasons of ``path`` (default: the file ``$REVINTEL_HANDOVER_REASONS``
    names, else the built-in list), so the command line, the API and the dashboard offer one
    list.

    Raises
    ------
    HandoverError
        The file cannot be read or a reason lacks an id or a label.
    """
    path = path or os.environ.get(REASONS_ENV) or None
    data, origin = read_yaml_mapping(path, REASONS_FILE, HandoverError, "a list `reasons`")
    items = data.get("reasons")
    if not isinstance(items, list) or not items:
        raise HandoverError(f"{origin}: reasons: expected a non-empty list")
    reasons: list[RejectionReason] = []
    for number, item in enumerate(items):
        where = f"{origin}: reasons[{number}]"
        if not isinstance(item, dict) or not _ID.match(str(item.get("id", ""))):
            raise HandoverError(f"{where}.id: expected lower-case letters, digits and _")
        label = item.get("label")
        if not isinstance(label, dict) or not all(
            isinstance(label.get(lang), str) and label[lang].strip() for lang in LANGUAGES
        ):
            raise HandoverError(f"{where}.label: expected de and en texts")
        reasons.append(RejectionReason(str(item["id"]), label["de"], label["en"]))
    ids = [r.id for r in reasons]
    if len(set(ids)) != len(ids):
        raise HandoverError(f"{origin}: reasons: ids must be unique")
    return tuple(reasons)


def check_reason(reason: str | None, reasons: tuple[RejectionReason, ...]) -> str:
    """``reason`` if it is one of ``reasons``; a :class:`HandoverError` naming them otherwise."""
    allowed = [r.id for r in reasons]
    if reason not in allowed:
        raise HandoverError(f"unknown rejection reason {reason!r}; allowed: {', '.join(allowed)}")
    return str(reason)
