"""Sections of the ``revintel demo`` summary: each capability adds one."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import RenderableType

from revintel.store import Store

SummarySection = Callable[[Store], RenderableType]

#: Sections in display order; capabilities append to it when their CLI module is imported.
SUMMARY_SECTIONS: list[tuple[str, SummarySection]] = []


def summary_section(title: str) -> Callable[[SummarySection], SummarySection]:
    """Register a function rendering one part of the demo summary under the message ``title``
    (a key of the command line's texts); it writes in the language of ``--lang``."""

    def register(func: SummarySection) -> SummarySection:
        SUMMARY_SECTIONS.append((title, func))
        return func

    return register


#: Called by ``revintel demo`` after the summary with the store location; the dashboard registers
#: itself here so the foundation does not import a surface it does not know.
DEMO_SERVERS: list[Callable[[str], None]] = []
