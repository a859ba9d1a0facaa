"""Parameters of the bulk export: which entity, in which file format, with which delimiter."""

from __future__ import annotations

from enum import StrEnum


class ExportEntity(StrEnum):
    """An entity that ``/api/v1/export/{entity}`` writes (one store table each)."""

    leads = "leads"
    opportunities = "opportunities"
    milestones = "milestones"
    touchpoints = "touchpoints"
    accounts = "accounts"
    orders = "orders"
    scores = "scores"


class ExportFormat(StrEnum):
    """File format of an export."""

    csv = "csv"
    parquet = "parquet"


class Delimiter(StrEnum):
    """Field separator of a CSV export: a comma, or a semicolon as German Excel expects."""

    comma = "comma"
    semicolon = "semicolon"
