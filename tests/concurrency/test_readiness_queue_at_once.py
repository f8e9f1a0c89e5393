"""READINESS_REFRESH=worker against a real server and a real worker process: phones tapping held meetings and a
kelompok marked held, all at once, while the worker drains the queue; once it is empty every stored verdict is
the one the facts give, and nothing answered 5xx."""

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time as at_time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.clock import today_local
from app.db import engine_create
from app.graduation.queries import readiness_evaluate_many
from app.graduation.service import readiness_recompute_all
from app.models import FamilyReadiness, ReadinessPending
from app.settings import ROOT
from tests.concurrency.conftest import Person, passwords_cheapen, server_errors, together
from tests.conftest import migrate, scratch_url, uvicorn_start
from tests.factories import base_data_load, family_make, kelompok_make, meeting_make, world_make

STATUSES = ("hadir", "izin", "sakit", "alpa")


@dataclass
class Queued:
    base: str
    engine: Engine
    pendamping: str
    held: int  # a held meeting whose roll the phones change
    today: int  # a meeting marked held while they tap
    held_families: list[int]
    today_families: list[int]
    worker_log: Path
    env: dict[str, str] = field(default_factory=dict)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)


@pytest.fixture(scope="module")
def queued(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Queued]:
    tmp = tmp_path_factory.mktemp("queue")
    url = scratch_url("queue", tmp)
    engine = engine_create(url)
    migrate(url, engine)
    day = today_local()
    with Session(engine) as session:
        base_data_load(session=session)
        w = world_make(session)
        first = kelompok_make(session, pendamping=w.pendamping, name="Kelompok Antre")
        second = kelompok_make(session, pendamping=w.pendamping, name="Kelompok Susul")
        held_families = [family_make(session, kelompok=first, head_name=f"Ibu Antre {n}").id or 0 for n in range(12)]
        today_families = [family_make(session, kelompok=second, head_name=f"Ibu Susul {n}").id or 0 for n in range(8)]
        held = meeting_make(session, kelompok=first, topic_no=1, day=day, status="terlaksana")
        today = meeting_make(session, kelompok=second, topic_no=1, day=day, start=at_time(13, 0))
        passwords_cheapen(session)
        session.commit()
        readiness_recompute_all(session=session)
        scene = Queued(
            "", engine, w.pendamping.username, held.id or 0, today.id or 0, held_families, today_families, tmp / "w.log"
        )
    env = {"DATABASE_URL": url, "READINESS_REFRESH": "worker", "UPLOAD_DIR": str(tmp / "uploads")}
    server, scene.base = uvicorn_start(env=env, log_path=tmp / "server.log")
    scene.env = env
    try:
        yield scene
    finally:
        for proc in (*scene.workers, server):
            proc.terminate()
            proc.wait(timeout=15)
        engine.dispose()


def worker_start(scene: Queued) -> None:
    with scene.worker_log.open("ab") as log:
        scene.workers.append(
            subprocess.Popen(
                [sys.executable, "-m", "app.cli", "worker", "--poll", "0.2"],
                cwd=ROOT,
                env={**os.environ, **scene.env},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )


def queued_families(scene: Queued) -> set[int]:
    with Session(scene.engine) as session:
        return set(session.exec(select(ReadinessPending.family_id)).all())


def queue_empty(scene: Queued, within: float = 30.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with Session(scene.engine) as session:
            if session.exec(select(func.count()).select_from(ReadinessPending)).one() == 0:
                return True
        time.sleep(0.2)
    return False


def stale_verdicts(scene: Queued, family_ids: list[int]) -> list[int]:
    with Session(scene.engine) as session:
        fresh = readiness_evaluate_many(session=session, family_ids=family_ids, today=today_local())
        stored = dict(
            session.exec(
                select(FamilyReadiness.family_id, FamilyReadiness.details).where(
                    col(FamilyReadiness.family_id).in_(family_ids)
                )
            ).all()
        )
    return [f for f in family_ids if stored.get(f) != fresh[f].to_json()]


def taps(scene: Queued, phone: Person, families: list[int], seed: int, rounds: int) -> list:  # type: ignore[type-arg]
    rng = random.Random(seed)
    return [
        phone.post(
            f"/pertemuan/{scene.held}/absensi/{family}", {"status": rng.choice(STATUSES)}, target=f"kpm-{family}"
        )
        for _ in range(rounds)
        for family in families
    ]


def test_taps_and_held_at_once_leave_every_stored_verdict_current(queued: Queued) -> None:
    phones = [Person(queued.base).login(queued.pendamping) for _ in range(7)]
    families = queued.held_families

    # No worker yet: the taps answer, and what they changed waits in the queue (nothing was stored inline).
    first = [r for rs in together(6, lambda i: taps(queued, phones[i], families[i::6], i, 1)) for r in rs]
    assert {r.status_code for r in first} == {200}
    assert queued_families(queued) == set(families)
    assert stale_verdicts(queued, families) != []

    # Two workers drain it while six phones tap and a seventh marks another kelompok's meeting held.
    worker_start(queued)
    worker_start(queued)

    def work(i: int) -> list:  # type: ignore[type-arg]
        if i == 6:
            return [
                phones[i].post(f"/pertemuan/{queued.today}/semua-hadir", target="roll"),
                phones[i].post(f"/pertemuan/{queued.today}/terlaksana"),
            ]
        return taps(queued, phones[i], families[i::6], 100 + i, 6)

    responses = [r for rs in together(7, work) for r in rs]
    for phone in phones:
        phone.close()

    assert server_errors(responses) == []
    assert {r.status_code for r in responses} <= {200, 303}
    assert queue_empty(queued), "the workers did not empty the queue within 30 s"
    assert stale_verdicts(queued, families + queued.today_families) == []
    log = queued.worker_log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
