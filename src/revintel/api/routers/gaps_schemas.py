"""Response of ``/api/v1/kpis/gap``: why an analysis has nothing to show."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

#: The analyses whose emptiness the API explains.
Analysis = Literal["funnel", "kpis", "alerts", "forecast"]


class GapNote(BaseModel):
    """Why a result is empty, in one sentence in German and English."""

    code: str = Field(
        description="what is missing: no_leads, no_stage_history, no_mature_lead, "
        "no_rows_in_range, no_complete_period, short_history, no_alert, no_forecast_data, "
        "undated_history, no_forecast_basis, no_opportunities or no_open_pipeline",
        examples=["no_mature_lead"],
    )
    note_de: str
    note_en: str
    first: date | None = Field(default=None, description="first day of the data")
    last: date | None = Field(default=None, description="last day of the data")


class GapOut(BaseModel):
    """Whether an analysis is empty for the caller's rows, and if so why."""

    analysis: Analysis
    empty: bool
    note: GapNote | None = Field(default=None, description="set when `empty`")
