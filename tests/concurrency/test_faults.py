"""Faults answer a page that cannot fail: a lost database is a 503 to retry, every answer carries the security
headers, and unsafe production settings stop the server at start-up."""

import pytest
import sqlalchemy.exc
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app import web
from app.main import create_app, settings_check
from app.settings import get_settings

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Cache-Control")


@pytest.fixture
def faulty() -> TestClient:
    app: FastAPI = create_app()

    @app.get("/putus")
    async def lost_connection() -> None:
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    @app.get("/rusak")
    async def broken() -> None:
        raise RuntimeError("bug")

    return TestClient(app, raise_server_exceptions=False)


def test_lost_database_answers_503_in_indonesian_with_retry_after(faulty: TestClient) -> None:
    r = faulty.get("/putus")
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "5"
    assert "Basis data sedang tidak dapat dihubungi" in r.text
    assert all(h in r.headers for h in HEADERS)


def test_server_error_carries_the_security_headers(faulty: TestClient) -> None:
    r = faulty.get("/rusak")
    assert r.status_code == 500
    assert "Terjadi kesalahan pada server" in r.text
    assert all(h in r.headers for h in HEADERS)
    assert r.headers["Cache-Control"] == "no-store"


def test_error_page_falls_back_to_static_html_when_rendering_fails(
    faulty: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_render(*args: object, **kwargs: object) -> None:
        raise RuntimeError("template broken")

    monkeypatch.setattr(web, "render", broken_render)
    for url, status, text in (("/tidak-ada", 404, "Halaman tidak ditemukan"), ("/putus", 503, "Basis data")):
        r = faulty.get(url)
        assert r.status_code == status and text in r.text and '<html lang="id">' in r.text
        assert all(h in r.headers for h in HEADERS)


@pytest.mark.parametrize("secret", ["dev-only-secret-change-me", "x", "a" * 15])
def test_production_refuses_to_start_with_an_unsafe_secret(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    get_settings.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="refuses to start: SECRET_KEY"):
            settings_check()
        with pytest.raises(RuntimeError, match="refuses to start"), TestClient(create_app()):
            pass  # the lifespan (start-up) fails, not the first request
        monkeypatch.setenv("SECRET_KEY", "s" * 32)
        get_settings.cache_clear()
        assert settings_check().secret_key == "s" * 32
    finally:
        get_settings.cache_clear()
