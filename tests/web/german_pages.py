"""Every dashboard page of a small demo company, served in German: the paths the language and
accessibility tests visit."""

from __future__ import annotations

import atexit
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from revintel.capabilities import page_routers, resolve
from revintel.server import Settings
from revintel.store import open_store
from tests.web.conftest import SECRET, DemoCompany, serve_in_thread

#: Who signs in: an administrator sees every page.
USER = "admin"


def sample_ids(db: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A record id per path parameter of the detail pages (the smallest id of each table), and
    each rep's name by rep id."""
    with open_store(db) as store:
        columns = {
            "lead_id": store.table("leads").lead_id,
            "opportunity_id": store.table("opportunities").opportunity_id,
            "account_id": store.table("accounts").account_id,
        }
        reps = store.table("reps").select("rep_id", "name").to_pyarrow().to_pylist()
        samples = {k: str(column.min().execute()) for k, column in columns.items()}
    return samples, {str(r["rep_id"]): str(r["name"]) for r in reps}


def html_page_paths(samples: dict[str, str]) -> list[str]:
    """Every GET route of the capabilities' dashboard pages that answers HTML, its path
    parameters filled from ``samples``; a page with a parameter lacking a sample fails."""
    paths = []
    for route in (r for target in page_routers() for r in resolve(target).routes):
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        if getattr(route.response_class, "value", route.response_class) is not HTMLResponse:
            continue
        names = re.findall(r"{(\w+)}", route.path)
        missing = [n for n in names if n not in samples]
        assert not missing, f"{route.path}: no sample value for {missing} in {__name__}"
        paths.append(re.sub(r"{(\w+)}", lambda m: samples[m[1]], route.path))
    return paths


@dataclass(frozen=True)
class GermanServer:
    """A served copy of the demo company whose default language is German."""

    url: str
    db: Path
    paths: list[str]
    rep_names: dict[str, str]


def serve_german(demo: DemoCompany, directory: Path) -> Iterator[GermanServer]:
    """Serve a copy of ``demo`` in ``directory`` (German, nothing computed ahead)."""
    db = demo.copy_to(directory)
    samples, reps = sample_ids(db)
    settings = Settings(db=str(db), secret_key=SECRET, default_language="de", warm_up=False)
    for url in serve_in_thread(settings):
        yield GermanServer(url, db, html_page_paths(samples), reps)


_SHARED: dict[Path, GermanServer] = {}


def shared_german_server(demo: DemoCompany, directory: Path) -> GermanServer:
    """One German server per demo company and test process, stopped when the process ends.

    The language and the accessibility tests only read; when both run in one process the
    second finds every page already computed (the server keeps each page's HTML).
    """
    found = _SHARED.get(demo.db)
    if found is None:
        running = serve_german(demo, directory)
        found = _SHARED[demo.db] = next(running)
        atexit.register(running.close)
    return found
