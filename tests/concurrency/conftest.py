"""A real uvicorn server on a committing database of its own, hit by many threads at once (each a person with
their own cookies), as people use it; not one request at a time through the rolled-back test session."""

import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import time as at_time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.clock import today_local
from app.db import engine_create
from app.models import User
from tests.conftest import migrate, scratch_url, uvicorn_start
from tests.factories import PASSWORD, base_data_load, family_make, kelompok_make, meeting_make, user_make, world_make

CSRF_COOKIE = "p2k2_csrf"


class Person:
    """One browser: its own cookie jar, the CSRF token echoed like the pages do, a client address of its own
    (uvicorn trusts X-Forwarded-For from 127.0.0.1)."""

    def __init__(self, base: str, address: str = "10.0.0.1") -> None:
        self.client = httpx2.Client(base_url=base, follow_redirects=False, timeout=60)
        self.address = address

    def csrf(self) -> str:
        if CSRF_COOKIE not in self.client.cookies:
            self.client.get("/masuk", headers={"X-Forwarded-For": self.address})
        return str(self.client.cookies[CSRF_COOKIE])

    def login_post(self, username: str, password: str = PASSWORD) -> httpx2.Response:
        return self.client.post(
            "/masuk",
            data={"username": username, "password": password, "csrf_token": self.csrf()},
            headers={"X-Forwarded-For": self.address},
        )

    def login(self, username: str, password: str = PASSWORD) -> "Person":
        response = self.login_post(username, password)
        assert response.status_code == 303, response.text[:300]
        return self

    def post(self, url: str, data: dict[str, str] | None = None, target: str | None = None) -> httpx2.Response:
        headers = {"X-CSRF-Token": self.csrf(), "X-Forwarded-For": self.address}
        if target:
            headers.update({"HX-Request": "true", "HX-Target": target})
        return self.client.post(url, data=data or {}, headers=headers)

    def close(self) -> None:
        self.client.close()


@dataclass
class Scene:
    base: str
    engine: Engine
    pendamping: str
    supervisor: str
    victim: str
    kelompok_id: int
    families: list[int]
    meetings: dict[str, int]
    login_users: list[str]
    last_month: str


def together(n: int, job: Callable[[int], Any]) -> list[Any]:
    """Run job(0..n-1) on n threads released at the same instant."""
    barrier = threading.Barrier(n)

    def run(i: int) -> Any:
        barrier.wait()
        return job(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def passwords_cheapen(session: Session) -> None:
    """Every user's password hashed with a cheap argon2: what these tests exercise is the bookkeeping, not argon2."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    for user in session.exec(select(User)).all():
        user.password_hash = cheap


def _server(url: str, upload_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    return uvicorn_start(
        env={"DATABASE_URL": url, "UPLOAD_DIR": upload_dir}, log_path=Path(upload_dir).parent / "server.log"
    )


@pytest.fixture(scope="package")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    tmp = tmp_path_factory.mktemp("concurrency")
    url = scratch_url("concurrency", tmp)
    engine = engine_create(url)
    migrate(url, engine)
    today = today_local()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    with Session(engine) as session:
        base_data_load(session=session)
        w = world_make(session)
        kelompok = kelompok_make(session, pendamping=w.pendamping, name="Kelompok Serentak")
        families = [family_make(session, kelompok=kelompok, head_name=f"Ibu Serentak {n}") for n in range(12)]
        meetings = {
            "taps": meeting_make(session, kelompok=kelompok, topic_no=1, day=today),
            "all_present": meeting_make(session, kelompok=kelompok, topic_no=2, day=today, start=at_time(11, 0)),
            "locked": meeting_make(session, kelompok=kelompok, topic_no=3, day=last_month, status="terlaksana"),
        }
        logins = [user_make(session, username=f"serentak{n:02d}").username for n in range(14)]
        passwords_cheapen(session)
        session.commit()
        scene_ = Scene(
            base="",
            engine=engine,
            pendamping=w.pendamping.username,
            supervisor=w.supervisor.username,
            victim=w.supervisor_utara.username,
            kelompok_id=kelompok.id or 0,
            families=[f.id or 0 for f in families],
            meetings={k: m.id or 0 for k, m in meetings.items()},
            login_users=logins,
            last_month=last_month.strftime("%Y-%m"),
        )
    proc, scene_.base = _server(url, str(tmp / "uploads"))
    try:
        yield scene_
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        engine.dispose()


def server_errors(responses: list[httpx2.Response]) -> list[str]:
    return [f"{r.status_code} {re.sub(r'<[^>]+>', ' ', r.text)[:200]}" for r in responses if r.status_code >= 500]
