"""``/api/v1/sla``: attainment, breaches and the effect equal the domain functions, a rep gets
their own MQLs only, and bad parameters are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from revintel.alignment._sla import lead_status, sla_breaches, sla_summary
from revintel.metrics import MetricSources
from revintel.server import Settings, create_app
from revintel.store import open_store
from tests.alignment.sla_store import REP, TOKENS, sla_store
from tests.web.conftest import SECRET, serve_in_thread
from tests.web.test_schemathesis import RoleTokens, run_contract

#: Every MQL's status, read before the server opens the store.
_STATUS: dict[str, pd.DataFrame] = {}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = sla_store(tmp_path_factory)
    with open_store(db, read_only=True) as store:
        _STATUS["all"] = lead_status(MetricSources.from_store(store))
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), warm_up=False, cookie_secure=False
    )
    with TestClient(create_app(settings)) as served:
        yield served


def _get(client: TestClient, path: str, user: str = "admin", **params: object) -> dict:
    headers = {"Authorization": f"Bearer {TOKENS[user]}"}
    response = client.get(f"/api/v1/sla{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def _status(client: TestClient) -> pd.DataFrame:
    return _STATUS["all"]


def test_attainment_equals_the_summary(client: TestClient) -> None:
    status = _status(client)
    body = _get(client, "", by="channel", lang="de")
    expected = sla_summary(status, "channel")
    assert body["by"] == "channel" and body["leads"] == len(status) == 6_000
    assert len(body["rows"]) == len(expected)
    first = body["rows"][0]
    row = expected.iloc[0]
    assert first["group"] == row["channel"] and first["due"] == row["due"]
    assert first["attainment"] == pytest.approx(row["attainment"])
    assert {r["level_label"] for r in body["rows"]} == {"Annahme", "Erstkontakt"}


def test_a_rep_gets_their_own_mqls(client: TestClient) -> None:
    status = _status(client)
    own = status[status["rep_id"] == REP["rep"]]
    body = _get(client, "", user="rep")
    assert body["leads"] == len(own) > 0
    accept = next(r for r in body["rows"] if r["level"] == "accept")
    assert accept["met"] == (own["accept_status"] == "met").sum()
    breaches = _get(client, "/breaches", user="rep", days=365)["breaches"]
    assert {b["rep_id"] for b in breaches} <= {REP["rep"]}
    assert len(breaches) == len(sla_breaches(own, within_days=365))


def test_breaches_and_effect(client: TestClient) -> None:
    status = _status(client)
    body = _get(client, "/breaches")
    expected = sla_breaches(status, within_days=30)
    assert [b["lead_id"] for b in body["breaches"]] == list(expected["lead_id"])
    effect = _get(client, "/effect", lang="en")
    assert effect["lower"] < effect["coefficient"] < effect["upper"] < 0
    assert effect["sentence"].startswith("Each doubling of response time lowers acceptance odds")


def test_bad_parameters_are_refused(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {TOKENS['admin']}"}
    assert client.get("/api/v1/sla", params={"by": "planet"}, headers=headers).status_code == 422
    assert (
        client.get("/api/v1/sla/breaches", params={"days": 0}, headers=headers).status_code == 422
    )
    assert client.get("/api/v1/sla").status_code == 401


@pytest.mark.slow
def test_the_sla_endpoints_keep_their_document(tmp_path_factory: pytest.TempPathFactory) -> None:
    db = sla_store(tmp_path_factory)
    app = create_app(Settings(db=str(db), secret_key=SecretStr(SECRET), default_language="en"))
    users = {"admin": "admin", "sales_rep": "rep"}
    for url in serve_in_thread(app):
        tokens = RoleTokens(app.state.revintel, users)
        for path in ("/api/v1/sla", "/api/v1/sla/breaches", "/api/v1/sla/effect"):
            outcome = run_contract(
                url, ("examples", "coverage", "fuzzing"), tokens=tokens, path=path,
                max_examples=4, max_seconds=8,
            )  # fmt: skip
            assert not outcome.findings and not outcome.errors, outcome.report()
            assert sum(outcome.scenarios.values()) > 0, path
