"""Heavy reads go to a real streaming replica while writes go to the primary, and fall back to the primary when
the replica is down. Needs TEST_DATABASE_URL (the primary) and TEST_REPLICA_URL (its standby): `.ci/replica-test`
starts both (a throwaway cluster and a pg_basebackup of it)."""

import os
import shlex
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import replica
from app.db import get_session, normalise_url
from app.main import app
from app.models import User
from tests.conftest import Browser, text_of
from tests.factories import kelompok_make, world_make

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_REPLICA_URL"), reason="needs a streaming replica of TEST_DATABASE_URL (.ci/replica-test)"
)


def eventually(check: Callable[[], bool], *, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def standby() -> Iterator[Engine]:
    engine = create_engine(normalise_url(os.environ["TEST_REPLICA_URL"]), pool_pre_ping=True)
    yield engine
    engine.dispose()


def test_heavy_reads_use_the_replica_and_fall_back_to_the_primary(
    engine: Engine, standby: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        world = world_make(session)
        session.commit()
        supervisor, pendamping_id = world.supervisor.username, world.pendamping.id
    with standby.connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        assert eventually(
            lambda: (
                conn.execute(text('SELECT count(*) FROM "user" WHERE username = :u'), {"u": supervisor}).scalar_one()
                == 1
            )
        ), "the replica never received the primary's rows"

    def primary_session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    monkeypatch.setattr(replica, "replica_engine", lambda: standby)
    monkeypatch.setattr(replica.ReplicaState, "down_until", 0.0)
    app.dependency_overrides[get_session] = primary_session
    try:
        with TestClient(app, follow_redirects=False) as client:
            web = Browser(client).login(supervisor)  # a write (the login session row): the primary takes it
            assert "Kelompok Mawar" in text_of(web.get("/dasbor/kelompok").text)

            with standby.connect() as conn:
                conn.execute(text("SELECT pg_wal_replay_pause()"))
                conn.commit()
            with Session(engine) as session:
                added = kelompok_make(session, pendamping=session.get(User, pendamping_id), name="Kelompok Replika")
                session.commit()
                added_id = added.id
            assert web.get(f"/kelompok/{added_id}").status_code == 200  # a page of the primary sees it at once
            for url in (
                "/dasbor/kelompok",
                "/dasbor?wilayah=32.77.01.1001",
                "/ekspor/dasbor.csv?wilayah=32.77.01.1001",
            ):
                page = web.get(url)
                assert page.status_code == 200 and "Kelompok Mawar" in page.text, url
                assert "Kelompok Replika" not in page.text, f"{url} did not read from the (paused) replica"

            with standby.connect() as conn:
                conn.execute(text("SELECT pg_wal_replay_resume()"))
                conn.commit()
            assert eventually(lambda: "Kelompok Replika" in web.get("/dasbor/kelompok").text)

            with standby.connect() as conn:
                conn.execute(text("SELECT pg_wal_replay_pause()"))
                conn.commit()
            with Session(engine) as session:
                pendamping = session.get(User, pendamping_id)
                kelompok_make(session, pendamping=pendamping, name="Kelompok Sesudah Replika Mati")
                session.commit()
            standby.dispose()
            subprocess.run(shlex.split(os.environ["TEST_REPLICA_STOP"]), check=True, capture_output=True)
            page = web.get("/dasbor/kelompok")
            assert page.status_code == 200
            assert "Kelompok Sesudah Replika Mati" in page.text, "with the replica down, the primary answers"
            assert replica.ReplicaState.down_until > time.monotonic()
    finally:
        app.dependency_overrides.clear()
