"""The scorecard PDF, printed by headless Chromium and downloaded from the live server's API,
opens and shows the same figures as the Scorecard page of the same month and language."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest

from tests.web.conftest import LiveServer
from tests.web.scorecard_server import MONTH, figures, page_html, serve_scorecard

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve_scorecard(tmp_path_factory, "scorecard_pdf")


def _pdf_text(server: LiveServer, lang: str) -> str:
    with server.client("admin") as client:
        response = client.get(
            "/api/v1/scorecard/export", params={"month": MONTH, "format": "pdf", "lang": lang}
        )
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="scorecard-{MONTH}-{lang}.pdf"'
    )
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_shows_every_figure_of_the_page_in_order(server: LiveServer) -> None:
    # German: the figures with separators, decimal commas and signs most likely to break
    lang = "de"
    page = figures(page_html(server, lang, query=f"?month={MONTH}"))
    words = _pdf_text(server, lang).split()
    assert len(page) > 40
    assert words[:3] == ["Scorecard", "Marketing", "&"]
    position = 0
    for figure in page:
        # each figure whole (its own words, not part of a longer number), after the one before
        wanted = figure.split()
        found = next(
            (
                i
                for i in range(position, len(words) - len(wanted) + 1)
                if words[i : i + len(wanted)] == wanted
            ),
            None,
        )
        assert found is not None, f"{figure!r} of the page is not in the PDF after {position}"
        position = found + len(wanted)
