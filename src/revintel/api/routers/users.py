"""``/api/v1/me``, ``/api/v1/tokens`` and ``/api/v1/users``: the caller, their tokens, all users."""

from __future__ import annotations

from fastapi import APIRouter, Response

from revintel.api.routers.users_schemas import (
    Me,
    NewUser,
    TokenCreated,
    TokenOut,
    TokenRequest,
)
from revintel.auth import add_user, create_token, list_tokens, list_users, revoke_token
from revintel.server import AdminDep, ApiError, StateDep, StoreDep, UserDep

router = APIRouter(tags=["users"])


@router.get("/me", response_model=Me, summary="The caller")
def me(user: UserDep) -> Me:
    """Who the session or token belongs to, with role and rep."""
    return Me(**user.__dict__)


@router.get("/users", response_model=list[Me], summary="All users (admin)")
def users(store: StoreDep, admin: AdminDep) -> list[Me]:
    """Every active user; admins only."""
    return [Me(**u.__dict__) for u in list_users(store)]


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
    return Me(**user.__dict__)


@router.get("/tokens", response_model=list[TokenOut], summary="The caller's API tokens")
def tokens(store: StoreDep, user: UserDep) -> list[TokenOut]:
    """The caller's unrevoked tokens (without their secrets)."""
    return [TokenOut.model_validate(t) for t in list_tokens(store, user.username)]


@router.post("/tokens", response_model=TokenCreated, status_code=201, summary="Issue a token")
def new_token(body: TokenRequest, store: StoreDep, user: UserDep) -> TokenCreated:
    """A new token for the caller; its secret appears only in this response."""
    secret, info = create_token(store, user.username, body.name, valid_days=body.valid_days)
    return TokenCreated(token=secret, **TokenOut.model_validate(info).model_dump())


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke a token")
def delete_token(token_id: str, store: StoreDep, user: UserDep, state: StateDep) -> Response:
    """Revoke one of the caller's tokens."""
    if not revoke_token(store, user.username, token_id):
        raise ApiError(404, f"you have no token {token_id!r}")
    state.cache.clear()  # the token's owner was cached for it
    return Response(status_code=204)
