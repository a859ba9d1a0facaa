"""The REST API: an application factory serving JSON under ``/api/v1`` and the dashboard."""

from revintel.api._app import API_V1, create_app
from revintel.api._errors import ApiError
from revintel.api._settings import Settings, SettingsError, load_settings

__all__ = ["API_V1", "ApiError", "Settings", "SettingsError", "create_app", "load_settings"]
