"""What every page needs: the signed-in user, the language, the session cookie and rendering."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from revintel.api._deps import SessionDep, SessionUserDep, StateDep, StoreDep
from revintel.api._state import AppState
from revintel.auth import SESSION_COOKIE, Permission, Session, User
from revintel.store import Store
from revintel.web._i18n import LANGUAGES, Language, Translator, language_or_default

R = TypeVar("R")
LANG_COOKIE = "revintel_lang"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class LoginRequiredError(Exception):
    """A page was opened without a session; the handler redirects to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def request_language(request: Request, state: AppState) -> Language:
    """The language chosen by the ``revintel_lang`` cookie, else the server default."""
    return language_or_default(request.cookies.get(LANG_COOKIE), state.settings.default_language)


def safe_next(value: str | None) -> str:
    """A same-site path to go to after login; anything else becomes ``/``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@dataclass(frozen=True)
class Page:
    """The request seen by a page handler."""

    request: Request
    state: AppState
    store: Store
    user: User
    session: Session
    t: Translator

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """The HTML of ``template`` with the common context (user, ``t``, CSRF token…)."""
        can_import = self.user.can(Permission.import_data)
        return render(
            self.request,
            self.state,
            template,
            self.session,
            self.t,
            status,
            user=self.user,
            can_import=can_import,
            **context,
        )

    def query(self, fn: Callable[..., R], *args: Any) -> R:
        """``fn(store, user, *args)`` through the server's result cache."""
        return self.state.cache.call(fn, self.store, self.user, *args)

    def query_unscoped(self, fn: Callable[..., R], *args: Any) -> R:
        """``fn(store, *args)`` (a read not scoped by user) through the cache."""
        return self.state.cache.call(fn, self.store, None, *args)

    def url(self, path: str, **params: Any) -> str:
        """``path`` with the non-empty ``params`` as query string."""
        kept = {k: v for k, v in params.items() if v not in (None, "")}
        return path + ("?" + urlencode(kept) if kept else "")


def render(
    request: Request,
    state: AppState,
    template: str,
    session: Session,
    t: Translator,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` and keep the session cookie on the response."""
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "lang": t.lang,
            "languages": LANGUAGES,
            "csrf_token": session.csrf_token,
            **context,
        },
        status_code=status,
    )
    set_session_cookie(response, state, session)
    return response


def set_session_cookie(response: Response, state: AppState, session: Session) -> None:
    """Store ``session`` in a signed, HttpOnly, SameSite=Lax (and Secure) cookie."""
    response.set_cookie(
        SESSION_COOKIE,
        state.codec.dumps(session),
        max_age=int(state.settings.session_hours * 3600),
        path="/",
        secure=state.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


async def page_context(
    request: Request, state: StateDep, store: StoreDep, session: SessionDep, user: SessionUserDep
) -> Page:
    """The page's context; redirects to the login page when nobody is signed in."""
    if user is None or session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(target)
    return Page(request, state, store, user, session, Translator(request_language(request, state)))


PageDep = Annotated[Page, Depends(page_context)]


def login_redirect(exc: LoginRequiredError) -> RedirectResponse:
    """Where an anonymous visitor is sent."""
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)
