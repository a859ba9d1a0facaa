"""The language a command writes in, and its cells, headers and CSV written that way.

``--lang de|en`` chooses it; without the option ``REVINTEL_LANG`` does, then the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``: German when it starts with ``de``), else English. The
choice holds for one command: tables take German headers, labels for the ids of the label
registry, ``1.234,5``, ``12,5 %`` and ``dd.mm.yyyy``; CSV takes semicolons, decimal commas and a
byte order mark (as Excel in Germany opens it). JSON is the same in every language: keys, ids
and plain numbers, and the texts written for a reader that a command puts into its rows (an
alert's or a score's reason, a price band's segment) in both languages, as ``reason_de`` and
``reason_en``. Titles and sentences around the tables come from the message catalogue
(``revintel.i18n.messages.cli``).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

import pandas as pd
import typer

from revintel._frames import json_records, json_value
from revintel.i18n import (
    LANGUAGES,
    MESSAGES,
    LabelKind,
    Language,
    format_money,
    label,
    label_texts,
)

#: Environment variable naming the default language of the command line.
LANG_VARIABLE = "REVINTEL_LANG"
#: Locale variables, the one that decides first.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
#: Prefix of the message keys of column headers (``column.reached``).
COLUMN_KEY = "column."

#: Columns whose values are ids of the label registry, and the kind of id they hold.
LABELLED_COLUMNS: Mapping[str, LabelKind] = {
    "channel": "channel",
    "first_channel": "channel",
    "last_channel": "channel",
    "milestone": "milestone",
    "from_milestone": "milestone",
    "to_milestone": "milestone",
    "touchpoint_kind": "touchpoint_kind",
    "content": "content",
    "campaign_kind": "campaign_kind",
    "lead_status": "lead_status",
    "opportunity_status": "opportunity_status",
    "quote_status": "quote_status",
    "role": "role",
    "decision": "decision",
    "rejection_reason": "rejection_reason",
    "dimension": "dimension",
    "unit": "unit",
}
#: Kinds of status a ``status`` column may hold.
STATUS_KINDS: tuple[LabelKind, ...] = (
    "import_status",
    "opportunity_status",
    "lead_status",
    "quote_status",
)
#: Columns whose values have messages of their own: column → prefix of the message key.
MESSAGE_COLUMNS: Mapping[str, str] = {
    "source": "forecast.source.",
    "grain": "forecast.grain.",
    "measure": "targets.measure.",
}
#: A text cell holding an ISO day (``2024-12-31``), optionally with a time.
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?)?$")
_SWAP = str.maketrans(",.", ".,")


def german_number(text: str) -> str:
    """A number written in English (``1,234.5``, ``1.85M``) with German separators.

    Examples
    --------
    >>> german_number("1,234.5"), german_number("1.85M"), german_number("12.5 %")
    ('1.234,5', '1,85M', '12,5 %')
    """
    return text.translate(_SWAP)


def share_text(value: float | None, lang: Language, digits: int = 1) -> str:
    """A share as a percentage with a space before the sign (``12,5 %``); empty when missing.

    Examples
    --------
    >>> share_text(0.125, "de"), share_text(0.125, "en"), share_text(float("nan"), "de")
    ('12,5 %', '12.5 %', '')
    """
    if value is None or pd.isna(value):
        return ""
    text = f"{value * 100:.{digits}f} %"
    return german_number(text) if lang == "de" else text


# The language of the running command: set by the --lang option as the command line is parsed,
# so that every table and CSV of the command follows it without each call passing it on; the
# root callback resets it before each command.
_chosen: dict[str, Language] = {"lang": "en"}


def default_language(environ: Mapping[str, str] | None = None) -> Language:
    """The language without ``--lang``: ``REVINTEL_LANG``, else the locale, else English.

    Raises
    ------
    typer.BadParameter
        ``REVINTEL_LANG`` is set to something other than ``de`` or ``en``.

    Examples
    --------
    >>> default_language({"LANG": "de_DE.UTF-8"}), default_language({"LANG": "C.UTF-8"})
    ('de', 'en')
    >>> default_language({"REVINTEL_LANG": "en", "LC_ALL": "de_AT.UTF-8"})
    'en'
    """
    env = os.environ if environ is None else environ
    chosen = env.get(LANG_VARIABLE, "").strip()
    if chosen:
        if chosen not in LANGUAGES:
            raise typer.BadParameter(
                f"{LANG_VARIABLE}={chosen!r}: use de or en", param_hint="--lang"
            )
        return "de" if chosen == "de" else "en"
    # The first locale variable that is set decides, as for every POSIX program.
    locale = next((env[v] for v in LOCALE_VARIABLES if env.get(v)), "")
    return "de" if locale.lower().startswith("de") else "en"


def resolve_language(value: str | None) -> Language:
    """The language named by ``--lang`` (its default when ``None``).

    Raises
    ------
    typer.BadParameter
        ``value`` is neither ``de`` nor ``en``.
    """
    if value is None:
        return default_language()
    if value not in LANGUAGES:
        raise typer.BadParameter(f"{value!r}: use de or en", param_hint="--lang")
    return "de" if value == "de" else "en"


def choose_language(value: str | None) -> Language:
    """Resolve ``--lang`` and make it the language of this command's output."""
    chosen = resolve_language(value)
    _chosen["lang"] = chosen
    return chosen


