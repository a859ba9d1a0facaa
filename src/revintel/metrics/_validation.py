"""Validation rules of the KPI catalogue: small checks the typed models cannot express.

Each rule returns ``(kpi index, "field: message")`` pairs so the caller can name the file.
"""

from __future__ import annotations

from collections.abc import Callable

from revintel.metrics._catalogue import PARAMS_BY_KIND, QUERY_DIMENSIONS, MetricCatalogue
from revintel.model import FunnelDefinition

_KNOWN = ", ".join(QUERY_DIMENSIONS)
Rule = Callable[[MetricCatalogue, FunnelDefinition], list[tuple[int | None, str]]]


def _unique_ids(cat: MetricCatalogue, _: FunnelDefinition) -> list[tuple[int | None, str]]:
    seen: set[str] = set()
    errors: list[tuple[int | None, str]] = []
    for i, spec in enumerate(cat.kpis):
        if spec.id in seen:
            errors.append((i, f"kpis[{i}].id: duplicate KPI id {spec.id!r}"))
        seen.add(spec.id)
    return errors


def _known_kind(cat: MetricCatalogue, _: FunnelDefinition) -> list[tuple[int | None, str]]:
    known = ", ".join(PARAMS_BY_KIND)
    return [
        (i, f"kpis[{i}].kind: unknown kind {spec.kind!r}; known kinds: {known}")
        for i, spec in enumerate(cat.kpis)
        if spec.kind not in PARAMS_BY_KIND
    ]


def _known_dimensions(cat: MetricCatalogue, _: FunnelDefinition) -> list[tuple[int | None, str]]:
    errors: list[tuple[int | None, str]] = []
    for i, spec in enumerate(cat.kpis):
        fields = [("dimensions", spec.dimensions)]
        if spec.alert is not None:
            fields.append(("alert.by", spec.alert.by))
        for name, dims in fields:
            errors.extend(
                (
                    i,
                    f"kpis[{i}].{name}: unknown dimension {d!r}; known: {_KNOWN}",
                )
                for d in dims
                if d not in QUERY_DIMENSIONS
            )
    return errors


def _milestones_exist(
    cat: MetricCatalogue, funnel: FunnelDefinition
) -> list[tuple[int | None, str]]:
    errors: list[tuple[int | None, str]] = []
    for i, spec in enumerate(cat.kpis):
        params = spec.params
        named = [
            (n, getattr(params, n, None)) for n in ("milestone", "source", "target", "rejected")
        ]
        named += [(f"milestones[{j}]", m) for j, m in enumerate(getattr(params, "milestones", ()))]
        for name, value in named:
            if value is not None and value not in funnel.ids:
                errors.append(
                    (
                        i,
                        f"kpis[{i}].params.{name}: unknown milestone {value!r}; "
                        f"known: {', '.join(funnel.ids)}",
                    )
                )
    return errors


def _steps_known(cat: MetricCatalogue, funnel: FunnelDefinition) -> list[tuple[int | None, str]]:
    chain = (*funnel.path_ids, funnel.won.id)
    errors: list[tuple[int | None, str]] = []
    for i, spec in enumerate(cat.kpis):
        steps = getattr(spec.params, "steps", None)
        if not isinstance(steps, tuple):
            continue
        for j, step in enumerate(steps):
            a, _, b = step.partition("->")
            if a not in chain or b not in chain or chain.index(a) >= chain.index(b):
                errors.append(
                    (
                        i,
                        f"kpis[{i}].params.steps[{j}]: {step!r} is not 'a->b' with milestone a "
                        f"before b on the path {' → '.join(chain)}",
                    )
                )
    return errors


def _alert_fits_kpi(cat: MetricCatalogue, _: FunnelDefinition) -> list[tuple[int | None, str]]:
    errors: list[tuple[int | None, str]] = []
    for i, spec in enumerate(cat.kpis):
        alert = spec.alert
        if alert is None:
            continue
        if alert.rule == "below_threshold":
            if alert.threshold is None:
                errors.append((i, f"kpis[{i}].alert.threshold: below_threshold needs a threshold"))
            elif spec.unit == "ratio" and not 0.0 <= alert.threshold <= 1.0:
                errors.append((i, f"kpis[{i}].alert.threshold: a ratio threshold lies in 0..1"))
        if alert.rule == "conversion_drop" and spec.kind not in ("cohort_conversion", "step_rate"):
            errors.append((i, f"kpis[{i}].alert.rule: conversion_drop needs a conversion KPI"))
        if alert.rule == "negative_streak" and spec.kind != "growth":
            errors.append((i, f"kpis[{i}].alert.rule: negative_streak needs a growth KPI"))
        if alert.rule == "stalled" and spec.kind != "stage_age":
            errors.append((i, f"kpis[{i}].alert.rule: stalled needs a stage_age KPI"))
        measure = getattr(spec.params, "measure", None)
        if alert.rule == "discount_drift" and measure != "average_discount":
            errors.append(
                (i, f"kpis[{i}].alert.rule: discount_drift needs an average_discount KPI")
            )
    return errors


def _grain_fits_kind(cat: MetricCatalogue, _: FunnelDefinition) -> list[tuple[int | None, str]]:
    timeless = {"win_probability", "stage_age"}
    return [
        (i, f"kpis[{i}].grain: kind {spec.kind!r} is measured over all time; use grain 'all'")
        for i, spec in enumerate(cat.kpis)
        if spec.kind in timeless and spec.grain != "all"
    ]


RULES: tuple[Rule, ...] = (
    _unique_ids,
    _known_kind,
    _known_dimensions,
    _milestones_exist,
    _steps_known,
    _alert_fits_kpi,
    _grain_fits_kind,
)
