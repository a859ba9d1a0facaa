"""``/api/v1/journey``: the numbers of the views, kept answers with their ETag, a sales rep's own
journeys, and 400 naming the parameter at fault."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import pytest
from pydantic import SecretStr

from revintel.auth import get_user
from revintel.server import Settings
from revintel.store import open_store
from revintel.views._journey_requests import (
    before_sales_frame,
    content_frame,
    event_frame,
    mix_frame,
    sequences_frame,
    shares_frame,
)
from tests.web.conftest import SECRET, DemoCompany, LiveServer, serve_in_thread

PATH = "/api/v1/journey"


@dataclass(frozen=True)
class Served:
    """The served copy of the demo company and the views read from it before serving."""

    server: LiveServer
    rep: str
    expected: dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def served(demo_company: DemoCompany, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = demo_company.copy_to(tmp_path_factory.mktemp("journey-api"))
    rep_name = demo_company.users["sales_rep"]
    with open_store(db, read_only=True) as store:
        rep = get_user(store, rep_name)
        assert rep is not None
        expected = {
            "mix": mix_frame(store, None, "year", ("segment",)),
            "shares": shares_frame(store, None, "quarter", ()),
            "event": event_frame(store, None, date(2020, 3, 1), date(2022, 1, 1), "self_service"),
            "before": before_sales_frame(store, None, ("channel",)),
            "rep_before": before_sales_frame(store, rep, ("channel",)),
            "content": content_frame(store, None),
            "sequences": sequences_frame(store, None, "sql", 2, 5),
        }
    settings = Settings(db=str(db), secret_key=SecretStr(SECRET), default_language="en")
    for url in serve_in_thread(settings):
        yield Served(LiveServer(url, db, demo_company.tokens), rep_name, expected)


def _get(served: Served, path: str, user: str = "chef", **params: Any) -> dict[str, Any]:
    response = served.server.client(user).get(f"{PATH}/{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _column(body: dict[str, Any], name: str) -> list[Any]:
    return [row[name] for row in body["rows"]]


def _values(frame: pd.DataFrame, name: str) -> list[Any]:
    return [None if pd.isna(v) else v for v in frame[name]]


def test_mix_and_shares_equal_the_views_and_are_kept_with_their_etag(served: Served) -> None:
    body = _get(served, "mix", grain="year", by="segment")
    mix = served.expected["mix"]
    assert body["grain"] == "year" and body["by"] == ["segment"]
    assert len(body["rows"]) == len(mix) > 30
    assert _column(body, "channel") == list(mix["channel"])
    assert _column(body, "segment") == list(mix["segment"])
    assert _column(body, "period")[0] == str(mix["period"].iloc[0])[:10]
    assert _column(body, "touchpoints") == list(mix["touchpoints"])
    assert _column(body, "share") == pytest.approx(list(mix["share"]))
    shares = served.expected["shares"]
    body = _get(served, "shares")
    assert _column(body, "touchpoints") == list(shares["touchpoints"])
    assert _column(body, "mobile_known") == list(shares["mobile_known"])
    assert _column(body, "digital_share") == pytest.approx(list(shares["digital_share"]))
    client = served.server.client("chef")
    first = client.get(f"{PATH}/shares")
    again = client.get(f"{PATH}/shares", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_event_content_and_sequences_equal_the_views(served: Served) -> None:
    event = served.expected["event"]
    body = _get(served, "event", start="2020-03-01", end="2022-01-01", measure="self_service")
    assert body["measure"] == "self_service" and body["end"] == "2022-01-01"
    assert _column(body, "window") == ["before", "during", "after"]
    assert _column(body, "flagged") == list(event["flagged"])
    assert _column(body, "difference") == pytest.approx(_values(event, "difference"))
    content = served.expected["content"]
    body = _get(served, "content")
    assert _column(body, "content") == list(content["content"])
    assert _column(body, "touches") == list(content["touches"])
    assert _column(body, "lift") == pytest.approx(_values(content, "lift"), nan_ok=True)
    sequences = served.expected["sequences"]
    body = _get(served, "sequences", to="sql", length=2, top=5)
    assert _column(body, "sequence") == list(sequences["sequence"])
    assert _column(body, "converting") == list(sequences["converting"])
    assert body["median_days"] == pytest.approx(sequences.attrs["median_days"])


def test_a_sales_rep_sees_the_journeys_of_their_own_leads(served: Served) -> None:
    everyone = _get(served, "before-sales", by="channel")
    own = _get(served, "before-sales", user=served.rep, by="channel")
    total, rep_total = everyone["rows"][-1], own["rows"][-1]
    assert total["channel"] is None and rep_total["channel"] is None
    assert total["journeys"] == served.expected["before"]["journeys"].iloc[-1]
    assert 0 < rep_total["journeys"] < total["journeys"]
    rep_view = served.expected["rep_before"]
    assert _column(own, "journeys") == list(rep_view["journeys"])
    assert _column(own, "touch_share_median") == pytest.approx(
        _values(rep_view, "touch_share_median"), nan_ok=True
    )
    rep_mix = _get(served, "mix", user=served.rep, grain="all")
    all_mix = _get(served, "mix", grain="all")
    assert sum(_column(rep_mix, "touchpoints")) < sum(_column(all_mix, "touchpoints"))


@pytest.mark.parametrize(
    ("path", "params", "field", "words"),
    [
        ("mix", {"by": "planet"}, "by", "unknown breakdown planet"),
        ("shares", {"grain": "decade"}, "grain", "unknown grain 'decade'"),
        ("event", {"start": "01.03.2020"}, "start", "not a day as YYYY-MM-DD"),
        ("event", {"start": "2022-02-30"}, "start", "not a day"),
        ("event", {"start": "2022-01-01", "end": "2021-01-01"}, "end", "must lie after start"),
        ("event", {"start": "2022-01-01", "measure": "tablet"}, "measure", "unknown measure"),
        ("before-sales", {"by": "segment,kind"}, "by", "unknown breakdown kind"),
        ("before-sales", {"as_of": "yesterday"}, "as_of", "not a day"),
        ("sequences", {"to": "paid"}, "to", "unknown milestone 'paid'"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(
    served: Served, path: str, params: dict[str, str], field: str, words: str
) -> None:
    response = served.server.client("chef").get(f"{PATH}/{path}", params=params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"]
