"""``/api/v1/attribution``: the numbers of the views, 400 naming the field, a rep's own leads,
and path files uploaded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from revintel.attribution._models import MODELS
from revintel.server import Settings
from revintel.store import open_store
from revintel.views._attribution import AttributionSettings, AttributionView, attribution_table
from tests.shared_data import shared_dataset
from tests.web.conftest import SECRET, DemoCompany, LiveServer, serve_in_thread

PATH = "/api/v1/attribution"


#: The settings of the request compared with the view read directly.
LOOKBACK = AttributionSettings(lookback_days=365)


@dataclass(frozen=True)
class Served:
    """The served copy of the demo company and the view read from it before serving."""

    server: LiveServer
    expected: AttributionView


@pytest.fixture(scope="module")
def served(demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = demo_company.copy_to(tmp_path_factory.mktemp("attribution-api"))
    with open_store(db, read_only=True) as store:
        expected = attribution_table(store, None, "u_shaped", "sql", LOOKBACK)
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en")
    for url in serve_in_thread(settings):
        yield Served(LiveServer(url, db, demo_company.tokens), expected)


@pytest.fixture(scope="module")
def server(served: Served) -> LiveServer:
    return served.server


def test_channels_equal_the_view_and_sum_to_the_conversions(served: Served) -> None:
    params = {"model": "u_shaped", "to": "sql", "lookback_days": 365}
    response = served.server.client("chef").get(PATH, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    view = served.expected
    assert body["journeys"] == view.journeys > 100
    assert body["conversions"] == view.conversions and body["came_from"] == "sal"
    assert [c["channel"] for c in body["channels"]] == list(view.channels["channel"])
    assert body["channels"][0]["conversions"] == pytest.approx(view.channels["conversions"][0])
    credited = sum(c["conversions"] for c in body["channels"])
    unattributed = body["notes"].get("unattributed_conversions", 0.0)
    assert credited + unattributed == pytest.approx(body["conversions"])
    assert sum(c["share"] for c in body["channels"]) == pytest.approx(1.0)
    again = served.server.client("chef").get(
        PATH, params=params, headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_compare_has_a_column_per_model(server: LiveServer) -> None:
    response = server.client("chef").get(f"{PATH}/compare", params={"to": "won"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["value"] == "conversions" and body["came_from"] == "contract_negotiation"
    assert set(body["channels"][0]) == {"channel", *MODELS}
    rows = body["channels"]
    linear = sum(row["linear"] or 0 for row in rows)
    first = sum(row["first"] or 0 for row in rows)
    shapley = sum(row["shapley"] for row in rows)
    assert shapley == pytest.approx(body["total"])
    assert rows[-1]["channel"] == "(baseline)" and rows[-1]["linear"] is None
    assert linear == pytest.approx(first) and 0 < linear <= body["total"] + 1e-6


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"model": "magic"}, "model"),
        ({"to": "nirvana"}, "to"),
        ({"to": "sal", "level": "opportunity"}, "level"),
    ],
)
def test_unknown_model_or_milestone_is_a_400_naming_the_field(
    server: LiveServer, params: dict[str, str], field: str
) -> None:
    response = server.client("chef").get(PATH, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == field
    assert params[field] in response.json()["error"]["message"]


def test_a_sales_rep_sees_the_attribution_of_their_own_leads(
    server: LiveServer, demo_company: DemoCompany
) -> None:
    rep = demo_company.users["sales_rep"]
    everyone = server.client("chef").get(PATH, params={"model": "last", "to": "sal"}).json()
    own = server.client(rep).get(PATH, params={"model": "last", "to": "sal"}).json()
    assert 0 < own["journeys"] < everyone["journeys"]


def test_a_path_file_upload_reproduces_the_reference(server: LiveServer) -> None:
    data = shared_dataset("channelattribution_paths") / "Data.csv"
    with data.open("rb") as handle:
        response = server.client("marie").post(
            f"{PATH}/paths",
            files={"file": ("Data.csv", handle, "text/csv")},
            data={"model": "linear"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    alpha = next(c for c in body["channels"] if c["channel"] == "alpha")
    assert alpha["conversions"] == pytest.approx(7574.719, abs=1e-3)
    assert body["conversions"] == pytest.approx(19785) and body["to"] is None


def test_a_bad_path_file_is_a_400_naming_file_and_row(server: LiveServer, tmp_path: Path) -> None:
    response = server.client("marie").post(
        f"{PATH}/paths",
        files={"file": ("wege.csv", b"path;total_conversions\na > b;3\nb;-1\n", "text/csv")},
        data={"model": "markov"},
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == "file" and "wege.csv" in error["message"]
    assert "row 3" in error["message"] and str(tmp_path) not in error["message"]
    assert "revintel-paths" not in error["message"]
    decay = server.client("marie").post(
        f"{PATH}/paths",
        files={"file": ("wege.csv", b"path;total_conversions\na > b;3\n", "text/csv")},
        data={"model": "time_decay"},
    )
    assert decay.status_code == 400 and decay.json()["error"]["field"] == "model"
