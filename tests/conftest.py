"""Test database: migrated once per run (SQLite file by default, PostgreSQL via TEST_DATABASE_URL);
every test runs inside a transaction that is rolled back."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from alembic import command
from app.db import engine_create, get_session
from app.settings import ROOT

# Every test sees the figures it just wrote: the dashboard cache is off unless a test turns it on (tests/dashboard).
os.environ.setdefault("DASHBOARD_CACHE_SECONDS", "0")


def database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.sqlite3'}"


def scratch_url(suffix: str, tmp_dir: Path) -> str:
    """A database of its own, for tests whose server or worker processes commit (the suite's one rolls back):
    a SQLite file, or `<suite database>_<suffix>` created afresh next to TEST_DATABASE_URL."""
    suite = os.environ.get("TEST_DATABASE_URL")
    if not suite:
        return f"sqlite:///{tmp_dir / (suffix + '.sqlite3')}"
    import psycopg

    from app.db import normalise_url

    base, _, name = normalise_url(suite).replace("+psycopg", "").rpartition("/")
    scratch = f"{name}_{suffix}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    return f"{base}/{scratch}"


def migrate(url: str, engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = database_url(tmp_path_factory.mktemp("db"))
    engine = engine_create(url)
    migrate(url, engine)
    from tests.factories import base_data_load

    with Session(engine) as session:
        base_data_load(session=session)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def app_client(session: Session) -> Iterator[TestClient]:
    from app.main import app

    app.dependency_overrides[get_session] = lambda: session
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client
    app.dependency_overrides.clear()


class Browser:
    """A TestClient that knows how to log in and send the CSRF token like the pages do."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def csrf(self) -> str:
        if "p2k2_csrf" not in self.client.cookies:
            self.client.get("/masuk")
        return self.client.cookies["p2k2_csrf"]

    def login(self, username: str, password: str = "rahasia123") -> "Browser":
        self.client.cookies.clear()
        response = self.client.post(
            "/masuk", data={"username": username, "password": password, "csrf_token": self.csrf()}
        )
        assert response.status_code == 303, response.text[:500]
        return self

    def get(self, url: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kw)  # type: ignore[arg-type]

    def post(self, url: str, data: dict[str, object] | None = None, htmx_target: str | None = None, **kw: object):  # type: ignore[no-untyped-def]
        headers = {"X-CSRF-Token": self.csrf()}
        if htmx_target is not None:
            headers.update({"HX-Request": "true", "HX-Target": htmx_target})
        return self.client.post(url, data=data or {}, headers=headers, **kw)  # type: ignore[arg-type]


@pytest.fixture
def web(app_client: TestClient) -> Browser:
    return Browser(app_client)


def text_of(html: str) -> str:
    """Visible text, whitespace folded: assertions read like what a user sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def uvicorn_start(*, env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The app in a real uvicorn on a free loopback port, its log in a file (a pipe nobody reads fills up and
    stalls the server once it has logged 64 KB); answers once /sehat does."""
    port = free_port()
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "ENVIRONMENT": "development", **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(base + "/sehat", timeout=1)
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(log_path.read_text(errors="replace")[-4000:]) from None
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start: " + log_path.read_text(errors="replace")[-4000:])
