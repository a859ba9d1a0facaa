"""Server settings, read from ``REVINTEL_*`` environment variables or given explicitly."""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from revintel.auth import (
    TrustedProxies,
    app_location,
    is_duckdb_file,
    is_loopback,
    is_postgres,
    secret_key_problem,
)
from revintel.store import resolve_location


class SettingsError(ValueError):
    """The server settings are unsafe or invalid; the message names the setting."""


class Settings(BaseSettings):
    """How the server runs.

    Attributes
    ----------
    db
        Store path or URL (``REVINTEL_DB``; default ``./revintel.duckdb``).
    app_db
        Application store holding users, API tokens, sessions and failed sign-ins
        (``REVINTEL_APP_DB``): a DuckDB file or a PostgreSQL URL; default the data store itself,
        or for a Spark data store ``revintel-app.duckdb`` in its warehouse folder.
    workers
        Server processes (``REVINTEL_WORKERS``, default 1); more than one needs the data and the
        application store on PostgreSQL.
    secret_key
        Key signing session cookies and deriving CSRF tokens (``REVINTEL_SECRET_KEY``): an
        estimated 128 bits of entropy or more, required unless ``demo`` is set, in which case a
        random one is drawn per start.
    demo
        Demo mode (``REVINTEL_DEMO``): allows the random secret and the demo logins; loopback
        ``host`` only.
    cookie_secure
        Send cookies only over HTTPS (browsers treat loopback addresses as secure too).
    session_hours
        Lifetime of a login however it is used (the absolute expiry of a session).
    session_idle_minutes
        A session unused for longer ends (``REVINTEL_SESSION_IDLE_MINUTES``).
    trusted_proxies
        Addresses and networks of reverse proxies whose ``X-Forwarded-For`` names the client
        (``REVINTEL_TRUSTED_PROXIES``, comma-separated; default none).
    default_language
        Language of the dashboard until a user picks one.
    threads
        Worker threads running request handlers (``REVINTEL_THREADS``).
    warm_up
        Compute the main dashboard views at start and after each import, before anyone asks
        (``REVINTEL_WARM_UP``); after an import, also the API answers kept before it.
    refresh_seconds
        After an import (with ``warm_up``), seconds at most during which other readers are
        answered with the results as of before it while the new ones are computed
        (``REVINTEL_REFRESH_SECONDS``); the import's own response waits as long.
    refresh_in_helper
        On a DuckDB file, compute the results again after an import in a helper process on a
        copy of the store (``REVINTEL_REFRESH_IN_HELPER``, default on), so that requests are
        not slowed meanwhile; off, or when the helper fails, the server computes them itself.
    helper_min_mib
        On a store file smaller than this many MiB the server computes the views itself even so
        (``REVINTEL_HELPER_MIN_MIB``, default 16): starting a helper costs seconds, computing a
        small company's views less than that.
    helper_nice
        How much lower the helper's scheduling priority is (``REVINTEL_HELPER_NICE``, 0–19,
        default 10): on a busy machine requests get the processor first.
    login_max_failures, login_window_seconds
        Failed sign-ins allowed per user name from one client address within the window (five
        times as many from all addresses); further attempts get 429 until the oldest failure
        leaves the window.
    log_format
        ``text`` (default) or ``json``: one JSON object per line (``REVINTEL_LOG_FORMAT``).
    log_level
        Level of revintel's own messages besides the access lines (``REVINTEL_LOG_LEVEL``,
        default ``warning``; ``info`` adds what each computation did).
    metrics_port, metrics_host
        Serve ``/metrics`` without sign-in on this port and address (``REVINTEL_METRICS_PORT``,
        loopback by default) instead of to admins on the main port.
    max_body_bytes, max_unpacked_bytes, max_rows, max_columns, max_cells, max_cell_chars,
    max_rejected_rows, max_what_if_factor, max_simulations, max_cache_bytes, import_wait_seconds
        Resource limits (``REVINTEL_MAX_BODY_BYTES`` …); see docs/limits.md.
    """

    model_config = SettingsConfigDict(env_prefix="REVINTEL_", extra="ignore")

    db: str | None = None
    app_db: str | None = None
    workers: int = Field(default=1, ge=1, le=64)
    secret_key: SecretStr | None = None
    demo: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    cookie_secure: bool = True
    session_hours: float = 12.0
    threads: int = Field(default=8, ge=1, le=256)
    warm_up: bool = True
    refresh_seconds: float = Field(default=60.0, ge=0, le=3_600)
    refresh_in_helper: bool = True
    helper_nice: int = Field(default=10, ge=0, le=19)
    helper_min_mib: float = Field(default=16.0, ge=0)
    default_language: Literal["de", "en"] = "de"
    login_max_failures: int = Field(default=10, ge=1, le=10_000)
    login_window_seconds: float = Field(default=300.0, gt=0, le=86_400)
    # Sessions and proxies (docs/dashboard.md, "Sessions, tokens and the secret key").
    session_idle_minutes: float = Field(default=30.0, gt=0, le=10_080)
    trusted_proxies: str = ""
    # Operations: log format and where /metrics is served (docs/production.md).
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["debug", "info", "warning", "error"] = "warning"
    metrics_port: int | None = Field(default=None, ge=1, le=65_535)
    metrics_host: str = "127.0.0.1"
    # Resource limits (docs/limits.md lists each with its default and what happens when hit).
    max_body_bytes: int = Field(default=200 << 20, ge=1 << 10)
    max_unpacked_bytes: int = Field(default=256 << 20, ge=1 << 10)
    max_rows: int = Field(default=1_048_576, ge=1)
    max_columns: int = Field(default=1_000, ge=1)
    max_cells: int = Field(default=20_000_000, ge=1)
    max_cell_chars: int = Field(default=32_767, ge=1)
    max_rejected_rows: int = Field(default=100_000, ge=1)
    max_what_if_factor: float = Field(default=10.0, gt=0, le=10.0)
    max_simulations: int = Field(default=5_000, ge=100, le=100_000)
    max_cache_bytes: int = Field(default=256 << 20, ge=1 << 20)
    import_wait_seconds: float = Field(default=5.0, ge=0, le=600)

    @field_validator("trusted_proxies")
    @classmethod
    def _parse_proxies(cls, value: str) -> str:
        TrustedProxies.parse(value)
        return value

    @model_validator(mode="after")
    def _refuse_workers_that_cannot_share(self) -> Settings:
        problem = workers_problem(self.workers, self.data_location, self.app_location)
        if problem is not None:
            raise ValueError(problem)
        if self.workers > 1 and self.metrics_port is not None:
            raise ValueError(
                f"metrics_port: {self.workers} server processes cannot all listen on port "
                f"{self.metrics_port}; with several workers leave REVINTEL_METRICS_PORT unset "
                "and scrape /metrics on the main port"
            )
        return self

    @model_validator(mode="after")
    def _refuse_weak_secret_and_public_demo(self) -> Settings:
        if self.demo and not is_loopback(self.host):
            raise ValueError(
                f"demo mode serves on loopback only (127.0.0.1, ::1, localhost), not {self.host}: "
                "its logins and password are published"
            )
        value = self.secret_key.get_secret_value() if self.secret_key is not None else ""
        if self.demo and not value:
            self.secret_key = SecretStr(secrets.token_urlsafe(48))
            return self
        problem = secret_key_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return self

    @property
    def data_location(self) -> str:
        """Where the data store is (``db``, else ``$REVINTEL_DB``, else the default file)."""
        return resolve_location(self.db)

    @property
    def app_location(self) -> str:
        """Where the application store is (see ``app_db``)."""
        return app_location(self.data_location, self.app_db)

    @property
    def proxies(self) -> TrustedProxies:
        """The proxies trusted to name the client (parsed ``trusted_proxies``)."""
        return TrustedProxies.parse(self.trusted_proxies)

    @property
    def secret(self) -> str:
        """The session-signing key."""
        assert self.secret_key is not None  # set by the validator
        return self.secret_key.get_secret_value()


def workers_problem(workers: int, data_location: str, app_store: str) -> str | None:
    """Why ``workers`` server processes cannot share these stores, or ``None`` when they can.

    A DuckDB file admits one writing process (the server holds its lock), and a Spark data
    store's local catalog one Spark session: several processes need PostgreSQL for both.
    """
    if workers <= 1:
        return None
    for kind, location in (("data store", data_location), ("application store", app_store)):
        if is_duckdb_file(location):
            return (
                f"workers: {workers} server processes cannot share the {kind} {location}: a "
                "DuckDB file admits one process; serve it with --workers 1, or keep data and "
                "users on PostgreSQL (--db postgresql://…, --app-db postgresql://…)"
            )
        if not is_postgres(location):
            return (
                f"workers: several server processes need the {kind} on PostgreSQL, not "
                f"{location}; serve it with --workers 1"
            )
    return None


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with ``overrides`` applied (``None`` values ignored).

    Raises
    ------
    SettingsError
        A setting is invalid, the secret key missing or guessable, or demo mode asked to listen
        on an address other machines can reach.
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
