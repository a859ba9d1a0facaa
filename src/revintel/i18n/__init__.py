"""German and English for every surface: messages, labels of machine ids, and locale formats.

Pages, reports and the command line all translate through this package, so a text is written
once and reads the same everywhere.
"""

from revintel.i18n._catalogue import (
    MESSAGE_MODULES,
    MESSAGES,
    DuplicateMessageError,
    Texts,
    load_messages,
    merge_messages,
)
from revintel.i18n._format import (
    DATE_FORMATS,
    LANGUAGES,
    LOCALES,
    Language,
    format_date,
    format_money,
    format_money_compact,
    format_number,
    format_p_value,
    format_percent,
    language_or_default,
)
from revintel.i18n._labels import LABEL_KINDS, LabelKind, known_ids, label, label_texts
from revintel.i18n._translator import Translator

__all__ = [
    "DATE_FORMATS",
    "LABEL_KINDS",
    "LANGUAGES",
    "LOCALES",
    "MESSAGES",
    "MESSAGE_MODULES",
    "DuplicateMessageError",
    "LabelKind",
    "Language",
    "Texts",
    "Translator",
    "format_date",
    "format_money",
    "format_money_compact",
    "format_number",
    "format_p_value",
    "format_percent",
    "known_ids",
    "label",
    "label_texts",
    "language_or_default",
    "load_messages",
    "merge_messages",
]
