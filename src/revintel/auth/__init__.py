"""Users, roles, sessions, API tokens and the rules deciding which rows a user may see."""

from revintel.auth._access import (
    OWNER_COLUMNS,
    AccessDeniedError,
    ScopedStore,
    require,
    restrict,
    scoped_store,
    visible,
    visible_tables,
)
from revintel.auth._passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from revintel.auth._roles import ROLE_PERMISSIONS, Permission, Role, has_permission
from revintel.auth._sessions import SESSION_COOKIE, Session, SessionCodec
from revintel.auth._throttle import LoginThrottle
from revintel.auth._tokens import TokenInfo, create_token, list_tokens, revoke_token, user_for_token
from revintel.auth._users import (
    TOKENS_TABLE,
    USERS_TABLE,
    User,
    UserError,
    add_user,
    authenticate,
    ensure_auth_tables,
    get_user,
    list_users,
)

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "OWNER_COLUMNS",
    "ROLE_PERMISSIONS",
    "SESSION_COOKIE",
    "TOKENS_TABLE",
    "USERS_TABLE",
    "AccessDeniedError",
    "LoginThrottle",
    "Permission",
    "Role",
    "ScopedStore",
    "Session",
    "SessionCodec",
    "TokenInfo",
    "User",
    "UserError",
    "add_user",
    "authenticate",
    "create_token",
    "ensure_auth_tables",
    "get_user",
    "has_permission",
    "hash_password",
    "list_tokens",
    "list_users",
    "require",
    "restrict",
    "revoke_token",
    "scoped_store",
    "user_for_token",
    "verify_password",
    "visible",
    "visible_tables",
]
