"""What the CRM or marketing automation receives of a campaign: the treatment accounts only.

The control group stays in the store; sending it along would risk it being contacted, which
would hide the campaign's effect.
"""

from __future__ import annotations

import pandas as pd

from revintel.customers._campaign_records import CampaignRecord
from revintel.customers._campaigns import TREATMENT, recommendations_from_json
from revintel.store import Store

#: Buying roles preferred as the contact person, best first.
PREFERRED_ROLES = ("decision maker", "entscheider", "influencer")
EXPORT_COLUMNS = ("account_id", "account_name", "contact_name", "contact_email", "rep_name",
                  "products", "reasons", "priority")  # fmt: skip


def _contact_persons(store: Store, accounts: list[str]) -> pd.DataFrame:
    """One contact per account: a decision maker if known, else the earliest recorded."""
    contacts = store.table("contacts")
    rows: pd.DataFrame = (
        contacts.filter(contacts.account_id.isin(accounts))
        .select("account_id", "first_name", "last_name", "email", "buying_role", "created_at")
        .to_pandas()
    )
    role = rows["buying_role"].fillna("").str.lower()
    rows["preference"] = [
        PREFERRED_ROLES.index(r) if r in PREFERRED_ROLES else len(PREFERRED_ROLES) for r in role
    ]
    rows = rows.sort_values(["account_id", "preference", "created_at"], na_position="last")
    first = rows.drop_duplicates("account_id").set_index("account_id")
    names = (first["first_name"].fillna("") + " " + first["last_name"].fillna("")).str.strip()
    return pd.DataFrame({"contact_name": names, "contact_email": first["email"]})


def campaign_targets(store: Store, record: CampaignRecord) -> pd.DataFrame:
    """The treatment accounts of ``record`` with name, contact person, rep and offers.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``account_name``, ``contact_name``, ``contact_email``, ``rep_name``,
        ``products`` (names of the recommended products of the family, as a list), ``reasons``
        (their ``Reason`` objects, same order) and ``priority``, by rank.
    """
    treated = record.members[record.members["group"] == TREATMENT].sort_values("rank")
    ids = list(treated["account_id"])
    accounts = store.table("accounts")
    reps = store.table("reps").select(owner_rep_id="rep_id", rep_name="name")
    known = (
        accounts.filter(accounts.account_id.isin(ids))
        .select("account_id", account_name="name", owner_rep_id="owner_rep_id")
        .left_join(reps, "owner_rep_id")
        .select("account_id", "account_name", "rep_name")
        .to_pandas()
        .set_index("account_id")
    )
    products = store.table("products").select("product_id", "name").to_pandas()
    product_names = dict(zip(products["product_id"], products["name"], strict=True))
    offers = [recommendations_from_json(text) for text in treated["recommendations"]]
    frame = pd.DataFrame(
        {
            "account_id": ids,
            "products": [[product_names.get(p, p) for p, _ in o] for o in offers],
            "reasons": [[r for _, r in o] for o in offers],
            "priority": treated["priority"].to_numpy(),
        }
    )
    frame = frame.join(known, on="account_id").join(_contact_persons(store, ids), on="account_id")
    return frame[list(EXPORT_COLUMNS)].reset_index(drop=True)
