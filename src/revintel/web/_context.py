"""What every page needs: the signed-in user, the language, the session cookie and rendering."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from revintel.auth import SESSION_COOKIE, Permission, Session, User
from revintel.capabilities import NavEntry, nav_entries
from revintel.i18n import LANGUAGES, Language, Translator, language_or_default
from revintel.server import AppState, SessionDep, SessionUserDep, StateDep, StoreDep
from revintel.store import Store
from revintel.views import rep_names

R = TypeVar("R")
LANG_COOKIE = "revintel_lang"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
#: Stands for the session's CSRF token in kept page HTML (URL-safe tokens never contain it).
CSRF_SLOT = "__revintel_csrf_slot__"


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


def navigation(user: User | None) -> list[NavEntry]:
    """The navigation links ``user`` may follow, in display order (none when signed out)."""
    if user is None:
        return []
    return [e for e in nav_entries() if e.permission is None or user.can(Permission(e.permission))]


@dataclass(frozen=True)
class PageContext:
    """The request seen by a page handler."""

    request: Request
    state: AppState
    store: Store
    user: User
    session: Session
    t: Translator

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """The HTML of ``template`` with the common context (user, ``t``, CSRF token…).

        A successful ``GET`` page is rendered once per URL, user and language until the data
        changes (the result cache is cleared then); later requests only put their session's
        CSRF token into the kept HTML. The session cookie is not sent again: it is set at
        sign-in only.
        """
        extra = {"user": self.user, "rep_names": self.query_unscoped(rep_names)}
        if self.request.method != "GET" or status != 200:
            return render(
                self.request, self.state, template, self.session, self.t, status, **extra, **context
            )
        key = page_key(self.request, self.user.username, self.t.lang)
        html = self.state.cache.remember(
            key, lambda: render_text(self.request, template, self.t, CSRF_SLOT, **extra, **context)
        )
        return HTMLResponse(html.replace(CSRF_SLOT, self.session.csrf_token))

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
    """Render ``template`` with ``session``'s CSRF token (the caller sets a new session's
    cookie with :func:`set_session_cookie`)."""
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "t": t,
            "lang": t.lang,
            "languages": LANGUAGES,
            "csrf_token": session.csrf_token,
            "nav": navigation(context.get("user")),
            **context,
        },
        status_code=status,
    )


def page_key(request: Request, username: str, lang: str) -> tuple[str, ...]:
    """Cache key of a page's HTML: its URL, the signed-in user and the language."""
    return ("page", request.url.path, request.url.query, username, lang)


class CachedPageRoute(APIRoute):
    """A page route that answers from kept HTML before resolving its dependencies.

    A ``GET`` whose page is kept for the session's user and language is answered from the event
    loop with the session's CSRF token filled in; anything else runs the handler as usual.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, preceded by the look-up of kept HTML."""
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            kept = _kept_page(request) if request.method == "GET" else None
            return kept if kept is not None else await handler(request)

        return answer


def _kept_page(request: Request) -> Response | None:
    state: AppState = request.app.state.revintel
    session = state.sessions.read(request.cookies.get(SESSION_COOKIE))
    if session is None or session.username is None:
        return None
    key = page_key(request, session.username, request_language(request, state))
    html = state.cache.peek(key)
    if html is None:
        return None
    return HTMLResponse(html.replace(CSRF_SLOT, session.csrf_token))


def render_text(
    request: Request, template: str, t: Translator, csrf_token: str, **context: Any
) -> str:
    """The HTML of ``template`` as text (no response, no cookie)."""
    return TEMPLATES.get_template(template).render(
        request=request,
        t=t,
        lang=t.lang,
        languages=LANGUAGES,
        csrf_token=csrf_token,
        nav=navigation(context.get("user")),
        **context,
    )


def set_session_cookie(response: Response, state: AppState, session: Session) -> None:
    """Send ``session`` in a signed, HttpOnly, SameSite=Lax (and Secure) cookie: at sign-in,
    sign-out and when a browser without a valid session gets an anonymous one."""
    response.set_cookie(
        SESSION_COOKIE,
        state.sessions.cookie(session),
        max_age=state.sessions.max_age_seconds,
        path="/",
        secure=state.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


async def page_context(
    request: Request, state: StateDep, store: StoreDep, session: SessionDep, user: SessionUserDep
) -> PageContext:
    """The page's context; redirects to the login page when nobody is signed in."""
    if user is None or session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(target)
    t = Translator(request_language(request, state), state.currency)
    return PageContext(request, state, store, user, session, t)


PageDep = Annotated[PageContext, Depends(page_context)]


def login_redirect(exc: LoginRequiredError) -> RedirectResponse:
    """Where an anonymous visitor is sent."""
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)
