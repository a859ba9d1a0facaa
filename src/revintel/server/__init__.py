"""The server every web surface runs in: the application factory and what requests share.

``create_app`` builds one FastAPI application holding the REST API and the dashboard, found
through :mod:`revintel.capabilities`; the API routers and the pages take their dependencies
(the caller, a store connection, the result cache) from here.
"""

from revintel.server._app import API_V1, create_app
from revintel.server._cache import ResultCache, scope
from revintel.server._cli_bridge import (
    BRIDGE_PATH,
    SECRET_HEADER,
    CommandRequest,
    CommandResult,
    CommandRunner,
    Registration,
    StoreLender,
    read_registration,
    registration_path,
)
from revintel.server._deps import (
    CSRF_HEADER,
    AdminDep,
    AnalystDep,
    CallerTokenDep,
    ImporterDep,
    OptionalUserDep,
    SessionDep,
    SessionUserDep,
    StateDep,
    StoreDep,
    UserDep,
    client_address,
)
from revintel.server._errors import ApiError, install_error_handlers
from revintel.server._refresh import asgi_get, signed_in, warm_user
from revintel.server._settings import Settings, SettingsError, load_settings, workers_problem
from revintel.server._slices import FilterValue, SliceDep, slice_params
from revintel.server._state import AppState
from revintel.server._timezone import response_zone
from revintel.server._uploads import (
    MAX_UPLOAD_BYTES,
    file_limits,
    import_uploads,
    remove_folder,
    safe_filename,
    save_uploads,
)
from revintel.server._workers import run_server, settings_environment

__all__ = [
    "API_V1",
    "BRIDGE_PATH",
    "CSRF_HEADER",
    "MAX_UPLOAD_BYTES",
    "SECRET_HEADER",
    "AdminDep",
    "AnalystDep",
    "ApiError",
    "AppState",
    "CallerTokenDep",
    "CommandRequest",
    "CommandResult",
    "CommandRunner",
    "FilterValue",
    "ImporterDep",
    "OptionalUserDep",
    "Registration",
    "ResultCache",
    "SessionDep",
    "SessionUserDep",
    "Settings",
    "SettingsError",
    "SliceDep",
    "StateDep",
    "StoreDep",
    "StoreLender",
    "UserDep",
    "asgi_get",
    "client_address",
    "create_app",
    "file_limits",
    "import_uploads",
    "install_error_handlers",
    "load_settings",
    "read_registration",
    "registration_path",
    "remove_folder",
    "response_zone",
    "run_server",
    "safe_filename",
    "save_uploads",
    "scope",
    "settings_environment",
    "signed_in",
    "slice_params",
    "warm_user",
    "workers_problem",
]
