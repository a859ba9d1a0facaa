"""``/api/v1/me``, ``/api/v1/tokens`` and ``/api/v1/users``: the caller, their tokens, all users."""

from __future__ import annotations

from fastapi import APIRouter, Response

from revintel.api.routers._common import PageDep, offset_page
from revintel.api.routers.shared_schemas import Page
from revintel.api.routers.users_schemas import (
    Me,
    NewUser,
    TokenCreated,
    TokenOut,
    TokenRequest,
)
from revintel.auth import (
    add_user,
    create_token,
    get_user,
    list_tokens,
    list_users,
    revoke_token,
)
from revintel.server import (
    AdminDep,
    ApiError,
    CallerTokenDep,
    StateDep,
    StoreDep,
    UserDep,
)

router = APIRouter(tags=["users"])


def _me(user: object) -> Me:
    return Me.model_validate(user, from_attributes=True)


@router.get("/me", response_model=Me, summary="The caller")
def me(user: UserDep) -> Me:
    """Who the session or token belongs to, with role and rep."""
    return _me(user)


@router.get("/users", response_model=Page[Me], summary="All users (admin)")
def users(store: StoreDep, admin: AdminDep, page: PageDep) -> Page[Me]:
    """Every active user; admins only."""
    found = [_me(u) for u in list_users(store)]
    return offset_page(found, page, {"list": "users"}, len(found))


@router.post("/users", response_model=Me, status_code=201, summary="Create a user (admin)")
def create_user(body: NewUser, store: StoreDep, admin: AdminDep) -> Me:
    """A new user with an Argon2id-hashed password, as ``revintel users add`` creates; a sales
    rep needs the ``rep_id`` whose rows they will see."""
    user = add_user(
        store,
        body.username,
        body.password,
        body.role,
        rep_id=body.rep_id,
        display_name=body.display_name,
    )
    return _me(user)


@router.delete(
    "/users/{username}/sessions", status_code=204, summary="Sign a user out everywhere (admin)"
)
def end_sessions(username: str, state: StateDep, store: StoreDep, admin: AdminDep) -> Response:
    """End every dashboard session of ``username`` at once, as ``revintel users
    sessions-revoke`` does; their API tokens stay valid (revoke those separately)."""
    if get_user(store, username) is None:
        raise ApiError(404, f"no active user {username!r}")
    state.sessions.end_all(username)
    return Response(status_code=204)


@router.get("/tokens", response_model=Page[TokenOut], summary="The caller's API tokens")
def tokens(store: StoreDep, user: UserDep, page: PageDep) -> Page[TokenOut]:
    """The caller's unrevoked tokens (without their secrets)."""
    found = [TokenOut.model_validate(t) for t in list_tokens(store, user.username)]
    return offset_page(found, page, {"list": "tokens"}, len(found))


@router.post("/tokens", response_model=TokenCreated, status_code=201, summary="Issue a token")
def new_token(
    body: TokenRequest, store: StoreDep, user: UserDep, caller: CallerTokenDep
) -> TokenCreated:
    """A new token for the caller; its secret appears only in this response.

    Asked for with an API token, the new token expires no later than that one (a longer
    ``valid_days`` is shortened, none means the same expiry), and a token without expiry
    cannot ask for one without ``valid_days`` (403): tokens that never expire come from a
    signed-in browser or ``revintel users token``.
    """
    secret, info = create_token(
        store, user.username, body.name, valid_days=body.valid_days, parent=caller
    )
    return TokenCreated(token=secret, **TokenOut.model_validate(info).model_dump())


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke a token")
def delete_token(token_id: str, store: StoreDep, user: UserDep, state: StateDep) -> Response:
    """Revoke one of the caller's tokens; it is refused from the next request on."""
    if not revoke_token(store, user.username, token_id):
        raise ApiError(404, f"you have no token {token_id!r}")
    state.tokens.forget(token_id)
    return Response(status_code=204)
