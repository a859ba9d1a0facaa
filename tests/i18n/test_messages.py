"""The message catalogue: complete in both languages, one owner per key, every used key in it."""

from __future__ import annotations

import doctest
import re
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest

from revintel.forecast import DIRECT, FORECAST_DIMENSIONS, NEW, OPEN, TOTAL
from revintel.i18n import (
    MESSAGE_MODULES,
    MESSAGES,
    DuplicateMessageError,
    Translator,
    load_messages,
    merge_messages,
)
from revintel.predict import TARGETS

SRC = Path(__file__).resolve().parents[2] / "src" / "revintel"
I18N = SRC / "i18n"

#: ``t("key")`` / ``t('key')`` with a literal key, in Python and in Jinja.
LITERAL_CALL = re.compile(r"""\bt\(\s*(["'])([^"'\\{}]+)\1\s*\)""")
#: ``t("prefix." ~ value)`` in Jinja or ``t(f"prefix.{value}")`` in Python: a family of keys.
PREFIX_CALL = re.compile(r"""\bt\(\s*f?(["'])([a-z_]+\.[^"'{]*)(?:\{|\1\s*~)""")
#: Files a key-shaped string may be a file name of, not a message.
FILE_SUFFIXES = ("csv", "html", "js", "css", "json", "xlsx", "png", "duckdb", "yaml", "txt", "pdf")


def _templates() -> list[Path]:
    return sorted(SRC.glob("**/templates/*.html"))


def _python_sources() -> list[Path]:
    return sorted(p for p in SRC.glob("**/*.py") if I18N not in p.parents)


def _literal_keys(paths: list[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        for match in LITERAL_CALL.finditer(path.read_text(encoding="utf-8")):
            yield path.relative_to(SRC).as_posix(), match.group(2)


def _key_prefixes(paths: list[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        for match in PREFIX_CALL.finditer(path.read_text(encoding="utf-8")):
            yield path.relative_to(SRC).as_posix(), match.group(2)


def _key_shaped_literals(paths: list[Path]) -> Iterator[tuple[str, str]]:
    """String literals of the surfaces that look like a message key, e.g. a section title that a
    template translates with ``t(title)``."""
    namespaces = "|".join(sorted({key.split(".")[0] for key in MESSAGES if "." in key}))
    shaped = re.compile(rf"""["']((?:{namespaces})\.[a-z0-9_.-]*[a-z0-9_])["']""")
    for path in paths:
        for match in shaped.finditer(path.read_text(encoding="utf-8")):
            key = match.group(1)
            if key.rsplit(".", 1)[-1] not in FILE_SUFFIXES:
                yield path.relative_to(SRC).as_posix(), key


def test_every_message_has_a_german_and_an_english_text() -> None:
    incomplete = [
        key
        for key, texts in MESSAGES.items()
        if len(texts) != 2 or not all(isinstance(x, str) and x.strip() for x in texts)
    ]
    assert incomplete == []


def test_each_message_module_owns_its_keys_and_the_catalogue_merges_them_all() -> None:
    per_module = [import_module(name).MESSAGES for name in MESSAGE_MODULES]
    assert all(per_module), "a message module is empty"
    assert sum(len(m) for m in per_module) == len(MESSAGES)
    assert load_messages() == MESSAGES


def test_a_key_defined_twice_fails_at_load_time_and_names_both_modules() -> None:
    with pytest.raises(DuplicateMessageError, match=r"'nav\.x'.*overview.*funnel"):
        merge_messages({"overview": {"nav.x": ("A", "A")}, "funnel": {"nav.x": ("B", "B")}})


def test_a_message_module_without_messages_is_refused() -> None:
    with pytest.raises(TypeError, match=r"revintel\.i18n\._format"):
        load_messages([*MESSAGE_MODULES, "revintel.i18n._format"])


def test_every_literal_key_of_templates_and_code_is_in_the_catalogue() -> None:
    used = [*_literal_keys(_templates()), *_literal_keys(_python_sources())]
    # the scan must see the pages' keys, or it would pass for the wrong reason
    assert len({key for _, key in used}) > 100
    assert [(where, key) for where, key in used if key not in MESSAGES] == []


def test_every_key_shaped_string_of_the_surfaces_is_in_the_catalogue() -> None:
    surfaces = [
        p
        for p in _python_sources()
        if p.parent.name in ("web", "report", "cli", "server") or p.name == "capabilities.py"
    ]
    found = list(_key_shaped_literals(surfaces + _templates()))
    assert ("web/_imports.py", "quality.completeness") in found
    if (SRC / "capabilities.py").exists():
        assert ("capabilities.py", "nav.leads") in found
    assert [(where, key) for where, key in found if key not in MESSAGES] == []


def test_every_family_of_composed_keys_has_members() -> None:
    prefixes = list(_key_prefixes(_templates() + _python_sources()))
    assert prefixes, "no composed keys found: the scan is broken"
    empty = [(w, p) for w, p in prefixes if not any(k.startswith(p) for k in MESSAGES)]
    assert empty == []


@pytest.mark.parametrize(
    "key",
    [
        *(f"forecast.source.{source}" for source in (OPEN, NEW, DIRECT, TOTAL)),
        *(f"forecast.dim.{dimension}" for dimension in FORECAST_DIMENSIONS),
        *(f"forecast.grain.{grain}" for grain in ("month", "quarter")),
        *(f"score.kind.{kind}" for kind in TARGETS),
        *(f"velocity.{chart}{part}" for chart in ("mqls-per-month", "lead-velocity-rate")
          for part in ("", ".value")),
        *(f"status.{status}" for status in ("open", "won", "lost", "converted", "disqualified")),
        *(f"error.{code}" for code in ("403", "404", "other")),
        *(f"unit.{unit}" for unit in ("days", "hours")),
    ],
)  # fmt: skip
def test_composed_keys_exist_for_every_value_they_are_composed_with(key: str) -> None:
    assert key in MESSAGES


def test_the_translator_speaks_both_languages_and_shows_an_unknown_key_as_itself() -> None:
    assert Translator("de")("nav.forecast") == "Prognose"
    assert Translator("en")("nav.forecast") == "Forecast"
    assert Translator("de")("no.such.key") == "no.such.key"
    assert Translator("de").percent(0.125) == "12,5\u00a0%"
    assert Translator("en").money(1234.56) == "€1,234.56"


@pytest.mark.parametrize("module", ["_catalogue", "_format", "_labels", "_translator"])
def test_the_examples_in_the_docstrings_hold(module: str) -> None:
    results = doctest.testmod(import_module(f"revintel.i18n.{module}"))
    assert results.attempted > 0
    assert results.failed == 0
