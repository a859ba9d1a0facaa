"""Server settings, read from ``REVINTEL_*`` environment variables or given explicitly."""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Secrets that must never protect a real installation.
KNOWN_DEFAULT_SECRETS = frozenset({"", "changeme", "change-me", "secret", "revintel", "demo"})
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """The server settings are unsafe or invalid; the message names the setting."""


class Settings(BaseSettings):
    """How the server runs.

    Attributes
    ----------
    db
        Store path or URL (``REVINTEL_DB``; default ``./revintel.duckdb``).
    secret_key
        Key signing session cookies (``REVINTEL_SECRET_KEY``): at least 32 characters, required
        unless ``demo`` is set, in which case a random one is drawn per start.
    demo
        Demo mode (``REVINTEL_DEMO``): allows the random secret.
    cookie_secure
        Send cookies only over HTTPS (browsers treat loopback addresses as secure too).
    session_hours
        Lifetime of a login.
    default_language
        Language of the dashboard until a user picks one.
    threads
        Worker threads running request handlers (``REVINTEL_THREADS``).
    warm_up
        Compute the main dashboard views at start and after each import, before anyone asks
        (``REVINTEL_WARM_UP``).
    login_max_failures, login_window_seconds
        Failed sign-ins allowed per user and per client address within the window; further
        attempts get 429 until the oldest failure leaves the window.
    """

    model_config = SettingsConfigDict(env_prefix="REVINTEL_", extra="ignore")

    db: str | None = None
    secret_key: SecretStr | None = None
    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    cookie_secure: bool = True
    session_hours: float = 12.0
    threads: int = Field(default=8, ge=1, le=256)
    warm_up: bool = True
    default_language: Literal["de", "en"] = "de"
    login_max_failures: int = Field(default=10, ge=1, le=10_000)
    login_window_seconds: float = Field(default=300.0, gt=0, le=86_400)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        value = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if self.demo and not value:
            self.secret_key = SecretStr(secrets.token_urlsafe(48))
            return self
        if value.strip().lower() in KNOWN_DEFAULT_SECRETS or len(value) < MIN_SECRET_LENGTH:
            raise ValueError(
                "REVINTEL_SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_LENGTH} characters outside demo mode, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return self

    @property
    def secret(self) -> str:
        """The session-signing key."""
        assert self.secret_key is not None  # set by the validator
        return self.secret_key.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with ``overrides`` applied (``None`` values ignored).

    Raises
    ------
    SettingsError
        A setting is invalid or the secret key is missing, a known default or too short.
    """
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(_problem(e["loc"], e["msg"]) for e in exc.errors())
        raise SettingsError(f"invalid server settings: {problems}") from None


def _problem(loc: tuple[int | str, ...], msg: str) -> str:
    message = msg.removeprefix("Value error, ")
    return f"{'.'.join(str(p) for p in loc)}: {message}" if loc else message
