"""The server killed (SIGKILL) in the middle of a large "semua hadir": after restart every mark or none is
there, and the derived columns equal a recount (the `check` command)."""

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from app.check import derived_check
from app.db import engine_create
from app.models import Attendance, Meeting
from app.settings import ROOT
from tests.conftest import free_port, migrate, scratch_url
from tests.factories import PASSWORD, base_data_load, family_make, kelompok_make, meeting_make, user_make

FAMILIES = 400


def server_start(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "development"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sehat", timeout=1)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("server died at start") from None
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def writer_in_transaction(engine: Engine) -> bool:
    """Whether another connection holds an open write transaction on the marks."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                        " WHERE c.relname = 'attendance' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()"
                    )
                ).scalar()
            )
    raw = engine.raw_connection()
    try:
        raw.execute("PRAGMA busy_timeout = 0")  # type: ignore[attr-defined]
        try:
            raw.execute("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - sqlite3.OperationalError "database is locked": a writer is mid-transaction
            return True
        raw.execute("ROLLBACK")  # type: ignore[attr-defined]
        return False
    finally:
        raw.close()


@pytest.fixture
def fault_world(tmp_path: Path) -> Iterator[tuple[str, Engine, str, int]]:
    url = scratch_url("fault_allpresent", tmp_path)
    engine = engine_create(url)
    migrate(url, engine)
    with Session(engine) as session:
        base_data_load(session=session)
        pendamping = user_make(session, username="pendamping_fault")
        kelompok = kelompok_make(session, pendamping=pendamping, name="Kelompok Besar")
        for n in range(FAMILIES):
            family_make(session, kelompok=kelompok, head_name=f"Ibu Besar {n}")
        from app.clock import today_local

        meeting = meeting_make(session, kelompok=kelompok, topic_no=1, day=today_local())
        session.commit()
        meeting_id = meeting.id or 0
    try:
        yield url, engine, "pendamping_fault", meeting_id
    finally:
        engine.dispose()


def test_server_killed_during_all_present_leaves_all_or_none(fault_world: tuple[str, Engine, str, int]) -> None:
    url, engine, username, meeting_id = fault_world
    port = free_port()
    proc = server_start(url, port)
    base = f"http://127.0.0.1:{port}"
    outcome: dict[str, object] = {}
    try:
        client = httpx.Client(base_url=base, follow_redirects=False, timeout=60)
        client.get("/masuk")
        login = client.post(
            "/masuk", data={"username": username, "password": PASSWORD, "csrf_token": client.cookies["p2k2_csrf"]}
        )
        assert login.status_code == 303
        client.get("/sehat")

        def all_present() -> None:
            try:
                outcome["status"] = client.post(
                    f"/pertemuan/{meeting_id}/semua-hadir", headers={"X-CSRF-Token": client.cookies["p2k2_csrf"]}
                ).status_code
            except httpx.HTTPError as exc:
                outcome["error"] = type(exc).__name__

        request = threading.Thread(target=all_present)
        request.start()
        deadline = time.monotonic() + 60
        while not writer_in_transaction(engine) and time.monotonic() < deadline and request.is_alive():
            time.sleep(0.005)
        assert request.is_alive(), f"semua hadir finished before the kill: {outcome}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        request.join(timeout=30)
        client.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert "error" in outcome, outcome  # the user got no answer: the connection died with the server

    restarted = server_start(url, port)
    try:
        assert urllib.request.urlopen(f"{base}/sehat", timeout=5).status == 200
        for _ in range(100):  # PostgreSQL ends the dead server's backend (and rolls it back) within moments
            try:
                if not writer_in_transaction(engine):
                    break
            except OperationalError:
                pass
            time.sleep(0.1)
        with Session(engine) as session:
            marks = session.exec(
                select(func.count()).select_from(Attendance).where(Attendance.meeting_id == meeting_id)
            ).one()
            stored = session.exec(select(Meeting.marks_count).where(Meeting.id == meeting_id)).one()
            drifts = [(d.column, d.count, d.first) for d in derived_check(session=session) if d.count]
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
    assert marks in (0, FAMILIES), f"{marks} of {FAMILIES} marks survived the kill"
    assert stored == marks
    assert drifts == []
