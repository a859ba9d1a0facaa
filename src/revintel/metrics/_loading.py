"""Loading the KPI catalogue: the packaged YAML, a company's overrides, and validation errors
that name the file and the field."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from revintel.metrics._catalogue import MetricCatalogue, MetricCatalogueError
from revintel.metrics._validation import RULES
from revintel.model import FunnelDefinition, load_funnel, read_yaml_mapping

DEFAULT_METRICS_PATH = "conf/metrics.yaml"


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) and parts:
            parts[-1] = f"{parts[-1]}[{item}]"
        elif not (isinstance(item, str) and item.endswith("Params")):
            parts.append(str(item))
    return ".".join(parts)


def parse_catalogue(
    data: Mapping[str, Any],
    origin: str = "<metrics>",
    funnel: FunnelDefinition | None = None,
    origins: Mapping[int, str] | None = None,
) -> MetricCatalogue:
    """Validate a mapping into a :class:`MetricCatalogue`.

    Parameters
    ----------
    data
        The parsed YAML mapping.
    origin
        File name used in error messages.
    funnel
        Funnel whose milestone ids the KPIs may name (default: the built-in funnel).
    origins
        File name per KPI index, when entries came from different files (overrides).
    """
    where = dict(origins or {})

    def name(i: int | None) -> str:
        return where.get(i, origin) if i is not None else origin

    try:
        catalogue = MetricCatalogue.model_validate(data)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            loc = e["loc"]
            index = loc[1] if len(loc) > 1 and loc[0] == "kpis" else None
            lines.append(
                f"{name(index if isinstance(index, int) else None)}: {_field_path(loc)}: {e['msg']}"
            )
        raise MetricCatalogueError("\n".join(lines)) from None
    funnel = funnel or load_funnel()
    errors = [f"{name(i)}: {msg}" for rule in RULES for i, msg in rule(catalogue, funnel)]
    if errors:
        raise MetricCatalogueError("\n".join(errors))
    return catalogue


def _read_yaml(path: str | Path | None) -> tuple[dict[str, Any], str]:
    return read_yaml_mapping(path, DEFAULT_METRICS_PATH, MetricCatalogueError, "'kpis'")


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _apply_overrides(
    data: dict[str, Any], extra: dict[str, Any], extra_origin: str
) -> tuple[dict[str, Any], dict[int, str]]:
    kpis = list(data.get("kpis") or [])
    origins: dict[int, str] = {}
    index = {k.get("id"): i for i, k in enumerate(kpis) if isinstance(k, Mapping)}
    for j, entry in enumerate(extra.get("kpis") or []):
        if not isinstance(entry, Mapping) or "id" not in entry:
            raise MetricCatalogueError(f"{extra_origin}: kpis[{j}]: each entry needs an 'id'")
        if entry["id"] in index:
            i = index[entry["id"]]
            kpis[i] = _deep_merge(kpis[i], entry)
        else:
            i = len(kpis)
            kpis.append(dict(entry))
            index[entry["id"]] = i
        origins[i] = extra_origin
    merged = _deep_merge(
        {k: v for k, v in data.items() if k != "kpis"},
        {k: v for k, v in extra.items() if k not in ("kpis", "version")},
    )
    merged["kpis"] = kpis
    return merged, origins


def load_catalogue(
    overrides: str | Path | None = None,
    *,
    path: str | Path | None = None,
    funnel: FunnelDefinition | None = None,
) -> MetricCatalogue:
    """Load the KPI catalogue, optionally merged with a company's overrides file.

    Parameters
    ----------
    overrides
        A company file whose ``kpis`` entries replace fields of KPIs with the same id or add new
        KPIs, and whose ``settings`` replace the defaults.
    path
        The base catalogue (default: the packaged ``conf/metrics.yaml``).
    funnel
        Funnel the KPIs refer to (default: the built-in funnel).
    """
    data, origin = _read_yaml(path)
    origins: dict[int, str] = {}
    if overrides is not None:
        extra, extra_origin = _read_yaml(overrides)
        data, origins = _apply_overrides(data, extra, extra_origin)
    return parse_catalogue(data, origin, funnel, origins)
