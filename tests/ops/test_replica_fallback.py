"""Without a replica, or with one that does not answer, the heavy pages read from the primary."""

import os
import time

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from app import replica
from tests.conftest import Browser, text_of
from tests.factories import world_make


def test_no_replica_configured_reads_the_primary(session: Session, web: Browser) -> None:
    assert replica.replica_engine() is None
    world = world_make(session)
    web.login(world.supervisor.username)
    assert "Kelompok Mawar" in text_of(web.get("/dasbor/kelompok").text)


def test_a_replica_that_is_down_falls_back_and_is_skipped_for_a_while(
    session: Session, web: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_pg = (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres")
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere" if on_pg else "sqlite:////proc/no-such-dir/p2k2.sqlite3"
    down = create_engine(url, connect_args={"connect_timeout": 2} if on_pg else {})
    attempts: list[int] = []
    monkeypatch.setattr(replica, "replica_engine", lambda: attempts.append(1) or down)
    monkeypatch.setattr(replica.ReplicaState, "down_until", 0.0)
    world = world_make(session)
    web.login(world.supervisor.username)
    for url in ("/dasbor/kelompok", "/dasbor", "/ekspor/dasbor.csv", "/graduasi/kandidat"):
        page = web.get(url)
        assert page.status_code == 200, url
    assert "Kelompok Mawar" in text_of(web.get("/dasbor/kelompok").text)
    assert replica.ReplicaState.down_until > time.monotonic()
    assert len(attempts) == 1, "a replica that is down is not asked again at every request"
    down.dispose()
