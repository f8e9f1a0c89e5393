"""One JSON log line per request, the request ID in the header and on error pages, and readiness at `/siap`."""

import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session

from app import cli, observability
from app.db import get_session
from app.main import app, create_app
from tests.conftest import Browser
from tests.factories import user_make


def test_one_json_line_per_request_with_user_route_status_and_duration(session: Session, web: Browser) -> None:
    user = user_make(session, username="pendamping_log")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(observability.JsonFormatter())
    observability.access_log.addHandler(handler)
    try:
        anonymous = web.get("/masuk")
        web.login(user.username)
        stream.truncate(0)
        stream.seek(0)
        signed_in = web.get("/kelompok/999999999")
    finally:
        observability.access_log.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(lines) == 1
    (line,) = lines
    assert set(line) >= {"ts", "level", "request_id", "user_id", "method", "route", "status", "duration_ms"}
    assert line["request_id"] == signed_in.headers["X-Request-ID"]
    assert line["user_id"] == user.id
    assert (line["method"], line["status"]) == ("GET", signed_in.status_code)
    assert "{" in line["route"] and "999999999" not in line["route"]  # the template, not the path
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert anonymous.headers["X-Request-ID"] != signed_in.headers["X-Request-ID"]


def test_an_incoming_request_id_is_kept_only_when_it_is_a_safe_token(web: Browser) -> None:
    assert web.get("/masuk", headers={"X-Request-ID": "proxy-abc.123_X"}).headers["X-Request-ID"] == "proxy-abc.123_X"
    for unsafe in ("a b", "x" * 65, "<script>", "id\u00e9"):
        echoed = web.get("/masuk", headers={"X-Request-ID": unsafe.encode()}).headers["X-Request-ID"]
        assert echoed != unsafe and len(echoed) == 32


def test_error_pages_show_the_request_id(web: Browser) -> None:
    page = web.get("/tidak-ada-halaman-ini", headers={"X-Request-ID": "kode-404"})
    assert page.status_code == 404
    assert "Kode permintaan: kode-404" in page.text
    fragment = web.get("/tidak-ada-halaman-ini", headers={"HX-Request": "true"})
    assert f"Kode permintaan: {fragment.headers['X-Request-ID']}" in fragment.text


def test_a_server_error_page_carries_the_request_id_too() -> None:
    broken = create_app()

    def explode() -> None:
        raise RuntimeError("boom")

    broken.add_api_route("/meledak", explode)
    with TestClient(broken, raise_server_exceptions=False) as client:
        page = client.get("/meledak", headers={"X-Request-ID": "kode-500"})
    assert page.status_code == 500
    assert page.headers["X-Request-ID"] == "kode-500"
    assert "Kode permintaan: kode-500" in page.text


def test_the_json_formatter_keeps_exceptions_on_one_line() -> None:
    try:
        raise ValueError("rusak")
    except ValueError:
        record = logging.getLogger("p2k2").makeRecord("p2k2", logging.ERROR, __file__, 1, "gagal", (), sys.exc_info())
    text = observability.JsonFormatter().format(record)
    assert "\n" not in text
    assert json.loads(text)["exc"].endswith("ValueError: rusak")


def test_ready_at_head(app_client: TestClient) -> None:
    response = app_client.get("/siap")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "revision": cli.migration_head()}


def client_on(url: str) -> Iterator[TestClient]:
    engine = create_engine(url, connect_args={"connect_timeout": 2} if url.startswith("postgresql") else {})
    with Session(engine) as other:
        app.dependency_overrides[get_session] = lambda: other
        try:
            with TestClient(app) as client:
                yield client
        finally:
            app.dependency_overrides.clear()
            engine.dispose()


def test_not_ready_when_the_database_is_unreachable() -> None:
    on_pg = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere" if on_pg else "sqlite:////proc/no-such-dir/p2k2.sqlite3"
    for client in client_on(url):
        response = client.get("/siap")
        assert response.status_code == 503
        assert response.json()["reason"] == "database unreachable"


def test_not_ready_before_migrations(tmp_path: Path) -> None:
    for client in client_on(f"sqlite:///{tmp_path / 'empty.sqlite3'}"):
        response = client.get("/siap")
        assert response.status_code == 503
        assert response.json() == {
            "status": "unavailable",
            "reason": "migrations not at head",
            "revision": [],
            "head": cli.migration_head(),
        }
