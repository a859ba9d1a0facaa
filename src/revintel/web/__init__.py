"""The dashboard: server-rendered pages in German and English with Plotly charts.

Its page routers are listed in :mod:`revintel.capabilities` and included by the server;
:func:`install_web` adds what every page needs around them.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from revintel.auth import SESSION_COOKIE, Session
from revintel.charts import STATIC_DIR, plotly_js
from revintel.i18n import Translator
from revintel.web._context import LoginRequiredError, login_redirect, render, request_language
from revintel.web._warmup import page_warmer


def render_html_error(request: Request, status: int, message: str) -> Response:
    """An error page in the visitor's language."""
    state = request.app.state.revintel
    session = state.sessions.read(request.cookies.get(SESSION_COOKIE)) or Session.anonymous()
    t = Translator(request_language(request, state))
    key = f"error.{status}" if status in (403, 404) else "error.other"
    return render(request, state, "error.html", session, t, status, code=status, message=t(key))


def install_web(app: FastAPI) -> None:
    """Add the dashboard's static files, HTML error pages and views computed ahead to ``app``."""

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
    app.state.render_html_error = render_html_error
    app.state.revintel.add_warmer(page_warmer(app, app.state.revintel))


__all__ = ["install_web", "render_html_error"]
