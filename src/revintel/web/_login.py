"""Sign-in, sign-out and the language switch.

Signing in starts a session kept by the server (a new id in the cookie, set only here);
signing out ends it, so the old cookie is refused at once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from revintel.auth import Session, authenticate
from revintel.i18n import Translator, language_or_default
from revintel.server import AppState, SessionDep, StateDep, StoreDep, client_address
from revintel.web._context import (
    LANG_COOKIE,
    render,
    request_language,
    safe_next,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, state: StateDep, session: SessionDep, next: str = "/") -> Response:
    """The sign-in form; starts an anonymous session whose CSRF token the form carries unless
    the browser has a valid session."""
    t = Translator(request_language(request, state))
    if session is not None:
        return render(request, state, "login.html", session, t, next=safe_next(next), failed=False)
    fresh = Session.anonymous()
    response = render(request, state, "login.html", fresh, t, next=safe_next(next), failed=False)
    set_session_cookie(response, state, fresh)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    state: StateDep,
    store: StoreDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the CSRF token and the password; on success start a signed-in session.

    Failures are counted per user name and client address (the address a trusted proxy names)
    and per user name; demo accounts sign in only in demo mode.
    """
    t = Translator(request_language(request, state))
    if session is None or not session.csrf_matches(csrf_token):
        fresh = Session.anonymous()
        response = render(
            request, state, "login.html", fresh, t, 403, next=safe_next(next), failed=True
        )
        set_session_cookie(response, state, fresh)
        return response
    address = client_address(request)
    wait = state.throttle.retry_after(username, address)
    if wait:
        return _throttled(request, state, session, t, safe_next(next), wait)
    user = authenticate(store, username.strip(), password, allow_demo=state.settings.demo)
    if user is None:
        state.throttle.fail(username, address)
        return render(
            request, state, "login.html", session, t, 401, next=safe_next(next), failed=True
        )
    state.throttle.succeed(username, address)
    signed_in = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(signed_in, state, state.sessions.start(user, replacing=session))
    return signed_in


def _throttled(
    request: Request, state: AppState, session: Session, t: Translator, next_url: str, wait: int
) -> Response:
    response = render(
        request, state, "login.html", session, t, 429, next=next_url, failed=False, wait=wait
    )
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/logout")
def logout(
    state: StateDep, session: SessionDep, csrf_token: Annotated[str, Form(max_length=128)] = ""
) -> Response:
    """End the session (CSRF-checked so another site cannot sign a user out): the server
    forgets it, so its cookie is refused from now on, and the browser gets an anonymous one."""
    if session is None or not session.csrf_matches(csrf_token):
        return Response("invalid CSRF token", status_code=403)
    state.sessions.end(session)
    response = RedirectResponse("/login", status_code=303)
    set_session_cookie(response, state, Session.anonymous())
    return response


@router.get("/lang/{code}")
def switch_language(code: str, state: StateDep, next: str = "/") -> Response:
    """Remember the language in a cookie and go back to ``next``."""
    response = RedirectResponse(safe_next(next), status_code=303)
    lang = language_or_default(code, state.settings.default_language)
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 86400,
        path="/",
        secure=state.settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response
