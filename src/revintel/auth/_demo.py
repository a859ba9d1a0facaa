"""The demo company's logins: their password is published, so they work in demo mode only."""

from __future__ import annotations

from revintel.auth._accounts import accounts_of
from revintel.auth._passwords import verify_password
from revintel.auth._users import USERS_TABLE, ensure_auth_tables
from revintel.store import Store

#: The demo logins (user name, role) that ``revintel demo`` creates and prints.
DEMO_USERS = (("demo", "admin"), ("demo-rep", "sales_rep"))
#: Their password, printed by ``revintel demo`` and written in the docs.
DEMO_PASSWORD = "revintel-demo"


def demo_accounts(store: Store) -> list[str]:
    """The names of the demo accounts in ``store``, marked as such (:attr:`User.demo`).

    Besides the users marked when they were created, a user named like a demo login whose
    password is still the published one (made before demo accounts were marked) counts, and is
    marked now.
    """
    ensure_auth_tables(store)
    names = [name for name, _ in DEMO_USERS]
    rows = (
        accounts_of(store)
        .execute_sql(
            f"""SELECT username, password_hash, demo FROM {USERS_TABLE}
            WHERE username IN ({", ".join("?" for _ in names)})""",
            names,
        )
        .to_pylist()
    )
    for row in rows:
        if not row["demo"] and verify_password(str(row["password_hash"]), DEMO_PASSWORD):
            accounts_of(store).execute_sql(
                f"UPDATE {USERS_TABLE} SET demo = TRUE WHERE username = ?", [row["username"]]
            )
    marked = accounts_of(store).execute_sql(
        f"SELECT username FROM {USERS_TABLE} WHERE demo ORDER BY username"
    )
    return [str(name) for name in marked.column("username").to_pylist()]
