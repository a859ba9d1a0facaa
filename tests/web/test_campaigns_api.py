"""``/api/v1/campaigns``: managers build, everyone lists, a rep sees only their own accounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pandas as pd
import pytest

from revintel.auth import add_user, create_token
from revintel.customers._campaigns import plan_campaign
from revintel.server import Settings
from revintel.store import open_store
from tests.customers.campaign_company import AS_OF, FAMILY, pick, plant_orders, write_company
from tests.web.conftest import SECRET, LiveServer, serve_in_thread
from tests.web.stores import PASSWORD

BUILD = {"product_family": FAMILY, "size": 60, "control_share": 0.5, "as_of": AS_OF, "seed": 4}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo company with a manager, a marketer and two reps: one owning some of the accounts
    the campaign will select (the selection is seeded), one owning none."""
    db = write_company(tmp_path_factory.mktemp("campaign-api") / "company.duckdb")
    with open_store(db) as store:
        chosen = plan_campaign(store, FAMILY, 60, control_share=0.5, as_of=AS_OF, seed=4)
        accounts = store.table("accounts").to_pandas().set_index("account_id")
        rep = str(accounts.loc[chosen.members["account_id"], "owner_rep_id"].mode()[0])
        treated = chosen.members.loc[chosen.members["group"] == "treatment", "account_id"]
        plant_orders(store, pick(list(treated), 0.5, 3), FAMILY, margin=30_000.0,
                     at=datetime(2024, 9, 1))  # fmt: skip
        store.insert("reps", pd.DataFrame({"rep_id": ["R-new"], "name": ["Nora Neu"],
                                           "source_system": "crm", "source_id": "R-new",
                                           "import_batch_id": "tests"}))  # fmt: skip
        users = {"admin": ("admin", None), "maria": ("manager", None),
                 "marie": ("marketing", None), "rolf": ("sales_rep", rep),
                 "nora": ("sales_rep", "R-new")}  # fmt: skip
        tokens = {}
        for name, (role, rep_id) in users.items():
            add_user(store, name, PASSWORD, role, rep_id=rep_id, display_name=name.title())
            tokens[name] = create_token(store, name, "tests")[0]
    for url in serve_in_thread(Settings(db=str(db), secret_key=SECRET)):
        yield LiveServer(url, db, tokens)


def test_managers_build_and_others_may_not(server: LiveServer) -> None:
    for user in ("marie", "rolf"):
        refused = server.client(user).post("/api/v1/campaigns", json=BUILD)
        assert refused.status_code == 403, refused.text
    built = server.client("maria").post("/api/v1/campaigns", json={**BUILD, "name": "Software"})
    assert built.status_code == 201, built.text
    body = built.json()
    assert body["campaign"]["members"] == 120 and body["campaign"]["created_by"] == "maria"
    assert body["notes"]["margin_basis"] == "gamma_gamma" and body["uplift"] is None
    bad = server.client("maria").post("/api/v1/campaigns", json={**BUILD, "product_family": "X"})
    assert bad.status_code == 400 and "unknown product family 'X'" in bad.text


def test_list_and_detail_with_uplift_and_row_level_access(server: LiveServer) -> None:
    listed = server.client("admin").get("/api/v1/campaigns").json()
    assert listed["total"] == 1
    campaign_id = listed["items"][0]["campaign_id"]
    detail = server.client("admin").get(
        f"/api/v1/campaigns/{campaign_id}", params={"until": "2024-12-31"}
    )
    assert detail.status_code == 200, detail.text
    uplift = detail.json()["uplift"]
    assert (uplift["treatment_accounts"], uplift["control_accounts"]) == (60, 60)
    orders = next(o for o in uplift["outcomes"] if o["outcome"] == "orders_family")
    assert orders["ci_low"] > 0 and orders["ci_low"] <= 0.5 <= orders["ci_high"]

    own = server.client("rolf").get("/api/v1/campaigns").json()["items"]
    assert len(own) == 1 and 0 < own[0]["members"] < 120
    mine = server.client("rolf").get(f"/api/v1/campaigns/{campaign_id}").json()
    assert len(mine["members"]) == own[0]["members"]
    assert mine["uplift"]["treatment_accounts"] + mine["uplift"]["control_accounts"] == len(
        mine["members"]
    )
    nora = server.client("nora")
    assert nora.get("/api/v1/campaigns").json()["items"] == []
    assert nora.get(f"/api/v1/campaigns/{campaign_id}").status_code == 403
    missing = server.client("admin").get("/api/v1/campaigns/XC-none")
    assert missing.status_code == 404 and "no campaign 'XC-none'" in missing.text
    early = server.client("admin").get(
        f"/api/v1/campaigns/{campaign_id}", params={"until": "2024-01-01"}
    )
    assert early.status_code == 400 and "must end after" in early.text
