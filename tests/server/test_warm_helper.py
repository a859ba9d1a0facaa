"""After an import, the kept results are computed again in a helper process on a copy of the
store, and equal what the server computes itself."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from revintel.auth import add_user, create_token
from revintel.server import ResultCache, Settings, create_app
from revintel.server import _warm_helper as warm_helper
from revintel.server._cache import fresh_reads
from revintel.server._warm_helper import WarmHelper, copy_duckdb, helper_possible
from revintel.store import open_store
from tests.web.conftest import SECRET, serve_in_thread
from tests.web.stores import PASSWORD, build_store

ACCOUNTS = "account_id,name,country\nH1,Helfer GmbH,DE\nH2,Kopie AG,DE\n"
#: API answers an integrator keeps asking for; each must come back from the helper.
ASKED = [
    ("/api/v1/accounts", "limit=50"),
    ("/api/v1/kpis", ""),
    ("/api/v1/funnel", ""),
    ("/api/v1/store", ""),
]


def _import(url: str, token: str) -> None:
    response = httpx.post(
        f"{url}/api/v1/imports",
        headers={"Authorization": f"Bearer {token}"},
        files=[("files", ("accounts.csv", ACCOUNTS.encode(), "text/csv"))],
        timeout=180,
    )
    assert response.status_code == 201, response.text


def _helper(app: FastAPI) -> WarmHelper:
    helper = app.state.revintel.warm_helper
    assert isinstance(helper, WarmHelper)
    return helper


@pytest.mark.parametrize("separate_app_store", [False, True])
def test_results_computed_in_the_helper_equal_the_servers_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, separate_app_store: bool
) -> None:
    # Every kept API answer is asked for again, however quickly it was computed.
    monkeypatch.setattr("revintel.server._refresh.MIN_REFRESH_SECONDS", 0.0)
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    app_db = tmp_path / "app.duckdb" if separate_app_store else None
    if app_db is not None:  # the users in an application store of their own
        with open_store(app_db) as accounts:
            add_user(accounts, "chef", PASSWORD, "admin")
            tokens = {"admin": create_token(accounts, "chef", "helper test")[0]}
    settings = Settings(
        db=str(db),
        app_db=None if app_db is None else str(app_db),
        secret_key=SECRET,
        cookie_secure=False,
        helper_min_mib=0,  # a helper even for this small store
    )
    app = create_app(settings)
    state = app.state.revintel
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    for url in serve_in_thread(app):
        assert state.wait_warm(120)
        # At start the slow pages' warmers ran in a helper: their results are kept here, and
        # what each computed is watched, so that they run again after a change when asked for.
        assert _helper(app).passes == 1
        late = [w for w in state._warming.warmers if w.late]
        assert late and all(w.stats.runs == 1 for w in late)
        watched = [w.keys for w in late if w.keys]
        assert watched
        kept = {key for key, _, _ in state.cache.computed()}
        assert all(key in kept for keys in watched for key in keys)
        for path, query in ASKED:
            assert httpx.get(f"{url}{path}?{query}", headers=auth, timeout=60).status_code == 200
        _import(url, tokens["admin"])
        helper = _helper(app)
        assert helper.passes >= 1 and helper.failures == 0
        with fresh_reads():
            from_helper = {
                (path, query): state.cache.peek(("api", path, query, "*")) for path, query in ASKED
            }
        # Each answer came back from the helper and reflects the import ...
        assert all(value is not None for value in from_helper.values()), from_helper
        assert b'"total":5' in from_helper[("/api/v1/accounts", "limit=50")][0]
        assert helper.adopted >= len(ASKED)
        # ... byte for byte as the server computes it from the store itself.
        state.cache.clear()
        for (path, query), (body, _etag) in from_helper.items():
            own = httpx.get(f"{url}{path}?{query}", headers=auth, timeout=60)
            assert own.status_code == 200
            assert own.content == body, path
        # The dashboard's overview came back too (rendered for the user it was computed as).
        assert any(key[0] == "kpi_tiles" and key[1] == "*" for key, _, _ in state.cache.computed())


def test_a_failing_helper_leaves_the_work_to_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warm_helper, "CHILD_MODULE", "revintel.server._no_such_helper")
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    settings = Settings(db=str(db), secret_key=SECRET, cookie_secure=False, helper_min_mib=0)
    app = create_app(settings)
    state = app.state.revintel
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    for url in serve_in_thread(app):
        assert state.wait_warm(120)
        httpx.get(f"{url}/api/v1/accounts?limit=50", headers=auth, timeout=60)
        _import(url, tokens["admin"])
        helper = _helper(app)
        assert helper.passes == 0 and helper.failures >= 1
        # The server computed the views itself: the counts already include the import.
        counts = [
            v["accounts"]
            for k, v, _ in state.cache.computed()
            if k[0] == "record_counts" and k[1] == "*"
        ]
        assert counts
        assert set(counts) == {5}
        assert state.cache.previous_keys() == []


def test_without_the_helper_the_server_computes_itself(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    build_store(db)
    app = create_app(
        Settings(db=str(db), secret_key=SECRET, cookie_secure=False, refresh_in_helper=False)
    )
    assert app.state.revintel.warm_helper is None
    app.state.revintel.stop()


def test_results_of_data_that_changed_since_are_not_kept() -> None:
    cache = ResultCache()
    cache.remember(("old",), lambda: 1)
    generation = cache.generation
    cache.begin_refresh()
    assert cache.refreshing
    assert cache.adopt([(("new",), 2, 0.5)], generation) == 0
    assert cache.peek(("new",)) is None
    assert cache.adopt([(("new",), 2, 0.5)], cache.generation) == 1
    assert cache.peek(("new",)) == 2
    # A result already kept stays as it is.
    assert cache.adopt([(("new",), 3, 0.5)], cache.generation) == 0
    assert cache.peek(("new",)) == 2


def test_the_copy_holds_every_table_with_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    build_store(db)
    with open_store(db) as store:
        counts = {
            name: store.backend.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in store.backend.list_tables()
        }
        copy_duckdb(store, tmp_path / "copy.duckdb")
    assert counts["leads"] == 12
    with open_store(tmp_path / "copy.duckdb") as copy:
        copied = {
            name: copy.backend.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in copy.backend.list_tables()
        }
    assert copied == counts


def test_only_a_duckdb_file_is_copied(tmp_path: Path) -> None:
    with open_store(":memory:") as memory:
        assert not helper_possible(memory, memory)
    with open_store(tmp_path / "s.duckdb") as store:
        assert helper_possible(store, store)


def test_a_small_store_computes_its_views_in_the_server(tmp_path: Path) -> None:
    # The default: this 4 MiB store is below the 16 MiB from which a helper is started.
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    assert db.stat().st_size < 16 * 2**20
    app = create_app(Settings(db=str(db), secret_key=SECRET, cookie_secure=False))
    state = app.state.revintel
    for url in serve_in_thread(app):
        assert state.wait_warm(120)
        _import(url, tokens["admin"])
        assert state.wait_warm(120)
        helper = _helper(app)
        assert (helper.passes, helper.failures) == (0, 0)
        counts = [
            v["accounts"]
            for k, v, _ in state.cache.computed()
            if k[0] == "record_counts" and k[1] == "*"
        ]
        assert counts and set(counts) == {5}
        assert all(w.stats.runs >= 2 for w in state._warming.warmers if not w.late)
