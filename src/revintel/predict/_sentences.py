"""Sentences of the training code in English and German.

A :class:`Sentence` is the English text (so it prints, compares and joins like any string) and
carries its German wording in ``de``; the command line shows the one of the user's language.
"""

from __future__ import annotations

from datetime import datetime


class Sentence(str):
    """English text with its German wording in :attr:`de`."""

    de: str

    def __new__(cls, en: str, de: str) -> Sentence:
        made = super().__new__(cls, en)
        made.de = de
        return made

    def in_language(self, lang: str) -> str:
        """The wording in ``lang`` (``de`` or ``en``)."""
        return self.de if lang == "de" else str(self)


def german(text: str) -> str:
    """The German wording of ``text`` if it is a :class:`Sentence`, else ``text`` itself."""
    return text.de if isinstance(text, Sentence) else text


def count_de(value: int) -> str:
    """A whole number with German digit grouping: ``12.345``."""
    return f"{value:,}".replace(",", ".")


def day_de(value: datetime) -> str:
    """A day written the German way: ``31.12.2024``."""
    return f"{value:%d.%m.%Y}"
