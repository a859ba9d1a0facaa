"""The application store on its own: users apart from the data, the throttle and the data
version kept in a store, and several server processes refused on DuckDB files."""

from __future__ import annotations

import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from revintel.auth import (
    FAILURES_TABLE,
    USERS_TABLE,
    StoredLoginThrottle,
    add_user,
    app_location,
    ensure_auth_tables,
    get_user,
    link_accounts,
    list_users,
)
from revintel.server import (
    Settings,
    SettingsError,
    create_app,
    load_settings,
    settings_environment,
)
from revintel.server._data_version import DataVersion, ensure_version_table
from revintel.store import Store, open_store
from tests.server.conftest import SECRET
from tests.web.conftest import csrf_from, session_cookie
from tests.web.stores import PASSWORD, build_store


def _tables(path: Path) -> set[str]:
    with open_store(path) as store:
        return set(store.engine.list_tables())


def test_a_server_keeps_its_users_in_the_application_store(tmp_path: Path) -> None:
    data, accounts = tmp_path / "data.duckdb", tmp_path / "accounts.duckdb"
    build_store(data)  # its users stay in the data file: this server does not see them
    with open_store(accounts) as store:
        add_user(store, "anna", PASSWORD, "admin")
    settings = Settings(db=str(data), app_db=str(accounts), secret_key=SECRET, warm_up=False)
    with TestClient(create_app(settings)) as client:
        form = client.get("/login")
        cookie = {"Cookie": f"revintel_session={session_cookie(form)}"}
        fields = {"username": "chef", "password": PASSWORD, "csrf_token": csrf_from(form.text)}
        assert client.post("/login", data=fields, headers=cookie).status_code == 401
        fields["username"] = "anna"
        signed_in = client.post("/login", data=fields, headers=cookie, follow_redirects=False)
        assert signed_in.status_code == 303
        session = {"Cookie": f"revintel_session={session_cookie(signed_in)}"}
        me = client.get("/api/v1/me", headers=session)
        # The data file's anna is a sales rep; this server's anna is the application store's.
        assert me.status_code == 200 and me.json()["role"] == "admin"
        # The data is read from the data store: the hand-made store's 12 leads.
        info = client.get("/api/v1/store", headers=session).json()
        assert {t["name"]: t["rows"] for t in info["tables"]}["leads"] == 12
        # Users made through the API land in the application store, rep ids checked in the data.
        csrf = csrf_from(client.get("/import", headers=session).text)
        made = client.post(
            "/api/v1/users",
            json={"username": "bea", "password": PASSWORD, "role": "sales_rep", "rep_id": "r1"},
            headers={**session, "X-CSRF-Token": csrf},
        )
        assert made.status_code == 201, made.text
    with open_store(accounts) as store:
        assert [u.username for u in list_users(store)] == ["anna", "bea"]
        assert store.execute_sql("SELECT * FROM auth_sessions").num_rows == 1
    with open_store(data) as store:
        assert get_user(store, "bea") is None


def test_a_linked_data_store_keeps_accounts_in_its_application_store(tmp_path: Path) -> None:
    data, accounts = tmp_path / "data.duckdb", tmp_path / "accounts.duckdb"
    build_store(data)
    with open_store(data) as store, open_store(accounts) as users:
        link_accounts(store, users)
        add_user(store, "rita", PASSWORD, "sales_rep", rep_id="r2")  # r2 is in the data
        with pytest.raises(ValueError, match="rep 'r9' is not in the reps table"):
            add_user(store, "rolf", PASSWORD, "sales_rep", rep_id="r9")
        assert [u.rep_id for u in list_users(users)] == ["r2"]
    assert USERS_TABLE in _tables(accounts)


def test_the_default_application_store(tmp_path: Path) -> None:
    assert app_location(str(tmp_path / "a.duckdb")) == str(tmp_path / "a.duckdb")
    assert app_location("postgres://u@h/db") == "postgres://u@h/db"
    assert app_location(f"spark://{tmp_path}/wh/") == f"{tmp_path}/wh/revintel-app.duckdb"
    assert app_location("spark:///x", str(tmp_path / "u.duckdb")) == str(tmp_path / "u.duckdb")
    settings = Settings(db=f"spark://{tmp_path}/wh", secret_key=SECRET)
    assert settings.app_location == f"{tmp_path}/wh/revintel-app.duckdb"


def _throttle_store(tmp_path: Path) -> Store:
    store = open_store(tmp_path / "accounts.duckdb")
    ensure_auth_tables(store)
    return store


def test_the_stored_throttle_counts_within_its_window(tmp_path: Path) -> None:
    store = _throttle_store(tmp_path)
    now = [1_000_000.0]

    def throttle() -> StoredLoginThrottle:  # a process of its own, sharing only the store
        return StoredLoginThrottle(
            lambda: nullcontext(store),
            max_failures=3,
            window_seconds=300,
            max_failures_per_user=5,
            clock=lambda: now[0],
        )

    first, second = throttle(), throttle()
    first.fail("Anna", "10.0.0.1")
    second.fail("anna", "10.0.0.1")
    assert first.retry_after("anna", "10.0.0.1") == 0
    now[0] += 100
    second.fail("anna", "10.0.0.1")  # the third from this address, counted by another process
    assert first.retry_after("anna", "10.0.0.1") == 200  # the first leaves the window at +300
    assert second.retry_after("anna", "10.0.0.2") == 0  # 3 of 5 for the user from anywhere
    first.fail("anna", "10.0.0.3")
    second.fail("anna", "10.0.0.4")
    assert first.retry_after("anna", "10.0.0.2") == 200  # 5 from all addresses
    assert second.retry_after("ben", "10.0.0.1") == 0  # the address alone locks nobody
    now[0] += 200
    assert first.retry_after("anna", "10.0.0.1") == 0  # the first two left the window
    stored = store.execute_sql(f"SELECT key_hash FROM {FAILURES_TABLE}").column(0).to_pylist()
    assert len(stored) == 10 and all(len(k) == 64 and "anna" not in k for k in stored)
    second.fail("anna", "10.0.0.1")  # deletes what left the window
    assert store.execute_sql(f"SELECT 1 FROM {FAILURES_TABLE}").num_rows == 8
    first.succeed("anna", "10.0.0.1")
    assert second.retry_after("anna", "10.0.0.1") == 0
    store.close()


