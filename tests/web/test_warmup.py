"""The main views are computed before the first visit, and again after an import."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from revintel.auth import Role, User
from revintel.server import ResultCache, Settings, _refresh, create_app, warm_user
from revintel.server._cache import fresh_reads
from revintel.server._warming import Warming
from tests.web.conftest import SECRET, serve_in_thread
from tests.web.stores import build_store

ACCOUNTS = "account_id,name,country\nW1,Warm GmbH,DE\nW2,Ahead AG,DE\n"


def _kept(cache: ResultCache, function: str) -> list[object]:
    """Results of ``function`` kept for users who see every row."""
    return [v for k, v in cache._entries.items() if k[0] == function and k[1] == "*"]


def test_warm_user_is_a_manager_before_an_admin_and_never_a_rep() -> None:
    rep = User("anna", "Anna", Role.sales_rep, "r1")
    admin = User("zoe", "Zoe", Role.admin)
    manager = User("max", "Max", Role.manager)
    assert warm_user([rep, admin, manager]) == manager
    assert warm_user([rep, admin]) == admin
    assert warm_user([rep]) is None


def test_views_are_ready_at_start_and_computed_again_after_an_import(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    app = create_app(Settings(db=str(db), secret_key=SECRET, cookie_secure=False))
    state = app.state.revintel
    for url in serve_in_thread(app):
        assert state.wait_warm(120)
        assert httpx.get(f"{url}/api/v1/health", timeout=60).json() == {
            "status": "ok",
            "warming": False,
        }
        # The overview's figures were computed as the admin (no manager in this store) and
        # are shared by everyone who sees every row.
        assert _kept(state.cache, "kpi_tiles")
        assert _kept(state.cache, "alert_drilldowns")  # the alerts with the rows behind them
        [counts] = _kept(state.cache, "record_counts")
        assert isinstance(counts, dict)
        accounts_before = counts["accounts"]
        response = httpx.post(
            f"{url}/api/v1/imports",
            headers={"Authorization": f"Bearer {tokens['admin']}"},
            files=[("files", ("accounts.csv", ACCOUNTS.encode(), "text/csv"))],
            timeout=120,  # answered once the pages are computed again: seconds on a busy machine
        )
        assert response.status_code == 201, response.text
        # The import answers once the kept results reflect it: nothing as of before is left.
        assert state.cache.previous_keys() == []
        [counts] = _kept(state.cache, "record_counts")
        assert isinstance(counts, dict)
        assert counts["accounts"] == accounts_before + 2


@pytest.mark.parametrize("min_seconds", [0.0, 60.0])
def test_api_answers_kept_before_an_import_are_computed_again_before_it_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, min_seconds: float
) -> None:
    # With no minimum every kept answer is computed again; with a minimum no list page reaches,
    # the list is left to its next request - and the importer reads its own import either way.
    monkeypatch.setattr(_refresh, "MIN_REFRESH_SECONDS", min_seconds)
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    app = create_app(Settings(db=str(db), secret_key=SECRET, cookie_secure=False))
    state = app.state.revintel
    auth = {"Authorization": f"Bearer {tokens['admin']}"}
    path, query = "/api/v1/accounts", "limit=50"
    for url in serve_in_thread(app):
        assert state.wait_warm(120)
        before = httpx.get(f"{url}{path}?{query}", headers=auth, timeout=60).json()["total"]
        key = ("api", path, query, "*")
        assert state.cache.peek(key) is not None
        response = httpx.post(
            f"{url}/api/v1/imports",
            headers=auth,
            files=[("files", ("accounts.csv", ACCOUNTS.encode(), "text/csv"))],
            # with no minimum every kept page is computed again first: time, not a hang
            timeout=120,
        )
        assert response.status_code == 201, response.text
        with fresh_reads():
            kept = state.cache.peek(key)
        if min_seconds == 0.0:
            # Computed again by the server itself (a current result, not a previous one) ...
            assert kept is not None
            assert b'"total":%d' % (before + 2) in kept[0]  # (body, ETag)
        else:
            assert kept is None
        # ... and no reader is answered with the result as of before the import any more.
        assert state.cache.peek(key) is None or min_seconds == 0.0
        assert (
            httpx.get(f"{url}{path}?{query}", headers=auth, timeout=60).json()["total"]
            == before + 2
        )


def test_warm_up_can_be_switched_off(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    build_store(db)
    app = create_app(Settings(db=str(db), secret_key=SECRET, warm_up=False))
    for _ in serve_in_thread(app):
        assert app.state.revintel.wait_warm(1)
        assert len(app.state.revintel.cache) == 0


def test_one_computation_serves_every_caller_asking_at_once() -> None:
    cache = ResultCache()
    calls = 0
    started = threading.Event()

    def slow() -> int:
        nonlocal calls
        calls += 1
        started.set()
        time.sleep(0.2)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.remember(("k",), slow)))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 5
    assert calls == 1


def test_a_result_computed_while_the_data_changed_is_not_kept() -> None:
    cache = ResultCache()
    computing = threading.Event()
    release = threading.Event()

    def stale() -> str:
        computing.set()
        release.wait(5)
        return "old data"

    worker = threading.Thread(target=lambda: cache.remember(("k",), stale))
    worker.start()
    computing.wait(5)
    cache.clear()  # an import committed meanwhile
    release.set()
    worker.join()
    assert cache.peek(("k",)) is None
    assert cache.remember(("k",), lambda: "new data") == "new data"


def test_during_a_refresh_readers_get_the_previous_result_and_the_refresher_the_new() -> None:
    cache = ResultCache()
    assert cache.remember(("k",), lambda: "before") == "before"
    cache.begin_refresh()
    # Another reader is answered at once with the result as of before the change ...
    assert cache.remember(("k",), lambda: "computed by a reader") == "before"
    assert cache.previous_hits == 1
    # ... while the refresh computes the new one, which everybody gets from then on.
    with fresh_reads():
        assert cache.peek(("k",)) is None
        assert cache.remember(("k",), lambda: "after") == "after"
    assert cache.remember(("k",), lambda: "unused") == "after"
    assert cache.previous_keys() == [("k",)]
    cache.end_refresh()
    assert cache.previous_keys() == []
    assert cache.peek(("gone",)) is None


def test_a_result_begun_before_a_refresh_is_not_kept_as_current() -> None:
    cache = ResultCache()
    computing = threading.Event()
    release = threading.Event()

    def old() -> str:
        computing.set()
        release.wait(5)
        return "old data"

    worker = threading.Thread(target=lambda: cache.remember(("k",), old))
    worker.start()
    computing.wait(5)
    cache.begin_refresh()
    release.set()
    worker.join()
    with fresh_reads():
        assert cache.peek(("k",)) is None


def test_only_results_that_were_slow_to_compute_are_offered_for_recomputing() -> None:
    cache = ResultCache()
    cache.remember(("quick",), lambda: "one record")

    def slow() -> str:
        time.sleep(0.12)
        return "a forecast"

    cache.remember(("slow",), slow)
    cache.begin_refresh()
    assert cache.previous_keys() == [("slow",), ("quick",)]
    assert cache.previous_keys(min_seconds=0.1) == [("slow",)]
    cache.end_refresh()
    assert cache.previous_keys(min_seconds=0.0) == []


def test_the_author_of_a_change_does_not_wait_for_late_warmers(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    build_store(db)
    app = create_app(Settings(db=str(db), secret_key=SECRET, warm_up=True))
    state = app.state.revintel
    release, late_runs, early_runs = threading.Event(), [], []
    state.add_warmer(lambda: early_runs.append(time.monotonic()))
    state.add_warmer(lambda: (late_runs.append(time.monotonic()), release.wait(30)), late=True)
    started = time.monotonic()
    state.data_changed()
    answered = time.monotonic() - started
    # answered after the early warmers ran; the late one runs after, still waiting to be released
    assert early_runs and answered < 20
    deadline = time.monotonic() + 20
    while not late_runs and time.monotonic() < deadline:
        time.sleep(0.01)
    assert late_runs and state.warming
    release.set()
    assert state.wait_warm(60) and not state.warming
    assert len(late_runs) >= 1


def _late_page(cache: ResultCache, runs: list[int]) -> Callable[[], None]:
    """A slow page's warmer: it keeps a page and the result behind it."""

    def warm() -> None:
        runs.append(1)
        cache.remember(("figures",), lambda: len(runs))
        cache.remember(("page", "/slow"), lambda: f"<p>{len(runs)}</p>")

    return warm


