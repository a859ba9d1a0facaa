"""The dashboard: server-rendered pages in German and English with Plotly charts."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from revintel.auth import SESSION_COOKIE, Session
from revintel.web import (
    _downloads,
    _duplicates,
    _forecast,
    _funnel,
    _imports,
    _login,
    _pages,
    _velocity,
)
from revintel.web._context import LoginRequiredError, login_redirect, render, request_language
from revintel.web._i18n import MESSAGES, Translator
from revintel.web._warmup import page_warmer

STATIC_DIR = Path(__file__).parent / "static"


@cache
def plotly_js() -> bytes:
    """plotly.min.js as shipped inside the installed ``plotly`` package (never from a CDN)."""
    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


def render_html_error(request: Request, status: int, message: str) -> Response:
    """An error page in the visitor's language."""
    state = request.app.state.revintel
    session = state.codec.loads(request.cookies.get(SESSION_COOKIE)) or Session.anonymous()
    t = Translator(request_language(request, state))
    key = f"error.{status}" if status in (403, 404) else "error.other"
    return render(request, state, "error.html", session, t, status, code=status, message=t(key))


def install_web(app: FastAPI) -> None:
    """Add the dashboard's pages, static files and HTML error pages to ``app``."""

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def _plotly() -> Response:
        return Response(
            plotly_js(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.exception_handler(LoginRequiredError)
    async def _login_required(request: Request, exc: LoginRequiredError) -> Response:
        return login_redirect(exc)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(_login.router)
    app.include_router(_pages.router)
    app.include_router(_imports.router)
    app.include_router(_duplicates.router)
    app.include_router(_funnel.router)
    app.include_router(_forecast.router)
    app.include_router(_velocity.router)
    app.include_router(_downloads.router)
    app.state.render_html_error = render_html_error
    app.state.revintel.add_warmer(page_warmer(app, app.state.revintel))


__all__ = ["MESSAGES", "Translator", "install_web", "plotly_js"]
