"""A small generated company served through FastAPI's TestClient, for the Attribution and Buying
journey pages: an admin and one sales rep, signed in per language."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from python_calamine import CalamineWorkbook

from revintel.attribution._credits import store_credits
from revintel.auth import add_user
from revintel.i18n import MESSAGES
from revintel.server import Settings, create_app
from revintel.store import open_store
from revintel.synth import SynthConfig, write_demo_company
from tests.web.conftest import SECRET
from tests.web.stores import PASSWORD

CONFIG = SynthConfig(seed=3, leads=1_000, accounts=120, reps=3)


@dataclass(frozen=True)
class Company:
    """The store of the served company, its app and the rep whose user is ``rep``."""

    db: Path
    client: TestClient
    rep_id: str
    #: Who is signed in on ``client`` (``user`` → the current one).
    signed: dict[str, str] = field(default_factory=dict)

    def page(self, path: str, lang: str = "en", user: str = "admin") -> str:
        """The HTML of ``path`` as ``user`` in ``lang`` (asserting a 200)."""
        response = self.get(path, lang, user)
        assert response.status_code == 200, response.text[:800]
        return response.text

    def get(self, path: str, lang: str = "en", user: str = "admin") -> httpx.Response:
        """The response to ``GET path`` as ``user`` in ``lang``."""
        if self.signed.get("user") != user:
            _sign_in(self.client, user)
            self.signed["user"] = user
        self.client.cookies.set("revintel_lang", lang)
        return self.client.get(path)

    def csv_rows(self, path: str, lang: str = "en") -> list[list[str]]:
        """A CSV download of ``path``, split by the language's delimiter."""
        response = self.get(path, lang)
        assert response.status_code == 200, response.text[:800]
        assert response.headers["content-type"].startswith("text/csv")
        delimiter = ";" if lang == "de" else ","
        text = response.content.decode("utf-8-sig" if lang == "de" else "utf-8")
        assert response.content.startswith(b"\xef\xbb\xbf") == (lang == "de")  # BOM for Excel
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))

    def xlsx_rows(self, path: str, lang: str = "en") -> list[list[Any]]:
        """An Excel download of ``path``, its only sheet as rows."""
        response = self.get(path, lang)
        assert response.status_code == 200
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        return book.get_sheet_by_index(0).to_python()


def _sign_in(client: TestClient, user: str) -> None:
    client.cookies.clear()
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token, "login page has no CSRF field"
    response = client.post(
        "/login",
        data={"username": user, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]


def serve_company(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Company]:
    """Generate :data:`CONFIG` into a fresh store and serve it (computed on first visit)."""
    db = tmp_path_factory.mktemp("attribution") / "store.duckdb"
    with open_store(db) as store:
        write_demo_company(store, CONFIG)
        reps = sorted(store.table("reps").rep_id.to_pyarrow().to_pylist())
        add_user(store, "admin", PASSWORD, "admin")
        add_user(store, "rep", PASSWORD, "sales_rep", rep_id=reps[0])
        # As the demo pipeline does: the credits of won deals the ROI KPIs read (their model
        # markov, and shapley for a page that picks it).
        store_credits(store, models=("markov", "shapley"), milestones=("won",))
    settings = Settings(
        db=str(db), secret_key=SecretStr(SECRET), warm_up=False, cookie_secure=False
    )
    with TestClient(create_app(settings)) as client:
        yield Company(db, client, reps[0])


def english_leftovers(html: str, prefixes: tuple[str, ...]) -> list[str]:
    """Pieces of the English message texts of keys starting with ``prefixes`` found in ``html``:
    a German page should hold none. A text is cut at its placeholders; pieces of up to 12
    characters and pieces the German text shares are not counted."""
    text = unescape(html)
    found = []
    for key, (german, english) in MESSAGES.items():
        if not key.startswith(prefixes):
            continue
        for piece in re.split(r"\{[^}]*\}", english):
            piece = piece.strip(" .;:,()")
            if len(piece) > 12 and piece not in german and piece in text:
                found.append(piece)
    return found
