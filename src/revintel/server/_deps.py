"""Request dependencies shared by the API routers and the dashboard pages.

They are coroutines so that FastAPI runs them on the event loop instead of sending each to the
thread pool: they only read cookies and headers and, when a token or session is not kept in
memory yet (or was kept for a while), run one small lookup.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from revintel.auth import (
    SESSION_COOKIE,
    Permission,
    Session,
    TokenInfo,
    User,
    require,
)
from revintel.server._errors import ApiError
from revintel.server._logging import note_user
from revintel.server._state import AppState
from revintel.store import Store

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"


async def get_state(request: Request) -> AppState:
    """The running server's state."""
    state: AppState = request.app.state.revintel
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_store(state: StateDep) -> AsyncIterator[Store]:
    """A store connection reserved for the request."""
    with state.stores.borrow() as store:
        yield store


StoreDep = Annotated[Store, Depends(get_store)]


async def read_session(request: Request, state: StateDep) -> Session | None:
    """The browser's session from its cookie, if valid: an anonymous one, or a signed-in one
    the server still holds (not signed out, ended or expired; reading it counts as use)."""
    return state.sessions.read(request.cookies.get(SESSION_COOKIE))


SessionDep = Annotated[Session | None, Depends(read_session)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def optional_user(
    request: Request, state: StateDep, store: StoreDep, session: SessionDep
) -> User | None:
    """The caller: by API token (``Authorization: Bearer``) or by session cookie.

    Cookie-authenticated requests that change state must echo the session's CSRF token in the
    ``X-CSRF-Token`` header; token-authenticated ones need not, as browsers never add tokens.
    """
    token = _bearer(request)
    if token is not None:
        # Checked on every request: a kept look-up never outlives the token's expiry, and a
        # revoked token is forgotten at once.
        grant = state.tokens.grant(store, token)
        if grant is None:
            raise ApiError(401, "the API token is invalid, expired or revoked")
        request.state.token = grant.token
        note_user(grant.user.username)
        return grant.user
    if session is None or session.user is None:
        return None
    if request.method not in SAFE_METHODS and not session.csrf_matches(
        request.headers.get(CSRF_HEADER)
    ):
        raise ApiError(403, f"missing or wrong {CSRF_HEADER} header")
    return await session_user(session)


async def session_user(session: SessionDep) -> User | None:
    """The user signed in by the session cookie (pages check their forms' CSRF field)."""
    if session is None or session.user is None:
        return None
    note_user(session.user.username)
    return session.user


SessionUserDep = Annotated[User | None, Depends(session_user)]


OptionalUserDep = Annotated[User | None, Depends(optional_user)]


async def current_user(user: OptionalUserDep) -> User:
    """The signed-in caller; 401 otherwise."""
    if user is None:
        raise ApiError(401, "sign in or send an API token as 'Authorization: Bearer <token>'")
    return user


UserDep = Annotated[User, Depends(current_user)]


async def caller_token(request: Request, user: UserDep) -> TokenInfo | None:
    """The API token that authenticated the caller (``None`` for a signed-in browser)."""
    token: TokenInfo | None = getattr(request.state, "token", None)
    return token


#: The record of the API token the caller sent, or ``None`` when signed in by a session.
CallerTokenDep = Annotated[TokenInfo | None, Depends(caller_token)]


def client_address(request: Request) -> str | None:
    """The client's address: the connection's, or when it comes from a trusted proxy
    (``REVINTEL_TRUSTED_PROXIES``), the one the proxy names in ``X-Forwarded-For``."""
    state: AppState = request.app.state.revintel
    peer = request.client.host if request.client else None
    return state.proxies.client(peer, request.headers.get("X-Forwarded-For"))


def permitted(permission: Permission) -> Callable[[User], Awaitable[User]]:
    """A dependency giving the caller, who must hold ``permission`` (403 otherwise)."""

    async def caller(user: UserDep) -> User:
        require(user, permission)
        return user

    return caller


#: The caller, who may manage users.
AdminDep = Annotated[User, Depends(permitted(Permission.manage_users))]
#: The caller, who may import and change data.
ImporterDep = Annotated[User, Depends(permitted(Permission.import_data))]
#: The caller, who sees every row (figures over the whole store).
AnalystDep = Annotated[User, Depends(permitted(Permission.view_all_rows))]
