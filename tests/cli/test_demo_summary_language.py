"""The demo's closing summary speaks the language of ``--lang``: every panel, table and note."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

import revintel.cli  # noqa: F401 -- registers the summary sections
from revintel.cli._locale import choose_language, reset_language
from revintel.cli._summary import SUMMARY_SECTIONS
from revintel.i18n import Translator
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

#: Words of the English summary that must not appear in the German one.
ENGLISH = (
    "as of", "alert(s)", "and by source", "credit rows", "Most value at stake", "customers as of",
    "Open deals are scored", "out of time", "out-of-time", "falling back", "windows chosen",
    "beats every baseline", "training rows", "Marketing ROI per channel", "No price model",
    "no churn warning", "Churn warning trained", "scored at their MQL", "Lift top decile",
    "Won deals", "Value at stake", "stage history dated",
)  # fmt: skip


@pytest.fixture(scope="module")
def german_summary(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    path = Path(tmp_path_factory.mktemp("summary")) / "small.duckdb"
    config = SynthConfig(
        seed=42, leads=2_000, accounts=200, years=5, start=date(2020, 1, 1), reps=8
    )
    t = Translator("de")
    panels = {}
    with open_store(path) as store:
        write_demo_company(store, config)
        choose_language("de")
        try:
            for title, section in SUMMARY_SECTIONS:
                console = Console(record=True, width=140)
                console.print(section(store))
                panels[t(title)] = console.export_text()
        finally:
            reset_language()
    yield panels


def test_every_panel_title_is_german(german_summary: dict[str, str]) -> None:
    assert list(german_summary) == [
        "Speicher", "Datenqualität", "Trichter und Warnungen", "Prognose Auftragseingang",
        "Lead-Scoring", "Deal-Scoring", "Kunden", "Attribution", "Preise",
    ]  # fmt: skip


def test_no_english_sentence_or_header_in_the_german_summary(
    german_summary: dict[str, str],
) -> None:
    text = "\n".join(german_summary.values())
    found = [phrase for phrase in ENGLISH if phrase.lower() in text.lower()]
    assert not found, found
    # the German words and formats are there instead
    assert "Warnung(en):" in german_summary["Trichter und Warnungen"]
    assert re.search(r"Trichter, Stand \d\d\.\d\d\.\d{4}", german_summary["Trichter und Warnungen"])
    assert "gesamt und je Quelle" in german_summary["Prognose Auftragseingang"]
    assert "AUC auf späteren Daten 0," in german_summary["Lead-Scoring"]
    deals = german_summary["Deal-Scoring"]
    assert "Lift oberstes Dezil" in deals and "Validierung" in deals and "Horizont" in deals
    assert "Gefährdeter Wert" in german_summary["Kunden"]
    assert "Zuschreibungszeilen gespeichert" in german_summary["Attribution"]
    assert "100,0 %" in german_summary["Datenqualität"]
