"""Import after import, the serving process keeps a flat amount of memory: every data change
replaces the kept results of before (pages, figures, slow pages computed ahead) instead of
adding to them."""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

import httpx

from revintel.auth import SESSION_COOKIE
from revintel.server import Settings, create_app
from revintel.server._state import AppState
from tests.server.conftest import SECRET
from tests.web.conftest import csrf_from, serve_in_thread, session_cookie
from tests.web.stores import PASSWORD, build_store

#: Python memory the server may gain over two import cycles once settled (sessions, kept
#: results, log records and connections are replaced, not added to).
MAX_GROWTH_BYTES = 512 << 10
SLOW_PAGES = ("/attribution", "/buying-journey")


def _sign_in(client: httpx.Client, user: str) -> str:
    form = client.get("/login")
    response = client.post(
        "/login",
        data={"username": user, "password": PASSWORD, "csrf_token": csrf_from(form.text)},
        headers={"Cookie": f"{SESSION_COOKIE}={session_cookie(form)}"},
    )
    assert response.status_code == 303, response.text
    return f"{SESSION_COOKIE}={session_cookie(response)}"


def _cycle(client: httpx.Client, state: AppState, cookie: str, token: str, round_: int) -> None:
    """A reader opens the slow pages (so they are computed ahead again), then an import."""
    for path in SLOW_PAGES:
        assert client.get(path, headers={"Cookie": cookie}).status_code == 200
    export = "account_id,name,country,city\n" + "".join(
        f"M{i:02d},Speicher {i} GmbH,DE,Stadt {round_}\n" for i in range(20)
    )
    response = client.post(
        "/api/v1/imports",
        headers={"Authorization": f"Bearer {token}"},
        files=[("files", (f"accounts-{round_}.csv", export.encode(), "text/csv"))],
    )
    assert response.status_code == 201, response.text
    assert state.wait_warm(120)
    gc.collect()


def test_memory_is_flat_across_import_cycles(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    tokens = build_store(db)
    app = create_app(Settings(db=str(db), secret_key=SECRET, cookie_secure=False))
    state = app.state.revintel
    for url in serve_in_thread(app):
        with httpx.Client(base_url=url, timeout=120) as client:
            assert state.wait_warm(120)
            cookie = _sign_in(client, "marie")
            for round_ in range(1):  # first visits, connections and compiled queries settle
                _cycle(client, state, cookie, tokens["admin"], round_)
            entries, kept_bytes = len(state.cache), state.cache.bytes
            stats = {name: s.runs for name, s in state.warmer_stats.items()}
            tracemalloc.start()
            try:
                # Traced from one import on: the kept results it replaces were made untraced.
                _cycle(client, state, cookie, tokens["admin"], 1)
                before = tracemalloc.get_traced_memory()[0]
                for round_ in range(2, 4):
                    _cycle(client, state, cookie, tokens["admin"], round_)
                grown = tracemalloc.get_traced_memory()[0] - before
            finally:
                tracemalloc.stop()
    assert grown < MAX_GROWTH_BYTES, f"{grown / 2**10:.0f} KiB more after two imports"
    # The same results are kept after every import, and nothing as of before is left over.
    assert len(state.cache) == entries
    assert abs(state.cache.bytes - kept_bytes) <= kept_bytes // 100
    assert state.cache.previous_keys() == []
    # The slow pages were opened every round, so they were computed ahead after every import.
    after = state.warmer_stats
    assert after["attribution_warmer"].runs - stats["attribution_warmer"] == 3
    assert after["buying_journey_warmer"].runs - stats["buying_journey_warmer"] == 3
    assert after["attribution_warmer"].skipped == 0
