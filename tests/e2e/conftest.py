"""Real-browser tests: uvicorn in a subprocess on a free loopback port, Debian's chromium via Playwright."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from app.db import engine_create
from app.web import CSRF_COOKIE
from tests.conftest import uvicorn_start

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make chromium` (apt-get install -y chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def e2e_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database the server and the test share (committed data: no per-test rollback here)."""
    from tests.conftest import migrate, scratch_url

    url = scratch_url("e2e", tmp_path_factory.mktemp("e2e"))
    engine = engine_create(url)
    migrate(url, engine)
    from tests.factories import base_data_load

    with Session(engine) as session:
        base_data_load(session=session)
    engine.dispose()
    yield url


@pytest.fixture(scope="session")
def e2e_engine(e2e_database: str):  # type: ignore[no-untyped-def]
    engine = engine_create(e2e_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def live_server(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {"DATABASE_URL": e2e_database, "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))}
    proc, base = uvicorn_start(env=env, log_path=tmp_path_factory.mktemp("server") / "server.log")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "id-ID"}


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    """A cheap Android phone: 360 px wide, touch."""
    context = browser.new_context(**PHONE, base_url=None)
    yield context
    context.close()


@pytest.fixture
def phones(browser, live_server):  # type: ignore[no-untyped-def]
    """More phones, one per person, each with its own cookies (several roles stay signed in side by side);
    `phones(username)` hands over one already signed in."""
    from tests.factories import PASSWORD

    made = []

    def make(username: str | None = None):  # type: ignore[no-untyped-def]
        context = browser.new_context(**PHONE, base_url=None)
        made.append(context)
        if username:
            sign_in(context, live_server, username, PASSWORD)
        return context

    yield make
    for context in made:
        context.close()


def login(page, base: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def sign_in(context, base: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Sign a whole browser context in by posting the login form from its own cookie jar, without rendering the
    login and home pages: for tests about something else that need several people signed in."""
    context.request.get(base + "/masuk")
    token = next(c["value"] for c in context.cookies(base) if c["name"] == CSRF_COOKIE)
    response = context.request.post(
        base + "/masuk", form={"csrf_token": token, "username": username, "password": password}, max_redirects=0
    )
    assert response.status == 303, response.text()
