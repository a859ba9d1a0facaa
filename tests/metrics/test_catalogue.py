"""The KPI catalogue: loading, validation naming file and field, overrides and generated docs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from revintel.metrics import (
    KINDS,
    PARAMS_BY_KIND,
    MetricCatalogue,
    MetricCatalogueError,
    load_catalogue,
    parse_catalogue,
    render_metrics_doc,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def _kpi(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "mqls",
        "kind": "milestone_count",
        "name": {"de": "MQLs", "en": "MQLs"},
        "definition": {"de": "Anzahl", "en": "Count"},
        "formula": "count",
        "unit": "count",
        "params": {"milestone": "mql"},
    }
    base.update(changes)
    return base


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(MetricCatalogueError) as info:
        parse_catalogue(data, "company.yaml")
    return str(info.value)


def test_packaged_catalogue_declares_every_required_kpi(catalogue: MetricCatalogue) -> None:
    required = {
        "mqls",
        "lvr",
        "mql_sal_acceptance",
        "mql_sal_conversion",
        "mql_rejection_reasons",
        "stage_conversion",
        "stage_conversion_period",
        "win_probability",
        "time_between_milestones",
        "time_in_stage",
        "win_rate",
        "win_rate_value",
        "sales_cycle",
        "open_pipeline",
        "weighted_pipeline",
        "weighted_pipeline_measured",
        "pipeline_coverage",
        "pipeline_velocity",
        "lead_response_time",
        "leakage",
        "digital_share",
    }
    assert required <= set(catalogue.ids)
    assert catalogue.get("mql_sal_acceptance").alert.threshold == 0.5  # type: ignore[union-attr]
    assert catalogue.get("lvr").params.milestone == "mql"


def test_every_kind_has_a_computation_and_a_parameter_model() -> None:
    assert set(KINDS) == set(PARAMS_BY_KIND)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_kpi(kind="magic"), "company.yaml: kpis[0].kind: unknown kind 'magic'"),
        (
            _kpi(params={"milestone": "hot_lead"}),
            "company.yaml: kpis[0].params.milestone: unknown milestone 'hot_lead'",
        ),
        (_kpi(name={"de": "MQLs"}), "kpis[0].name.en"),
        (_kpi(unit="furlongs"), "kpis[0].unit"),
        (_kpi(dimensions=["colour"]), "kpis[0].dimensions: unknown dimension 'colour'"),
        (
            _kpi(alert={"rule": "below_threshold"}),
            "kpis[0].alert.threshold: below_threshold needs a threshold",
        ),
        (
            _kpi(
                kind="step_rate",
                unit="ratio",
                params={"source": "mql", "target": "sal", "rejected": "disqualified"},
                alert={"rule": "below_threshold", "threshold": 50},
            ),
            "kpis[0].alert.threshold: a ratio threshold lies in 0..1",
        ),
        (
            _kpi(alert={"rule": "negative_streak"}),
            "kpis[0].alert.rule: negative_streak needs a growth KPI",
        ),
        (
            _kpi(kind="win_probability", params={}, grain="month"),
            "kpis[0].grain: kind 'win_probability' is measured over all time",
        ),
    ],
)
def test_validation_errors_name_file_and_field(entry: dict[str, Any], message: str) -> None:
    text = _error({"kpis": [entry]})
    assert message in text
    assert text.startswith("company.yaml: ")


def test_duplicate_ids_are_reported_with_their_index() -> None:
    text = _error({"kpis": [_kpi(), _kpi()]})
    assert "company.yaml: kpis[1].id: duplicate KPI id 'mqls'" in text


def test_company_overrides_merge_fields_and_add_kpis(tmp_path: Path) -> None:
    company = tmp_path / "company.yaml"
    company.write_text(
        yaml.safe_dump(
            {
                "settings": {"maturity_days": 200},
                "kpis": [
                    {"id": "mql_sal_acceptance", "alert": {"threshold": 0.6}},
                    _kpi(id="sals", params={"milestone": "sal"}),
                ],
            }
        ),
        encoding="utf-8",
    )
    cat = load_catalogue(company)
    acceptance = cat.get("mql_sal_acceptance")
    assert acceptance.alert is not None
    assert acceptance.alert.threshold == 0.6
    assert acceptance.alert.min_count == 30  # untouched fields survive the merge
    assert cat.get("sals").params.milestone == "sal"
    assert cat.settings.maturity_days == 200
    assert cat.ids[-1] == "sals"


def test_errors_in_an_override_name_the_override_file(tmp_path: Path) -> None:
    company = tmp_path / "company.yaml"
    company.write_text(
        yaml.safe_dump({"kpis": [{"id": "lvr", "params": {"milestone": "nope"}}]}),
        encoding="utf-8",
    )
    with pytest.raises(MetricCatalogueError) as info:
        load_catalogue(company)
    assert f"{company}: kpis[1].params.milestone: unknown milestone 'nope'" in str(info.value)


def test_unreadable_and_malformed_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(MetricCatalogueError, match=r"missing\.yaml: cannot read"):
        load_catalogue(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(MetricCatalogueError, match=r"bad\.yaml: expected a mapping"):
        load_catalogue(bad)


def test_docs_match_the_catalogue(catalogue: MetricCatalogue) -> None:
    expected = render_metrics_doc(catalogue)
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/metrics.md is out of date: run `python -m revintel.metrics docs/metrics.md`"
    )


def test_docs_describe_every_kpi_in_both_languages(catalogue: MetricCatalogue) -> None:
    text = render_metrics_doc(catalogue)
    for spec in catalogue.kpis:
        assert f"### `{spec.id}`" in text
        assert spec.definition.de in text
        assert spec.definition.en in text
    assert "two-proportion z-test" in text
