"""Running the server: one process, or several sharing PostgreSQL stores.

Several processes (``--workers``) are uvicorn's workers, each building the application with
:func:`revintel.server.create_app` from the ``REVINTEL_*`` environment, which is set here from
the settings given. The stores are prepared once before the workers start, so that they do not
race to create the application store's tables.
"""

from __future__ import annotations

import os

from pydantic import SecretStr

from revintel.server._cli_bridge import CommandRunner
from revintel.server._settings import Settings
from revintel.server._state import StoreProvider

#: The application factory the workers import.
APP_FACTORY = "revintel.server:create_app"


def settings_environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``REVINTEL_*`` variables that make a worker read the same ones
    (the random secret key of demo mode included, so that every worker accepts the cookies
    the others signed)."""
    found = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        text = str(value).lower() if isinstance(value, bool) else str(value)
        found[f"REVINTEL_{name.upper()}"] = text
    found["REVINTEL_DB"] = settings.data_location
    found["REVINTEL_APP_DB"] = settings.app_location
    return found


def prepare_stores(settings: Settings) -> None:
    """Create or upgrade the data store and the application store's tables, then close them."""
    StoreProvider(settings.data_location, settings.app_location).close()


def run_server(settings: Settings, *, command_runner: CommandRunner | None = None) -> None:
    """Serve the dashboard and the API with ``settings`` until stopped.

    uvicorn reads no proxy headers itself: the application reads ``X-Forwarded-For`` from
    ``REVINTEL_TRUSTED_PROXIES`` only. ``command_runner`` lets one process on a DuckDB file
    run the commands of the command line that cannot open the file it holds.
    """
    import uvicorn

    if settings.workers == 1:
        from revintel.server._app import create_app

        app = create_app(settings, command_runner=command_runner)
        uvicorn.run(
            app, host=settings.host, port=settings.port, log_level="warning", proxy_headers=False
        )
        return
    prepare_stores(settings)
    os.environ.update(settings_environment(settings))
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        proxy_headers=False,
    )
