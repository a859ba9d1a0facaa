"""``--lang de|en`` on every command that prints analysis: German tables, German CSV for Excel,
JSON the same in both languages, and the default from REVINTEL_LANG or the locale."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from revintel.cli import app
from revintel.cli._common import OutputFormat, emit
from revintel.cli._locale import LANG_VARIABLE, choose_language, default_language, reset_language
from revintel.i18n._labels import CHANNELS
from revintel.model import load_funnel
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company

runner = CliRunner()
#: No language from the environment the tests run in: each test says what it wants.
NEUTRAL = {LANG_VARIABLE: None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}
WIDE = {**NEUTRAL, "COLUMNS": "220", "NO_COLOR": "1"}

#: Commands that print analysis; each must take --lang.
ANALYSIS_COMMANDS = (
    "kpi", "funnel", "alerts", "forecast", "forecast pipeline", "forecast probabilities",
    "forecast backtest", "score train", "score apply", "score report", "score explain",
    "customers", "crosssell", "pricing bands", "pricing positions", "pricing fit",
    "pricing guidance", "pricing response", "pricing waterfall", "pricing leakage",
    "pricing outliers", "pricing terms list", "attribution", "attribution compare",
    "attribution paths", "journey mix", "journey shares", "journey event",
    "journey before-sales", "journey content", "journey sequences", "campaign build",
    "campaign list", "campaign measure", "plan", "sla status", "sla breaches", "sla effect",
    "feedback reasons", "feedback mql-definition", "scorecard", "targets list",
    "targets history", "allocate", "allocate potential", "allocate reps", "allocate owners",
    "allocate portfolio", "allocate curve", "allocate coverage", "handover queue",
    "handover decisions", "quality", "import", "dedupe", "report", "info", "fx list",
)  # fmt: skip
#: Commands with --format that print no analysis (accounts of the dashboard).
NOT_ANALYSIS = ("users list",)


def _commands() -> Iterator[tuple[str, object]]:
    """Every command and every group that runs on its own, by its path."""

    def walk(command: object, path: tuple[str, ...]) -> Iterator[tuple[str, object]]:
        subcommands: dict[str, object] = getattr(command, "commands", {}) or {}
        if path and (not subcommands or _options(command)):
            yield " ".join(path), command
        for name, sub in subcommands.items():
            yield from walk(sub, (*path, name))

    yield from walk(typer.main.get_command(app), ())


def _options(command: object) -> dict[str, object]:
    return {o: p for p in getattr(command, "params", []) for o in getattr(p, "opts", [])}


def _run(*args: str, env: dict[str, str | None] | None = None) -> str:
    result = runner.invoke(app, list(args), env={**WIDE, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("lang") / "firma.duckdb")
    with open_store(path) as store:
        write_demo_company(store, SynthConfig(seed=5, leads=2_000, accounts=200, reps=4))
    return path


@pytest.fixture(scope="module")
def mqls_per_year(db: str) -> dict[int, int]:
    """MQLs per calendar year, counted from the milestone rows themselves."""
    with open_store(db, read_only=True) as store:
        events = store.table("milestones")
        rows = events.filter(events.milestone == "mql").select("occurred_at").execute()
    counts = rows["occurred_at"].dt.year.value_counts()
    return {int(year): int(n) for year, n in counts.items()}


def test_every_analysis_command_takes_the_same_lang_option() -> None:
    commands = dict(_commands())
    assert set(ANALYSIS_COMMANDS) <= set(commands), set(ANALYSIS_COMMANDS) - set(commands)
    missing = [name for name in ANALYSIS_COMMANDS if "--lang" not in _options(commands[name])]
    assert missing == []
    # a new command printing tables, JSON or CSV must take --lang too
    formatted = [n for n, c in commands.items() if "--format" in _options(c)]
    without = [n for n in formatted if "--lang" not in _options(commands[n])]
    assert without == list(NOT_ANALYSIS)
    # one option everywhere: the same help (default from REVINTEL_LANG and the locale)
    helps = {getattr(_options(commands[n])["--lang"], "help", "") for n in ANALYSIS_COMMANDS}
    assert len(helps) == 1 and "REVINTEL_LANG" in helps.pop()


def test_german_tables_have_german_numbers_labels_and_days(
    db: str, mqls_per_year: dict[int, int]
) -> None:
    total = sum(mqls_per_year.values())
    assert total >= 1_000  # so that the German table groups thousands
    table = _run("kpi", "mqls", "--grain", "all", "--db", db, "--lang", "de")
    assert "Kennzahl mqls" in table and "Wert" in table and "Zähler" in table
    assert f"{total:,}".replace(",", ".") in table
    assert f"{total:,}" not in table
    yearly = _run("kpi", "mqls", "lvr", "--grain", "year", "--db", db, "--lang", "de")
    for year, count in mqls_per_year.items():
        assert f"01.01.{year}" in yearly and str(count) in yearly
    before, year = sorted(mqls_per_year)[-2:]
    growth = mqls_per_year[year] / mqls_per_year[before] - 1  # the last year's LVR
    assert f"{growth * 100:.1f} %".replace(".", ",") in yearly
    assert "ja" in yearly and "yes" not in yearly
    rows = _run("kpi", "mqls", "--grain", "year", "--db", db, "--lang", "de", "-f", "csv")
    for year, count in mqls_per_year.items():  # days dd.mm.yyyy, values with a decimal comma
        assert f"\nmqls;01.01.{year};{count},0;{count};" in rows


def test_amounts_in_german_tables_carry_the_currency(capsys: pytest.CaptureFixture[str]) -> None:
    frame = pd.DataFrame({"team": ["Nord", "Süd"], "amount": [1234.56, 987654.321]})
    choose_language("de")
    try:
        emit(frame, OutputFormat.table, money=("amount",), currency="EUR")
    finally:
        reset_language()
    german = capsys.readouterr().out
    assert "1.234,56\xa0€" in german and "987.654,32\xa0€" in german and "Betrag" in german
    emit(frame, OutputFormat.table, money=("amount",), currency="EUR")
    assert "1,235" in capsys.readouterr().out  # English tables keep amounts compact


def test_german_tables_show_labels_not_the_ids_of_the_label_registry(db: str) -> None:
    table = _run("funnel", "--by", "channel", "--db", db, "--lang", "de")
    assert "Meilenstein" in table and "Erreicht" in table and "Stand 31.12.2024" in table
    assert "Kanal Außendienst" in table and "Kanal Messe" in table
    words = set(re.findall(r"[\w()]+", table))
    ids = [*CHANNELS, *(m.id for m in load_funnel().milestones)]
    assert [i for i in ids if i in words] == []
    assert "Vertriebsinnendienst" in words or "Suchmaschine" in words


def test_german_csv_opens_in_excel_and_reads_back_to_the_json_numbers(db: str) -> None:
    german = _run("funnel", "--lang", "de", "--format", "csv", "--db", db)
    english = _run("funnel", "--lang", "en", "--format", "csv", "--db", db)
    records = json.loads(_run("funnel", "--lang", "de", "--format", "json", "--db", db))
    assert german.startswith("\ufeffmilestone;label;reached;conversion;p_won;")
    assert not english.startswith("\ufeff") and english.startswith("milestone,label,reached,")
    first = german.splitlines()[1].split(";")
    assert first[0] == "mql" and "," in first[3] and "." not in first[3]  # decimal comma
    expected = pd.DataFrame(records)
    numbers = ["reached", "conversion", "p_won", "p_won_low", "p_won_high", "median_days"]
    for text, sep, decimal in ((german, ";", ","), (english, ",", ".")):
        frame = pd.read_csv(io.BytesIO(text.encode("utf-8")), sep=sep, decimal=decimal,
                            encoding="utf-8-sig")  # fmt: skip
        assert list(frame.columns) == list(expected.columns)
        assert list(frame["milestone"]) == list(expected["milestone"])
        pd.testing.assert_frame_equal(frame[numbers], expected[numbers], check_dtype=False)


@pytest.mark.parametrize(
    "args", [("funnel",), ("kpi", "mqls", "lvr", "--grain", "year"), ("targets", "list")]
)
def test_json_is_the_same_in_both_languages(db: str, args: tuple[str, ...]) -> None:
    german = _run(*args, "--db", db, "--format", "json", "--lang", "de")
    english = _run(*args, "--db", db, "--format", "json", "--lang", "en")
    assert json.loads(german) and german == english


def test_the_language_defaults_to_revintel_lang_then_the_locale(db: str) -> None:
    command = ("kpi", "mqls", "--grain", "all", "--db", db)
    assert "Kennzahl mqls" in _run(*command, env={LANG_VARIABLE: "de"})
    assert "Kennzahl mqls" in _run(*command, env={"LANG": "de_DE.UTF-8"})
    assert "kpi mqls" in _run(*command, env={"LANG": "C.UTF-8"})
    assert "kpi mqls" in _run(*command, env={LANG_VARIABLE: "en", "LC_ALL": "de_DE.UTF-8"})
    assert "kpi mqls" in _run(*command, "--lang", "en", env={LANG_VARIABLE: "de"})
    csv_text = _run(*command, "--format", "csv", env={"LC_ALL": "de_AT.UTF-8"})
    assert csv_text.startswith("\ufeffkpi;period;value;")
    wrong = runner.invoke(app, list(command), env={**WIDE, LANG_VARIABLE: "fr"})
    assert wrong.exit_code != 0 and "REVINTEL_LANG='fr': use de or en" in wrong.output
    wrong = runner.invoke(app, [*command, "--lang", "fr"], env=WIDE)
    assert wrong.exit_code != 0 and "'fr': use de or en" in wrong.output
    assert default_language({"LC_MESSAGES": "de_CH", "LANG": "en_US"}) == "de"


def test_a_command_without_lang_after_a_german_one_writes_english(db: str) -> None:
    assert _run("kpi", "mqls", "--db", db, "--lang", "de", "--format", "csv").startswith("\ufeff")
    users = _run("users", "list", "--db", db, "--format", "csv", env={LANG_VARIABLE: "de"})
    assert users.startswith("username,display_name,role")


#: Commands whose rows hold texts for readers, and the column of those texts: JSON carries
#: them in both languages (``reason_de``, ``reason_en``), the same bytes for either --lang.
READER_TEXTS = (
    (("alerts",), "reason"),
    (("customers",), "churn_reasons"),
    (("crosssell", "--top", "2"), "reason"),
    (("pricing", "bands"), "segment"),
)


def _csv_rows(text: str, lang: str) -> pd.DataFrame:
    sep = ";" if lang == "de" else ","
    return pd.read_csv(io.StringIO(text.removeprefix("\ufeff")), sep=sep, dtype=str,
                       keep_default_na=False)  # fmt: skip


@pytest.fixture(scope="module")
def reader_json(db: str) -> dict[tuple[str, ...], tuple[str, str]]:
    """The JSON of each command of ``READER_TEXTS`` with --lang de and with --lang en."""

    def both(args: tuple[str, ...]) -> tuple[str, str]:
        german, english = (_run(*args, "--db", db, "-f", "json", "--lang", x) for x in ("de", "en"))
        return german, english

    return {args: both(args) for args, _ in READER_TEXTS}


@pytest.mark.parametrize(("args", "column"), READER_TEXTS)
def test_json_carries_texts_for_readers_in_both_languages_whatever_lang_says(
    db: str,
    reader_json: dict[tuple[str, ...], tuple[str, str]],
    args: tuple[str, ...],
    column: str,
) -> None:
    german, english = reader_json[args]
    rows = json.loads(german)
    assert rows and german == english
    assert column not in rows[0] and list(rows[0]).count(f"{column}_de") == 1
    # the German texts are those the German CSV writes, where the column stands
    frame = _csv_rows(_run(*args, "--db", db, "--format", "csv", "--lang", "de"), "de")
    assert list(frame[column]) == [r[f"{column}_de"] or "" for r in rows]
    english_texts = [r[f"{column}_en"] for r in rows if r[f"{column}_en"]]
    assert all(r[f"{column}_de"] for r in rows if r[f"{column}_en"])
    if column != "segment":  # a band's segment may read the same (Region West)
        assert all(r[f"{column}_de"] != r[f"{column}_en"] for r in rows if r[f"{column}_en"])
    assert len(english_texts) == len(rows) or column == "churn_reasons"  # no churn model here


@pytest.fixture(scope="module")
def last_order_day(db: str) -> str:
    """The day of the latest order, as German writes it (the customer commands' default)."""
    with open_store(db, read_only=True) as store:
        latest = pd.Timestamp(store.table("orders").ordered_at.max().execute())
    return f"{latest:%d.%m.%Y}"


def test_german_titles_and_sentences_around_the_tables(
    db: str, reader_json: dict[tuple[str, ...], tuple[str, str]], last_order_day: str
) -> None:
    german = {args: json.loads(texts[0]) for args, texts in reader_json.items()}
    alerts = _run("alerts", "--db", db, "--lang", "de")
    assert f"{len(german[('alerts',)])} Warnung(en) · Stand 31.12.2024" in alerts
    # the reasons in German words and numbers: a share with a decimal comma
    assert re.search(r"\d,\d %", alerts) and " alert(s)" not in alerts
    assert german[("alerts",)][0]["reason_de"][:40] in alerts
    customers = _run("customers", "--db", db, "--lang", "de")
    assert f"Kunden, Stand {last_order_day}, nächste 90 Tage" in customers
    assert "Customers as of" not in customers
    crosssell = _run("crosssell", "--top", "2", "--db", db, "--lang", "de")
    assert f"Nächstbeste Produkte, Stand {last_order_day}" in crosssell
    assert all(r["reason_de"] in crosssell for r in german[("crosssell", "--top", "2")])
    won = sum(r["won_deals"] for r in german[("pricing", "bands")])
    bands = _run("pricing", "bands", "--db", db, "--lang", "de")
    assert f"Preisbänder je Segment aus {won} gewonnenen Deals" in bands
    segments = [r["segment_de"] for r in german[("pricing", "bands")]]
    assert all(s in bands for s in segments)
    # further commands with titles and summary lines of their own
    batches = json.loads(_run("import", "list", "--db", db, "-f", "json"))
    imports = _run("import", "list", "--db", db, "--lang", "de")
    assert "Importe, neueste zuerst" in imports and "imports, newest first" not in imports
    read = sum(b["read"] for b in batches)
    assert f"{read:,}".replace(",", ".") in imports
    quality = _run("quality", "--db", db, "--lang", "de")
    assert "Vollständigkeit je Feld" in quality and "completeness per field" not in quality
    pipeline = _run("forecast", "pipeline", "--db", db, "--lang", "de")
    assert "Gewichtete Pipeline, Stand 31.12.2024" in pipeline
    assert _run("targets", "list", "--db", db, "--lang", "de").startswith("Ziele\n")
    funnel = _run("funnel", "--db", db, "--lang", "de")
    assert funnel.startswith("Trichter · Übersicht · Stand 31.12.2024")
    info = _run("info", "--db", db, "--lang", "de")
    assert "Schemaversion" in info and "Zeitzone Europe/Berlin · Währung EUR" in info
