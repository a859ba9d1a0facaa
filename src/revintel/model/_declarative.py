"""Reading the declarative YAML files users edit (funnel, KPIs, source mappings) the same way.

Every reader reports problems as ``<file>: <field path>: <message>`` so a user finds the line.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError


def read_yaml_mapping(
    path: str | Path | None,
    packaged: str,
    error: type[Exception],
    expected: str,
) -> tuple[dict[str, Any], str]:
    """Parse a YAML mapping from ``path`` (or the packaged file ``packaged``).

    Returns the mapping and the origin to name in messages; raises ``error`` naming the file when
    it cannot be read, is not YAML, or is not a mapping (``expected`` says what it should hold).
    """
    if path is None:
        text = files("revintel").joinpath(packaged).read_text(encoding="utf-8")
        origin = packaged
    else:
        origin = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise error(f"{origin}: cannot read: {exc.strerror}") from None
    return parse_yaml_mapping(text, origin, error, expected), origin


#: libyaml's safe loader where PyYAML was built with it: ten times faster on a preset.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml_mapping(
    text: str, origin: str, error: type[Exception], expected: str
) -> dict[str, Any]:
    """Parse YAML text that must hold a mapping; ``error`` names ``origin`` otherwise."""
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise error(f"{origin}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"{origin}: expected a mapping with {expected}")
    return data


def field_path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's error location as a dotted path with indices: ``milestones[2].label.de``."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) and parts:
            parts[-1] = f"{parts[-1]}[{item}]"
        else:
            parts.append(str(item))
    return ".".join(parts)


def validation_messages(exc: ValidationError, origin: str) -> list[str]:
    """One ``<origin>: <field path>: <message>`` line per validation error."""
    return [f"{origin}: {field_path(e['loc'])}: {e['msg']}" for e in exc.errors()]
