"""Value contribution of marketing and sales activities, and the digital buying journey.

Journeys (the touchpoints of a lead, deal or account up to a funnel milestone) are attributed to
channels by rule-based models (first and last touch, linear, time decay, U-, W- and full-path
shapes) and data-driven ones (Markov chains with exact removal effects, Shapley values of a
fitted conversion model). Beside them: how buyers use digital channels — channel mix, digital,
self-service and mobile shares, the share of a journey completed before the first sales contact,
content per buying phase and the sequences that convert or stall.
"""

from __future__ import annotations

from revintel.attribution._before_sales import DEFAULT_SALES_KINDS, share_before_sales_contact
from revintel.attribution._content import DEFAULT_PHASES, Phase, content_by_phase
from revintel.attribution._digital import before_after, channel_mix, touch_shares
from revintel.attribution._journeys import StoreJourneys, store_journeys
from revintel.attribution._models import DATA_DRIVEN, MODELS, attribute
from revintel.attribution._path_files import read_path_file
from revintel.attribution._paths import Paths
from revintel.attribution._result import BASELINE, Attribution
from revintel.attribution._sequences import top_sequences

__all__ = [
    "BASELINE",
    "DATA_DRIVEN",
    "DEFAULT_PHASES",
    "DEFAULT_SALES_KINDS",
    "MODELS",
    "Attribution",
    "Paths",
    "Phase",
    "StoreJourneys",
    "attribute",
    "before_after",
    "channel_mix",
    "content_by_phase",
    "read_path_file",
    "share_before_sales_contact",
    "store_journeys",
    "top_sequences",
    "touch_shares",
]
