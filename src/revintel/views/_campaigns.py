"""The cross-selling campaigns a user may see, for the Customers page."""

from __future__ import annotations

import pandas as pd

from revintel.auth import Permission, User, visible
from revintel.customers._campaign_records import list_campaigns
from revintel.store import Store


def campaign_rows(store: Store, user: User) -> pd.DataFrame:
    """Recorded campaigns, newest first: ``campaign_id``, ``name``, ``product_family``,
    ``created_at``, ``members``, ``treatment``; a sales rep sees those holding their accounts,
    counted over those accounts only."""
    accounts = None if user.can(Permission.view_all_rows) else visible(store, user, "accounts")
    frame = list_campaigns(store, None if accounts is None else accounts.account_id)
    columns = ["campaign_id", "name", "product_family", "created_at", "members", "treatment"]
    return frame[[c for c in columns if c in frame.columns]]
