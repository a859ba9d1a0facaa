"""Bodies of the user and API token endpoints."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from revintel.api.routers.shared_schemas import Timestamp, json_integer
from revintel.auth import MIN_PASSWORD_LENGTH, USERNAME_PATTERN, Role


class Me(BaseModel):
    """The caller."""

    username: str
    display_name: str
    role: Role
    rep_id: str | None = None


class NewUser(BaseModel):
    """A user to create (admins only)."""

    username: str = Field(
        min_length=2,
        max_length=64,
        pattern=USERNAME_PATTERN,
        description="lower case letters, digits and `_ . @ -`, starting with a letter or digit",
    )
    password: str = Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=1024,
        description=f"at least {MIN_PASSWORD_LENGTH} characters",
    )
    role: Role
    rep_id: str | None = Field(default=None, max_length=64, description="for sales reps")
    display_name: str | None = Field(default=None, max_length=200)


class TokenRequest(BaseModel):
    """Ask for a new API token."""

    name: str = Field(min_length=1, max_length=100, description="what the token is for")
    valid_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="days until it expires; none: never (signed in) or with the calling token",
    )

    _integer = field_validator("valid_days", mode="before")(json_integer)


class TokenOut(BaseModel):
    """A token's record (never its secret)."""

    model_config = ConfigDict(from_attributes=True)
    token_id: str
    name: str
    created_at: Timestamp
    expires_at: Timestamp | None = None


class TokenCreated(TokenOut):
    """A new token; ``token`` is shown only in this response."""

    token: str