def _changed(cache: ResultCache, warming: Warming) -> None:
    """A data change as the server handles it: previous results kept while recomputing."""
    cache.begin_refresh()
    warming.request()
    assert warming.idle.wait(10)


def test_a_slow_page_nobody_opened_is_not_recomputed_after_a_change() -> None:
    cache = ResultCache()
    warming = Warming(cache)
    warming.on_settled = cache.end_refresh
    early: list[int] = []
    late: list[int] = []
    warming.add(lambda: early.append(1), late=False)
    warming.add(_late_page(cache, late), late=True)
    warming.request()
    assert warming.idle.wait(10)
    assert (len(early), len(late)) == (1, 1)
    # Two imports, nobody opens the slow page: only the early warmer runs again, and the slow
    # page's results of before are dropped (its next visitor computes it from the new data).
    _changed(cache, warming)
    _changed(cache, warming)
    assert (len(early), len(late)) == (3, 1)
    assert cache.peek(("page", "/slow")) is None
    stats = warming.stats["_late_page"]
    assert (stats.runs, stats.skipped) == (1, 2)
    # A reader opens it (computing it from the current data) ...
    assert cache.remember(("page", "/slow"), lambda: "<p>visitor</p>") == "<p>visitor</p>"
    # ... so after the next change it is computed ahead again, and only what it computes is kept.
    _changed(cache, warming)
    assert (len(early), len(late)) == (4, 2)
    with fresh_reads():
        assert cache.peek(("page", "/slow")) == "<p>2</p>"
    # A reader of a result behind the page counts as well.
    _changed(cache, warming)
    assert len(late) == 2
    assert cache.remember(("figures",), lambda: -1) == -1
    _changed(cache, warming)
    assert len(late) == 3
    assert warming.stats["_late_page"].skipped == 3
    assert warming.stats["_late_page"].runs == 3
