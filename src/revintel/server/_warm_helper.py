"""Computing views ahead in a helper process: slow pages always, the others after a change.

A server on a DuckDB file runs every request in one interpreter. Computing the dashboard's
views again after an import (tens of seconds of Python on a large company) on a thread of that
interpreter takes turns with the request handlers and delays every answer meanwhile. Instead,
while the results as of before the change are answered, the server copies the committed store
into a private folder (DuckDB's ``COPY FROM DATABASE``: one consistent copy, never a half-written
file) and starts ``python -m revintel.server._warm_child`` on the copy at a lower scheduling
priority. The helper runs the same warmers through its own application and hands back every
result it computed (pickled, each key as the server would key it); the server keeps them, unless
the data changed again meanwhile, then stops answering the older ones. The slow pages'
warmers (``late``) run there at start too: nobody waits for them, and minutes of computing in the
server would slow every request.

Off a DuckDB file (PostgreSQL, Spark) or when the helper fails, the warmers run in the server
as before (:class:`~revintel.server._warming.Warming` falls back).
"""

from __future__ import annotations

import json
import logging
import pickle
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from revintel.auth import accounts_of, is_postgres
from revintel.server._cache import ResultCache
from revintel.server._settings import Settings
from revintel.server._warming import HelperRun
from revintel.store import Store

logger = logging.getLogger(__name__)
#: The module the helper runs.
CHILD_MODULE = "revintel.server._warm_child"
#: Settings the helper does not take from the server: where its stores are, and what only the
#: serving process does.
_NOT_PASSED = {"db", "app_db", "secret_key", "workers", "metrics_port", "host", "port"}
#: Seconds between looks at the helper (ended? server stopping? data changed again?).
_POLL_SECONDS = 0.25


def helper_possible(root: Store, accounts: Store) -> bool:
    """Whether the data store can be copied for a helper: a DuckDB file, with the application
    store in it, in another DuckDB file, or on PostgreSQL (which the helper opens itself)."""
    if not root.is_duckdb or root.location == ":memory:":
        return False
    return accounts is root or accounts.is_duckdb or is_postgres(accounts.location)


def copy_duckdb(store: Store, target: Path) -> None:
    """Copy the committed contents of the DuckDB database behind ``store`` into a new file."""
    con = store.backend.con
    row = con.execute("SELECT current_database()").fetchone()
    assert row is not None
    alias = f"revintel_copy_{secrets.token_hex(6)}"
    path = str(target).replace("'", "''")
    con.execute(f"ATTACH '{path}' AS {alias}")
    try:
        con.execute(f'COPY FROM DATABASE "{row[0]}" TO {alias}')
    finally:
        con.execute(f"DETACH {alias}")


class WarmHelper:
    """Runs warmers in a helper process; called by the warming thread with their names.

    Parameters
    ----------
    settings
        The server's settings (the helper gets them with its own stores and secret).
    borrow
        Lends a data store connection linked to its application store.
    cache
        The server's result cache, which receives the helper's results.
    urls
        The API answers to ask for again (path, query), read when a pass starts.
    cancelled
        Set when the server stops: the helper is ended.
    """

    def __init__(
        self,
        settings: Settings,
        borrow: Callable[[], Any],
        cache: ResultCache,
        urls: Callable[[], list[tuple[str, str]]],
        cancelled: threading.Event,
    ) -> None:
        self.settings = settings
        self.borrow = borrow
        self.cache = cache
        self.urls = urls
        self.cancelled = cancelled
        #: Results the helper handed back and the server kept, over all passes.
        self.adopted = 0
        #: Passes that ran in a helper, and passes that fell back to the server's thread.
        self.passes = 0
        self.failures = 0

    @property
    def timeout(self) -> float:
        """Seconds a helper may take before it is ended and the pass runs in the server."""
        return max(300.0, 5 * self.settings.refresh_seconds)

    def __call__(self, warmers: list[str]) -> HelperRun | None:
        if not self._worthwhile():
            return None  # a small store: computing here is quicker than starting a helper
        generation = self.cache.generation
        try:
            with tempfile.TemporaryDirectory(prefix="revintel-refresh-") as folder:
                job = self._prepare(Path(folder), self.urls(), warmers)
                ended = self._run(job, generation)
                if ended is None:
                    self.failures += 1
                    return None
                if not ended:
                    return HelperRun(superseded=True)  # the next pass computes it
                done = self._adopt(Path(folder) / "results.pickle", generation)
        except Exception:
            self.failures += 1
            logger.warning(
                "computing the results again in a helper process failed; computing them here",
                exc_info=True,
            )
            return None
        self.passes += 1
        return done

    def _worthwhile(self) -> bool:
        with self.borrow() as store:
            path = Path(store.location.removeprefix("duckdb://"))
        try:
            size = path.stat().st_size
        except OSError:
            return True
        return size >= self.settings.helper_min_mib * 2**20

    def _prepare(self, folder: Path, urls: list[tuple[str, str]], warmers: list[str]) -> Path:
        data = folder / "data.duckdb"
        app_location: str | None = None
        with self.borrow() as store:
            accounts = accounts_of(store)
            copy_duckdb(store, data)
            if accounts is not store:
                if accounts.is_duckdb:
                    app_location = str(folder / "app.duckdb")
                    copy_duckdb(accounts, Path(app_location))
                else:
                    app_location = accounts.location
        settings = self.settings.model_dump(mode="json", exclude=_NOT_PASSED)
        settings.update(db=str(data), app_db=app_location, warm_up=False, refresh_in_helper=False)
        job = folder / "job.json"
        job.write_text(
            json.dumps(
                {
                    "settings": settings,
                    "urls": urls,
                    "warmers": warmers,
                    "nice": self.settings.helper_nice,
                    "out": str(folder / "results.pickle"),
                }
            ),
            encoding="utf-8",
        )
        return job

    def _run(self, job: Path, generation: int) -> bool | None:
        """Run the helper on ``job``: ``True`` when it ended well, ``False`` when it was ended
        because the data changed again, ``None`` when it failed, timed out or the server stops."""
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", CHILD_MODULE, str(job)], stdout=subprocess.DEVNULL
        )
        while True:
            try:
                code = process.wait(timeout=_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
            changed = self.cache.generation != generation
            if changed or self.cancelled.is_set() or time.monotonic() - started > self.timeout:
                process.kill()
                process.wait()
                if changed and not self.cancelled.is_set():
                    return False
                return None
        if code != 0:
            logger.warning("the helper computing the results again ended with code %d", code)
            return None
        return True

    def _adopt(self, path: Path, generation: int) -> HelperRun:
        payload = pickle.loads(path.read_bytes())
        results = [
            (tuple(key), pickle.loads(blob), seconds) for key, blob, seconds in payload["results"]
        ]
        self.adopted += self.cache.adopt(results, generation)
        keys = {name: [tuple(key) for key in found] for name, found in payload["keys"].items()}
        return HelperRun(costs=dict(payload["costs"]), keys=keys)