def test_a_data_version_bumped_by_one_process_is_seen_by_another(tmp_path: Path) -> None:
    store = open_store(tmp_path / "accounts.duckdb")
    ensure_version_table(store)
    ensure_version_table(store)  # twice: one row
    mine = DataVersion(lambda: nullcontext(store), check_seconds=0)
    other = DataVersion(lambda: nullcontext(store), check_seconds=3600)
    assert mine.seen == other.seen == 0
    assert mine.bump() == 1
    assert not mine.moved()  # its own change
    assert not other.due()  # looks again only after its interval
    assert other.moved() and other.seen == 1
    assert not other.moved()
    store.close()


def test_several_workers_are_refused_on_duckdb_files(tmp_path: Path) -> None:
    db = str(tmp_path / "store.duckdb")
    with pytest.raises(SettingsError, match=r"cannot share the data store .*DuckDB file"):
        load_settings(db=db, workers=2, secret_key=SECRET)
    with pytest.raises(SettingsError, match="cannot share the application store"):
        load_settings(db="postgres://u@h/d", app_db=db, workers=2, secret_key=SECRET)
    with pytest.raises(SettingsError, match="need the data store on PostgreSQL"):
        load_settings(db="spark:///wh", app_db="postgres://u@h/d", workers=2, secret_key=SECRET)
    assert load_settings(db="postgres://u@h/d", workers=3, secret_key=SECRET).workers == 3
    with pytest.raises(SettingsError, match="cannot all listen on port 9464"):
        load_settings(db="postgres://u@h/d", workers=2, secret_key=SECRET, metrics_port=9464)
    done = subprocess.run(
        [sys.executable, "-m", "revintel", "serve", "--db", db, "--workers", "2"],
        capture_output=True,
        text=True,
        env={"REVINTEL_SECRET_KEY": SECRET, "PATH": "/usr/bin:/bin", "COLUMNS": "1000"},
        timeout=60,
        check=False,
    )
    message = " ".join(done.stderr.split())  # the console wraps long lines
    assert done.returncode == 1
    assert f"2 server processes cannot share the data store {db}: a DuckDB file" in message
    assert "serve it with --workers 1" in message


def test_every_worker_reads_the_same_settings_from_its_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo = load_settings(db="postgres://u@h/d", workers=2, demo=True, threads=4)
    env = settings_environment(demo)
    # The random key of demo mode goes to every worker, so each accepts the others' cookies.
    assert env["REVINTEL_SECRET_KEY"] == demo.secret
    assert env["REVINTEL_APP_DB"] == env["REVINTEL_DB"] == "postgres://u@h/d"
    assert (env["REVINTEL_WORKERS"], env["REVINTEL_THREADS"], env["REVINTEL_DEMO"]) == (
        "2",
        "4",
        "true",
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    rebuilt = Settings()
    assert rebuilt.app_location == demo.app_location and rebuilt.secret == demo.secret
    assert rebuilt.model_dump(exclude={"app_db"}) == demo.model_dump(exclude={"app_db"})


def test_user_commands_take_the_application_store(tmp_path: Path) -> None:
    data, accounts = tmp_path / "data.duckdb", tmp_path / "accounts.duckdb"
    build_store(data)
    base = [sys.executable, "-m", "revintel", "users"]
    env = {"REVINTEL_PASSWORD": PASSWORD, "PATH": "/usr/bin:/bin"}
    where = ["--db", str(data), "--app-db", str(accounts)]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [*base, *args, *where]
        return subprocess.run(command, capture_output=True, text=True, env=env, check=False)

    assert run("add", "rita", "--role", "sales_rep", "--rep-id", "r1").returncode == 0
    refused = run("add", "rolf", "--role", "sales_rep", "--rep-id", "r9")
    assert refused.returncode == 1 and "rep 'r9' is not in the reps table" in refused.stderr
    token = run("token", "rita", "--name", "bi")
    assert token.returncode == 0 and token.stdout.strip().splitlines()[-1].startswith("rvi_")
    listed = run("list", "--format", "csv")
    assert listed.stdout.splitlines()[1:] == ["rita,rita,sales_rep,r1"]
    with open_store(accounts) as store:
        assert get_user(store, "rita") is not None
    with open_store(data) as store:
        assert get_user(store, "rita") is None


class _SerializationFailureError(Exception):
    sqlstate = "40001"


def test_a_write_conflict_is_recognised_on_every_engine() -> None:
    import duckdb

    from revintel.auth import write_conflict

    assert write_conflict(duckdb.TransactionException("Conflict on tuple deletion"))
    assert write_conflict(_SerializationFailureError("could not serialize access"))
    try:
        try:
            raise _SerializationFailureError("deadlock")
        except _SerializationFailureError as exc:
            raise RuntimeError("cannot write") from exc
    except RuntimeError as wrapped:
        assert write_conflict(wrapped)
    assert not write_conflict(ValueError("no such table"))
