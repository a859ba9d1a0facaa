from pathlib import Path

import pytest
import yaml

from revintel.model import FunnelDefinitionError, load_funnel
from revintel.model._funnel import DEFAULT_FUNNEL_PATH


def test_default_funnel_has_the_milestones_in_order() -> None:
    funnel = load_funnel()
    assert funnel.path_ids == (
        "mql",
        "sal",
        "sql",
        "opportunity_generated",
        "opportunity_specified",
        "offer_sent",
        "offer_discussed",
        "contract_negotiation",
    )
    assert funnel.outcome_ids("won") == ("won",)
    assert funnel.outcome_ids("lost") == ("lost",)
    assert funnel.outcome_ids("disqualified") == ("disqualified",)
    assert funnel.get("offer_sent").name("de") == "Angebot versendet"
    assert funnel.get("won").default_probability == 1.0


def test_stage_names_map_to_milestones_case_insensitively() -> None:
    funnel = load_funnel()
    assert funnel.map_stage("salesforce", "closed won") == "won"
    assert funnel.map_stage("hubspot", "contractsent") == "contract_negotiation"
    assert funnel.map_stage("maven", "Engaging") == "opportunity_specified"
    assert funnel.map_stage("salesforce", "No such stage") is None


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "funnel.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _default_data() -> dict:
    from importlib.resources import files

    return yaml.safe_load(files("revintel").joinpath(DEFAULT_FUNNEL_PATH).read_text("utf-8"))


def test_company_file_can_drop_and_rename_milestones(tmp_path: Path) -> None:
    data = _default_data()
    data["milestones"] = [m for m in data["milestones"] if m["id"] != "offer_discussed"]
    data["milestones"][0]["label"]["de"] = "Interessent"
    funnel = load_funnel(_write(tmp_path, data))
    assert "offer_discussed" not in funnel.ids
    assert funnel.get("mql").name("de") == "Interessent"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["milestones"][2].update(default_probability=1.5),
            "milestones[2].default_probability",
        ),
        (
            lambda d: d["milestones"][3].update(id="sal"),
            "milestones[3].id: duplicate milestone id 'sal'",
        ),
        (lambda d: d["milestones"][1]["label"].pop("de"), "milestones[1].label.de: Field required"),
        (lambda d: d["milestones"][0].update(colour="red"), "milestones[0].colour"),
        (
            lambda d: d["milestones"][8].update(outcome="lost"),
            "exactly one milestone needs outcome 'won'",
        ),
        (
            lambda d: d["milestones"][4].update(default_probability=0.01),
            "cannot fall as a deal advances",
        ),
        (lambda d: d["milestones"][0].update(entity="opportunity"), "milestones[1].entity"),
    ],
)
def test_invalid_files_name_file_and_field(tmp_path: Path, change, message: str) -> None:
    data = _default_data()
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(FunnelDefinitionError) as err:
        load_funnel(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_ambiguous_stage_name_is_rejected(tmp_path: Path) -> None:
    data = _default_data()
    data["milestones"][4]["source_names"]["salesforce"].append("Prospecting")
    with pytest.raises(FunnelDefinitionError, match=r"source_names.salesforce: 'Prospecting'"):
        load_funnel(_write(tmp_path, data))


def test_unreadable_and_non_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(FunnelDefinitionError, match="cannot read"):
        load_funnel(tmp_path / "missing.yaml")
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(FunnelDefinitionError, match="expected a mapping"):
        load_funnel(path)
