"""Labels of machine ids: every id the demo company and the funnel produce reads as words."""

from __future__ import annotations

from functools import cache
from typing import get_args

import pyarrow.compute as pc
import pytest

from revintel.auth import Role
from revintel.i18n import LABEL_KINDS, LabelKind, label, label_texts
from revintel.metrics import DIMENSIONS as KPI_DIMENSIONS
from revintel.model import load_funnel, parse_funnel
from revintel.synth import SynthConfig, generate

#: (table, column) of the demo company → the kind of id stored there.
GENERATED_IDS: dict[tuple[str, str], LabelKind] = {
    ("leads", "channel"): "channel",
    ("leads", "status"): "lead_status",
    ("touchpoints", "channel"): "channel",
    ("touchpoints", "kind"): "touchpoint_kind",
    ("campaigns", "kind"): "campaign_kind",
    ("opportunities", "status"): "opportunity_status",
    ("opportunities", "stage"): "milestone",
    ("milestones", "milestone"): "milestone",
    ("quotes", "status"): "quote_status",
}


@cache
def _generated_ids() -> dict[LabelKind, set[str]]:
    tables = generate(SynthConfig(leads=3_000, accounts=300, reps=8)).tables
    ids: dict[LabelKind, set[str]] = {}
    for (table, column), kind in GENERATED_IDS.items():
        values = pc.unique(tables[table][column]).drop_null().to_pylist()
        ids.setdefault(kind, set()).update(values)
    return ids


def _unlabelled(kind: LabelKind, values: set[str]) -> list[str]:
    missing = []
    for value in sorted(values):
        texts = label_texts(kind, value)
        if texts is None or not all(text.strip() for text in texts):
            missing.append(value)
    return missing


@pytest.mark.parametrize("kind", sorted(set(GENERATED_IDS.values())))
def test_every_id_the_demo_company_produces_has_a_german_and_an_english_label(
    kind: LabelKind,
) -> None:
    values = _generated_ids()[kind]
    assert values, f"the demo company produced no {kind}"
    assert _unlabelled(kind, values) == []


def test_every_milestone_of_the_funnel_is_labelled_as_the_funnel_names_it() -> None:
    funnel = load_funnel()
    for milestone in funnel.milestones:
        assert label("milestone", milestone.id, "de") == milestone.label.de
        assert label("milestone", milestone.id, "en") == milestone.label.en
    assert label("milestone", "contract_negotiation", "de") != "contract_negotiation"


def test_a_companys_own_funnel_labels_its_own_stages() -> None:
    own = parse_funnel(
        {
            "milestones": [
                {
                    "id": "erstkontakt",
                    "entity": "lead",
                    "label": {"de": "Erstkontakt", "en": "First contact"},
                    "default_probability": 0.1,
                },
                {
                    "id": "won",
                    "entity": "opportunity",
                    "label": {"de": "Gewonnen", "en": "Won"},
                    "default_probability": 1.0,
                    "outcome": "won",
                },
                {
                    "id": "lost",
                    "entity": "opportunity",
                    "label": {"de": "Verloren", "en": "Lost"},
                    "default_probability": 0.0,
                    "outcome": "lost",
                },
            ]
        },
        "own funnel",
    )
    assert label("milestone", "erstkontakt", "en", funnel=own) == "First contact"


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("role", [role.value for role in Role]),
        ("dimension", list(KPI_DIMENSIONS)),
        ("unit", ["count", "ratio", "days", "hours", "currency", "currency_per_day"]),
        ("import_status", ["committed", "failed"]),
        ("opportunity_status", ["open", "won", "lost"]),
        ("decision", ["accepted", "rejected"]),
    ],
)
def test_every_id_of_the_closed_lists_has_both_labels(kind: LabelKind, values: list[str]) -> None:
    assert _unlabelled(kind, set(values)) == []


@pytest.mark.parametrize(
    ("reason", "german", "english"),
    [
        ("missing source id", "Quell-ID fehlt", "Source id missing"),
        ("duplicate source id", "Quell-ID mehrfach vergeben", "Source id used more than once"),
        ("negative amount", "Negativer Betrag", "Negative amount"),
        ("closed before created", "Abgeschlossen vor der Anlage", "Closed before it was created"),
        ("date in the future", "Datum in der Zukunft", "Date in the future"),
        ("unknown stage", "Unbekannte Phase", "Unknown stage"),
        ("not a number", "Keine Zahl", "Not a number"),
        ("not yes or no", "Weder ja noch nein", "Neither yes nor no"),
        ("missing created_at", "Pflichtfeld fehlt: created_at", "Missing created_at"),
        (
            "unknown account",
            "Verweis auf unbekannte Zeile: account",
            "Reference to an unknown account",
        ),
        ("not a date (dd.mm.yyyy)", "Kein Datum (dd.mm.yyyy)", "Not a date (dd.mm.yyyy)"),
        (
            "expected 7 fields, found 5",
            "7 Felder erwartet, 5 gefunden",
            "7 fields expected, 5 found",
        ),
    ],
)
def test_rejection_reasons_read_as_sentences(reason: str, german: str, english: str) -> None:
    assert label("rejection_reason", reason, "de") == german
    assert label("rejection_reason", reason, "en") == english


def test_an_unknown_id_shows_as_itself_and_an_unknown_kind_is_refused() -> None:
    assert label("channel", "Messe Hannover 2024", "de") == "Messe Hannover 2024"
    assert label("channel", None, "de") == ""
    with pytest.raises(ValueError, match="unknown kind of label 'colour'"):
        label("colour", "red", "de")  # type: ignore[arg-type]


def test_the_kinds_listed_are_the_kinds_accepted() -> None:
    assert set(LABEL_KINDS) == set(get_args(LabelKind))
    for kind in LABEL_KINDS:
        assert label(kind, "an id nobody uses", "en") == "an id nobody uses"