def output_language() -> Language:
    """The language the running command writes tables and CSV in."""
    return _chosen["lang"]


def reset_language() -> None:
    """Back to English, before each command (one that has no ``--lang`` writes English)."""
    _chosen["lang"] = "en"


LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of labels, numbers and dates: de or en (default: $REVINTEL_LANG, else "
        "the locale's language, else en). German CSV has semicolons, decimal commas and a BOM.",
        callback=choose_language,
        show_default=False,
    ),
]


def column_header(name: str, lang: Language) -> str:
    """The header of column ``name``: its ``column.NAME`` message, else the name spelled out.

    Examples
    --------
    >>> column_header("reached", "de"), column_header("my_field", "de")
    ('Erreicht', 'my field')
    """
    texts = MESSAGES.get(COLUMN_KEY + name) if lang == "de" else None
    return texts[0] if texts else name.replace("_", " ")


def german_text(text: str) -> str:
    """A text cell as German writes it: ISO days as ``dd.mm.yyyy``, yes/no as ja/nein; other
    text unchanged (numbers written as text are the command's to write in the language).

    Examples
    --------
    >>> [german_text(t) for t in ("2024-12-31T00:00:00", "2024-12-31T08:15:02.5", "no", "O1")]
    ['31.12.2024', '31.12.2024 08:15', 'nein', 'O1']
    """
    day = _ISO_DAY.match(text)
    if day:
        year, month, dom, time = day.groups()
        return f"{dom}.{month}.{year}" + (f" {time}" if time and time != "00:00" else "")
    return {"yes": "ja", "no": "nein"}.get(text, text)


def labelled_value(column: str, value: Any, lang: Language) -> Any:
    """``value`` of ``column`` in words of ``lang`` when the column holds registry ids; steps
    ``a->b`` get each milestone's label."""
    if lang != "de" or not isinstance(value, str):
        return value
    kind = LABELLED_COLUMNS.get(column)
    if kind is not None:
        return label(kind, value, lang)
    if column == "status":  # of an import, a deal, a lead or a quote: the first that knows it
        for status in STATUS_KINDS:
            texts = label_texts(status, value)
            if texts is not None:
                return texts[0]
    prefix = MESSAGE_COLUMNS.get(column)
    texts = MESSAGES.get(f"{prefix}{value}") if prefix else None
    if texts is not None:
        return texts[0]
    if column == "step" and "->" in value:
        return " → ".join(label("milestone", part.strip(), lang) for part in value.split("->"))
    return value


def money_text(value: Any, lang: Language, currency: str | None) -> str:
    """An amount with its currency sign as ``lang`` writes it (``1.234,56 €``)."""
    value = json_value(value)
    if value is None or isinstance(value, str):
        return "" if value is None else str(value)
    return format_money(float(value), lang, currency)


def _csv_cell(value: Any, lang: Language) -> Any:
    if value is None:
        return ""
    if lang != "de" or isinstance(value, bool):  # True/False as in the dashboard's CSV
        return value
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value).replace(".", ",")
    if isinstance(value, str) and _ISO_DAY.match(value):
        return german_text(value)
    return value


def csv_text(frame: pd.DataFrame, lang: Language) -> str:
    """``frame`` as CSV with its column names as header: in German with a byte order mark,
    semicolons, decimal commas and ``dd.mm.yyyy`` (as Excel in Germany opens it), in English
    with commas, decimal points and ISO days. Values keep their full precision.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a"], "share": [0.25], "n": [1200]})
    >>> csv_text(frame, "de") == "\\ufeffid;share;n\\na;0,25;1200\\n"
    True
    >>> csv_text(frame, "en")
    'id,share,n\\na,0.25,1200\\n'
    """
    german = lang == "de"
    buffer = io.StringIO()
    if german:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";" if german else ",", lineterminator="\n")
    writer.writerow([str(c) for c in frame.columns])
    for record in json_records(frame):
        writer.writerow([_csv_cell(v, lang) for v in record.values()])
    return buffer.getvalue()


def day_text(value: date | datetime, lang: Language) -> str:
    """A day (with its time when not midnight) as ``lang`` writes it in a table."""
    midnight = not isinstance(value, datetime) or value.hour == value.minute == value.second == 0
    if lang == "de":
        return f"{value:%d.%m.%Y}" if midnight else f"{value:%d.%m.%Y %H:%M}"
    return f"{value:%Y-%m-%d}" if midnight else f"{value:%Y-%m-%d %H:%M}"
