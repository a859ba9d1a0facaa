"""Service levels: the packaged file, the most specific override, and errors naming the file
and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.metrics._sla_levels import SlaConfigError, load_sla_levels


def test_the_packaged_levels_and_their_overrides() -> None:
    levels = load_sla_levels()
    assert levels.default.accept_hours == 48 and levels.default.first_contact_hours == 24
    assert "follow_up_call" in levels.contact_kinds and levels.alert_threshold == 0.8
    assert levels.hours("accept", "Enterprise", "search") == 24.0
    assert levels.hours("first_contact", "Mittelstand", "trade_fair") == 48.0
    assert levels.hours("first_contact", "Mittelstand", "search") == 24.0
    # Enterprise and trade_fair are equally specific: the first listed wins
    assert levels.hours("first_contact", "Enterprise", "trade_fair") == 8.0
    # an override of the other level leaves this one at the default
    assert levels.hours("accept", "Mittelstand", "referral") == 48.0


def test_segment_and_channel_together_beat_either_alone(tmp_path: Path) -> None:
    path = tmp_path / "sla.yaml"
    path.write_text(
        "contact_kinds: [call]\n"
        "default: {accept_hours: 10, first_contact_hours: 5}\n"
        "overrides:\n"
        "  - {segment: A, first_contact_hours: 2}\n"
        "  - {segment: A, channel: web, first_contact_hours: 1}\n"
        "  - {channel: web, first_contact_hours: 3}\n",
        encoding="utf-8",
    )
    levels = load_sla_levels(path)
    assert levels.hours("first_contact", "A", "web") == 1.0
    assert levels.hours("first_contact", "A", "mail") == 2.0
    assert levels.hours("first_contact", "B", "web") == 3.0
    assert levels.hours("accept", "A", "web") == 10.0


def test_errors_name_the_file_and_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "contact_kinds: [call]\n"
        "default: {accept_hours: -1, first_contact_hours: 5}\n"
        "overrides: [{accept_hours: 3}]\n",
        encoding="utf-8",
    )
    with pytest.raises(SlaConfigError) as caught:
        load_sla_levels(path)
    message = str(caught.value)
    assert f"{path}: default.accept_hours:" in message
    assert f"{path}: overrides[0]:" in message and "segment or a channel" in message
    with pytest.raises(SlaConfigError, match="cannot read"):
        load_sla_levels(tmp_path / "missing.yaml")


def test_a_company_file_named_in_the_environment_serves_every_surface(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "unsere-sla.yaml"
    path.write_text(
        "contact_kinds: [call]\ndefault: {accept_hours: 12, first_contact_hours: 4}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("REVINTEL_SLA", str(path))
    assert load_sla_levels().default.accept_hours == 12
    # The KPIs read the levels the same way.
    from revintel.metrics._sla_kpis import load_sla_levels as kpi_levels

    assert kpi_levels().hours("first_contact", "Enterprise", "search") == 4.0
    monkeypatch.setenv("REVINTEL_SLA", str(tmp_path / "fehlt.yaml"))
    with pytest.raises(SlaConfigError, match=r"fehlt\.yaml"):
        load_sla_levels()


def test_rejection_reasons_of_a_company_file_named_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from revintel.alignment._handover_reasons import load_reasons

    path = tmp_path / "gruende.yaml"
    path.write_text(
        "reasons:\n  - id: zu_klein\n    label: {de: Zu klein, en: Too small}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("REVINTEL_HANDOVER_REASONS", str(path))
    assert [r.id for r in load_reasons()] == ["zu_klein"]
    monkeypatch.delenv("REVINTEL_HANDOVER_REASONS")
    assert len(load_reasons()) == 7
