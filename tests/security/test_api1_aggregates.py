"""API1:2023 Broken Object Level Authorization through aggregates: every KPI, count, tile,
report and chart a user reaches is computed on exactly the rows of their scope."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from revintel._frames import json_records
from revintel.auth import User, get_user, visible_tables
from revintel.metrics import MetricQuery, MetricSources, evaluate_kpis, load_catalogue
from revintel.metrics._engine import compares_periods
from revintel.model import TABLES, load_funnel
from revintel.store import Store, open_store
from tests.security.conftest import LiveServer

KPIS = load_catalogue().ids
#: One user of every role on the demo company; the reps are added per rep id below.
ROLE_USERS = ("admin", "chef", "marie")
#: KPIs one request asks for (the API takes up to 50).
MAX_KPIS = 25


def _queries(kpi: str) -> tuple[dict[str, str], ...]:
    # A KPI comparing periods (growth, cohort retention) is asked at its own grain instead of
    # over all time; the breakdown is team where the KPI offers it (cohorts: by segment).
    spec = load_catalogue().get(kpi)
    grain = {} if compares_periods(spec) else {"grain": "all"}
    by = "team" if "team" in spec.dimensions else "segment"
    return (grain, {**grain, "by": by})


def _normalised(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)


def _reps(server: LiveServer) -> list[str]:
    return sorted(name for name in server.tokens if name not in {*ROLE_USERS})


@pytest.fixture(scope="module")
def whole(demo: LiveServer) -> Iterator[Store]:
    """The demo store itself, read beside the server."""
    with open_store(demo.db) as store:
        yield store


def _user(store: Store, name: str) -> User:
    user = get_user(store, name)
    assert user is not None
    return user


def _expected(sources: MetricSources, kpis: tuple[str, ...], params: dict[str, str]) -> list[str]:
    by = (params["by"],) if "by" in params else ()
    query = MetricQuery(grain="all" if "grain" in params else None, by=by)
    return _normalised(json_records(evaluate_kpis(sources, load_catalogue(), kpis, query)))


def _api(server: LiveServer, user: str, kpis: tuple[str, ...], params: dict[str, str]) -> list[str]:
    response = server.client(user).get("/api/v1/kpis/values", params={"kpi": kpis, **params})
    assert response.status_code == 200, response.text
    return _normalised(response.json())


def _asked_together() -> list[tuple[dict[str, str], tuple[str, ...]]]:
    """The KPIs grouped by the query they are asked with, at most as many as one request takes."""
    groups: dict[str, list[str]] = {}
    for kpi in KPIS:
        for params in _queries(kpi):
            groups.setdefault(json.dumps(params, sort_keys=True), []).append(kpi)
    return [
        (json.loads(key), tuple(kpis[i : i + MAX_KPIS]))
        for key, kpis in groups.items()
        for i in range(0, len(kpis), MAX_KPIS)
    ]


def test_every_kpi_of_every_role_is_computed_on_that_roles_rows(
    demo: LiveServer, whole: Store
) -> None:
    # Admin, manager and marketing see every row: their expected values are computed once.
    as_of = MetricSources.from_store(whole).as_of
    groups = _asked_together()
    assert sum(len(kpis) for _, kpis in groups) == 2 * len(KPIS)
    expected: dict[str | None, list[list[str]]] = {}
    for name in (*ROLE_USERS, _reps(demo)[0]):
        user = _user(whole, name)
        if user.rep_id not in expected:
            sources = MetricSources(visible_tables(whole, user), load_funnel(), as_of=as_of)
            with sources.materialized():
                expected[user.rep_id] = [_expected(sources, k, p) for p, k in groups]
            assert sum(map(len, expected[user.rep_id])) > 100, name
        for (params, kpis), rows in zip(groups, expected[user.rep_id], strict=True):
            assert _api(demo, name, kpis, params) == rows, (name, params)


def _only(table: pa.Table, column: str, keys: pa.Array | str) -> pa.Table:
    if isinstance(keys, str):
        return table.filter(pc.equal(table[column], keys))
    return table.filter(pc.is_in(table[column], value_set=keys))


def _rep_rows(store: Store, rep: str) -> dict[str, pa.Table]:
    """Every model table of ``store`` cut to rep ``rep``'s rows, built from the rows themselves
    (not from the access rules under test)."""
    rows = {t.name: store.table(t.name).to_pyarrow() for t in TABLES}
    for name, owner in (("leads", "rep_id"), ("opportunities", "rep_id"), ("targets", "rep_id")):
        rows[name] = _only(rows[name], owner, rep)
    rows["accounts"] = _only(rows["accounts"], "owner_rep_id", rep)
    for name in ("milestones", "touchpoints"):
        rows[name] = _only(rows[name], "lead_id", rows["leads"]["lead_id"].combine_chunks())
    for name in ("quotes", "orders", "activities"):
        rows[name] = _only(
            rows[name], "account_id", rows["accounts"]["account_id"].combine_chunks()
        )
    orders = rows["orders"]["order_id"].combine_chunks()
    rows["order_lines"] = _only(rows["order_lines"], "order_id", orders)
    rows["price_adjustments"] = _only(rows["price_adjustments"], "order_id", orders)
    return rows


@pytest.fixture(scope="module")
def rep_stores(
    demo: LiveServer, whole: Store, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """For the rep of the test above (whose answers the server keeps, to bound the run time), a
    store file holding only that rep's rows."""
    folder = tmp_path_factory.mktemp("rep-stores")
    paths = {}
    for name in _reps(demo)[:1]:
        rep = _user(whole, name).rep_id
        assert rep is not None
        paths[name] = folder / f"{name}.duckdb"
        with open_store(paths[name]) as copy:
            for table_name, rows in _rep_rows(whole, rep).items():
                if rows.num_rows:
                    copy.insert(table_name, rows)
    return paths


