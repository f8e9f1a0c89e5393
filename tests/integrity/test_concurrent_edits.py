"""Two people save the same family at the same moment, against a real committing database: exactly one edit
is saved, the other person is told and sees the current state; a create form sent twice at once is one row."""

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.db import engine_create, get_session
from app.models import AuditLog, Family, Meeting
from tests.conftest import Browser, migrate, scratch_url, text_of
from tests.factories import base_data_load, days, topic_core, world_make

ROUNDS = 4


def _immediate_writes(engine: Engine) -> None:
    """SQLite: every transaction takes the write lock at BEGIN and waits for it (the busy timeout), as the app
    does once write transactions begin IMMEDIATE; a deferred BEGIN answers "database is locked" instead."""
    if engine.dialect.name != "sqlite":
        return
    for listener in list(engine.dispatch.begin):
        event.remove(engine, "begin", listener)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@pytest.fixture
def live(tmp_path) -> Iterator[tuple[Engine, Any]]:
    url = scratch_url("integrity_edits", tmp_path)
    engine = engine_create(url)
    migrate(url, engine)
    _immediate_writes(engine)
    with Session(engine, expire_on_commit=False) as session:
        base_data_load(session=session)
        world = world_make(session)
        session.commit()
    from app.main import app

    def committing_session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    app.dependency_overrides[get_session] = committing_session
    try:
        yield engine, world
    finally:
        app.dependency_overrides.clear()
        engine.dispose()


def _browser(username: str) -> Browser:
    from app.main import app

    return Browser(TestClient(app, base_url="http://testserver", follow_redirects=False)).login(username)


def _together(*calls: Any) -> list[Any]:
    """Run the calls in threads released at the same instant; their answers in call order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def test_two_people_saving_one_family_at_once_one_wins_the_other_is_told(live):
    engine, w = live
    pendamping, admin = _browser(w.pendamping.username), _browser(w.admin.username)
    family_id = w.families[0].id
    for n in range(ROUNDS):
        with Session(engine) as session:
            family = session.get(Family, family_id)
            assert family is not None
            version, kk = str(family.version), family.kk_number
        base = {"head_name": "Ani Suryani", "kk_number": kk, "version": version}
        a = {**base, "address": f"Alamat pendamping {n}"}
        b = {**base, "address": f"Alamat admin {n}"}
        ra, rb = _together(
            lambda a=a: pendamping.post(f"/kpm/{family_id}/ubah", data=a),
            lambda b=b: admin.post(f"/kpm/{family_id}/ubah", data=b),
        )
        statuses = sorted([ra.status_code, rb.status_code])
        assert statuses == [303, 422], (ra.status_code, text_of(ra.text)[:300], rb.status_code, text_of(rb.text)[:300])
        winner, loser, sent = (a, rb, b) if ra.status_code == 303 else (b, ra, a)
        page = text_of(loser.text)
        assert "Data ini sudah diubah oleh" in page and winner["address"] in page  # current state shown
        assert f'value="{sent["address"]}"' in loser.text  # what they typed is kept
        with Session(engine) as session:
            family = session.get(Family, family_id)
            assert family is not None and family.address == winner["address"]
            assert family.version == int(version) + 1
            rows = session.exec(
                select(AuditLog).where(AuditLog.entity == "family", AuditLog.entity_id == str(family_id))
            ).all()
            assert len(rows) == n + 1  # one audit entry per saved edit, none for the refused one


def test_one_scheduling_form_sent_twice_at_once_is_one_meeting(live):
    engine, w = live
    pendamping = _browser(w.pendamping.username)
    with Session(engine) as session:
        topic_id = topic_core(session, 1).id
    data = {
        "topic_id": str(topic_id),
        "date": days(4).isoformat(),
        "start_time": "09:00",
        "place": "Aula",
        "form_token": "token-sent-twice",
    }
    url = f"/kelompok/{w.kelompok.id}/pertemuan"
    first, second = _together(lambda: pendamping.post(url, data=data), lambda: pendamping.post(url, data=data))
    assert first.status_code == second.status_code == 303, (text_of(first.text)[:300], text_of(second.text)[:300])
    with Session(engine) as session:
        meetings = session.exec(select(Meeting).where(Meeting.kelompok_id == w.kelompok.id)).all()
        assert len(meetings) == 1
        created = session.exec(select(AuditLog).where(AuditLog.entity == "meeting", AuditLog.action == "create")).all()
        assert len(created) == 1
