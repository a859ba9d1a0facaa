"""The scorecard's demo company (:mod:`tests.alignment.scorecard_company`) served by a real
uvicorn, with a user of every role, for the page, API and PDF tests."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import unescape

import pytest

from revintel.server import Settings
from tests.alignment.scorecard_company import add_users, scorecard_db
from tests.web.conftest import SECRET, LiveServer, browser_login, serve_in_thread

MONTH = "2024-11"


def serve_scorecard(factory: pytest.TempPathFactory, name: str) -> Iterator[LiveServer]:
    """A copy of the scorecard company served on a free port while the caller iterates."""
    db = factory.mktemp(name) / "store.duckdb"
    shutil.copy(scorecard_db(factory), db)
    tokens, _ = add_users(db)
    settings = Settings(db=str(db), secret_key=SECRET, default_language="en", warm_up=False)
    for url in serve_in_thread(settings):
        yield LiveServer(url, db, tokens)


def page_html(server: LiveServer, lang: str, user: str = "admin", query: str = "") -> str:
    """The Scorecard page's HTML as ``user`` in ``lang`` (asserting a 200)."""
    client = browser_login(server, user)
    try:
        client.headers["Cookie"] += f"; revintel_lang={lang}"
        response = client.get(f"/scorecard{query}")
    finally:
        client.close()
    assert response.status_code == 200, response.text[:800]
    return response.text


def figures(html: str) -> list[str]:
    """The texts of the figure cells of the scorecard fragment, in page order."""
    return [unescape(c).strip() for c in re.findall(r'<td class="num fig">([^<]*)</td>', html)]