def test_a_reps_kpis_equal_those_of_a_store_holding_only_their_rows(
    demo: LiveServer, whole: Store, rep_stores: dict[str, Path]
) -> None:
    # A numerator or denominator read from outside the rep's rows (another rep's targets, the
    # company's leads) makes the API's value differ from the one of the rep's own store.
    as_of = MetricSources.from_store(whole).as_of
    for name, path in rep_stores.items():
        with open_store(path, read_only=True) as own:
            sources = MetricSources.from_store(own, as_of=as_of)
            with sources.materialized():
                for params, kpis in _asked_together():
                    expected = _expected(sources, kpis, params)
                    assert _api(demo, name, kpis, params) == expected, (name, params)


def test_a_reps_store_counts_are_those_of_their_own_rows(
    demo: LiveServer, whole: Store, rep_stores: dict[str, Path]
) -> None:
    for name, path in rep_stores.items():
        with open_store(path, read_only=True) as own:
            expected = {t.name: own.table(t.name).count().execute() for t in TABLES}
        tables = demo.client(name).get("/api/v1/store").json()["tables"]
        assert {t["name"]: t["rows"] for t in tables} == expected, name
    admin = demo.client("admin").get("/api/v1/store").json()["tables"]
    assert {t["name"]: t["rows"] for t in admin} == whole.row_counts()


def _other_reps_deals(whole: Store, rep: str) -> tuple[set[str], set[str]]:
    deals = whole.table("opportunities")
    others = deals.filter(deals.rep_id != rep).select("opportunity_id", "name").to_pyarrow()
    return set(others["opportunity_id"].to_pylist()), set(others["name"].to_pylist())


def _xlsx_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        return " ".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith("xml"))


@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_a_reps_report_names_no_deal_of_another_rep(
    demo: LiveServer, whole: Store, fmt: str
) -> None:
    name = _reps(demo)[0]
    rep = _user(whole, name).rep_id
    assert rep is not None
    response = demo.client(name).get("/api/v1/report", params={"format": fmt, "lang": "en"})
    assert response.status_code == 200, response.text[:500]
    text = response.text if fmt == "html" else _xlsx_text(response.content)
    ids, names = _other_reps_deals(whole, rep)
    assert not [key for key in ids if key in text]
    assert not [deal for deal in names if deal and deal in text]


def test_a_reps_overview_and_chart_count_only_their_leads(demo: LiveServer, whole: Store) -> None:
    from tests.web.conftest import browser_login

    name = _reps(demo)[0]
    rep = _user(whole, name).rep_id
    leads = whole.table("leads")
    own = int(leads.filter(leads.rep_id == rep).count().execute())
    client = browser_login(demo, name)
    csv = client.get("/charts/leads-per-month.csv")
    assert csv.status_code == 200
    counted = sum(int(line.rsplit(",", 1)[1]) for line in csv.text.strip().splitlines()[1:])
    assert counted == own
    tiles = {t["kpi"]: t for t in demo.client(name).get("/api/v1/kpis").json()}
    sources = MetricSources(
        visible_tables(whole, _user(whole, name)), as_of=MetricSources.from_store(whole).as_of
    )
    mqls = evaluate_kpis(sources, load_catalogue(), ("mqls",), MetricQuery())
    complete = mqls[mqls["complete"].astype(bool)]
    assert tiles["mqls"]["value"] == pytest.approx(float(complete["value"].iloc[-1]))
