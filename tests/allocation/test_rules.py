"""The allocation rules file: the packaged defaults and errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.allocation import AllocationRulesError, parse_rules, read_rules

LEVELS = """
margin_rate: 0.25
service_levels:
  digital: {hours_per_week: 0, cost_per_hour: 0}
  inside: {hours_per_week: 0.5, cost_per_hour: 50}
"""


def test_the_packaged_rules_hold_the_documented_defaults() -> None:
    rules = read_rules()
    assert rules.level_names == ("digital", "inside", "field_light", "field")
    assert [lv.hours_per_week for lv in rules.service_levels.values()] == [0.0, 0.25, 1.0, 2.0]
    assert rules.margin_rate == 0.30
    assert rules.weeks_per_year == 46
    assert rules.continuity.switch_gain_percent == 20.0
    assert rules.continuity.switch_gain_eur == 5000.0
    assert [(r.name, r.at_least) for r in rules.minimum_coverage] == [
        ("high_potential", "inside"),
        ("enterprise", "field_light"),
    ]
    assert rules.territory.exceptions[0].team == "Key Account"
    assert rules.level_index("field") == 3


def test_a_minimal_file_takes_defaults_for_everything_else() -> None:
    rules = parse_rules(LEVELS)
    assert rules.level_names == ("digital", "inside")
    assert rules.territory.own_region_only and rules.territory.current_owner_exempt
    assert rules.minimum_coverage == ()
    assert rules.opportunities.hours_per_week == 1.0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("margin_rate: 1.5", "f.yaml: margin_rate: Input should be less than or equal to 1"),
        ("weeks_per_year: 0", "f.yaml: weeks_per_year: Input should be greater than 0"),
        ("colour: blue", "f.yaml: colour: Extra inputs are not permitted"),
        (
            "minimum_coverage: [{name: big, at_least: field, segment: Enterprise}]",
            "f.yaml: minimum_coverage[0].at_least: unknown service level 'field'; "
            "choose one of: digital, inside",
        ),
        (
            "minimum_coverage: [{name: big, at_least: inside}]",
            "f.yaml: minimum_coverage[0]: name potential_above, segment or both",
        ),
        (
            "territory: {exceptions: [{regions: [Nord]}]}",
            "f.yaml: territory.exceptions[0]: name either rep_id or team",
        ),
        (
            "territory: {exceptions: [{team: Key, regions: []}]}",
            "f.yaml: territory.exceptions[0].regions: Tuple should have at least 1 item",
        ),
        (
            "continuity: {switch_gain_percent: -5, switch_gain_eur: 0}",
            "f.yaml: continuity.switch_gain_percent: Input should be greater than or equal to 0",
        ),
    ],
)
def test_a_bad_key_is_named_with_the_file(extra: str, message: str) -> None:
    text = LEVELS.replace("margin_rate: 0.25\n", "") if extra.startswith("margin") else LEVELS
    with pytest.raises(AllocationRulesError) as caught:
        parse_rules(f"{text}\n{extra}\n", "f.yaml")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        (
            "{a: {hours_per_week: 1, cost_per_hour: 0}, b: {hours_per_week: 2, cost_per_hour: 0}}",
            "service_levels: the first level is the baseline and has 0 hours_per_week",
        ),
        (
            "{a: {hours_per_week: 0, cost_per_hour: 0}, b: {hours_per_week: 0, cost_per_hour: 0}}",
            "service_levels: hours_per_week must rise from one level to the next",
        ),
        ("{a: {hours_per_week: 0, cost_per_hour: 0}}", "service_levels: Dictionary should have"),
        (
            "{a: {hours_per_week: 0, cost_per_hour: 0}, b: {hours: 1, cost_per_hour: 0}}",
            "service_levels.b.hours_per_week: Field required",
        ),
    ],
)
def test_service_levels_must_start_at_zero_hours_and_rise(levels: str, message: str) -> None:
    with pytest.raises(AllocationRulesError, match=r"^f\.yaml: ") as caught:
        parse_rules(f"margin_rate: 0.3\nservice_levels: {levels}\n", "f.yaml")
    assert message in str(caught.value)


def test_a_company_file_is_read_by_path_and_its_errors_name_it(tmp_path: Path) -> None:
    good = tmp_path / "regeln.yaml"
    good.write_text(LEVELS, encoding="utf-8")
    assert read_rules(good).margin_rate == 0.25
    bad = tmp_path / "kaputt.yaml"
    bad.write_text("margin_rate: [0.3\n", encoding="utf-8")
    with pytest.raises(AllocationRulesError, match=r"kaputt\.yaml: not valid YAML"):
        read_rules(bad)
    with pytest.raises(AllocationRulesError, match=r"fehlt\.yaml: cannot read"):
        read_rules(tmp_path / "fehlt.yaml")
    listed = tmp_path / "liste.yaml"
    listed.write_text("- 1\n", encoding="utf-8")
    with pytest.raises(AllocationRulesError, match=r"liste\.yaml: expected a mapping"):
        read_rules(listed)
