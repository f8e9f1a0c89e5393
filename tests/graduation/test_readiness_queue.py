"""READINESS_REFRESH=worker: a roll call on a held meeting queues its families' verdicts in its own commit, and
the worker stores them in batches; a family changed again while the worker computed stays queued."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.cli import command_worker
from app.clock import today_local
from app.graduation import service
from app.graduation.queries import readiness_evaluate_many
from app.graduation.service import readiness_pending_run, readiness_queue, readiness_recompute_all
from app.models import Family, FamilyReadiness, Job, JobKind, JobStatus, Meeting, ReadinessPending, utcnow
from app.settings import get_settings
from tests.conftest import Browser, text_of
from tests.factories import meeting_make, world_make


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "readiness_refresh", "worker")


def pending(session: Session) -> dict[int, int]:
    session.expire_all()
    return {p.family_id: p.changes for p in session.exec(select(ReadinessPending)).all()}


def details(session: Session, family: Family) -> str:
    session.expire_all()
    row = session.get(FamilyReadiness, family.id)
    assert row is not None
    return row.details


def fresh_details(session: Session, family: Family) -> str:
    return readiness_evaluate_many(session=session, family_ids=[family.id or 0], today=today_local())[
        family.id or 0
    ].to_json()


def tap(web: Browser, meeting: Meeting, family: Family, status: str) -> None:
    r = web.post(f"/pertemuan/{meeting.id}/absensi/{family.id}", {"status": status}, htmx_target=f"kpm-{family.id}")
    assert r.status_code == 200, r.text[:300]


def test_tap_on_a_held_meeting_queues_the_verdict_and_the_worker_stores_it(
    web: Browser, session: Session, queued: None
) -> None:
    w = world_make(session)
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status="terlaksana")
    readiness_recompute_all(session=session)
    family = w.families[0]
    before = details(session, family)
    web.login(w.pendamping.username)

    tap(web, held, family, "hadir")
    assert details(session, family) == before  # the request stored nothing: the worker will
    assert pending(session) == {family.id: 1}
    tap(web, held, family, "alpa")
    tap(web, held, w.families[1], "hadir")
    assert pending(session) == {family.id: 2, w.families[1].id: 1}  # one row per family, its changes counted

    assert readiness_pending_run(session=session) == 2
    assert pending(session) == {}
    assert details(session, family) == fresh_details(session, family) != before
    assert readiness_pending_run(session=session) == 0  # nothing left: nothing done


def test_tap_on_a_meeting_not_held_queues_nothing(web: Browser, session: Session, queued: None) -> None:
    w = world_make(session)
    today = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    web.login(w.pendamping.username)
    tap(web, today, w.families[0], "hadir")
    assert pending(session) == {}


def test_marking_held_queues_every_marked_family(web: Browser, session: Session, queued: None) -> None:
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    web.login(w.pendamping.username)
    assert web.post(f"/pertemuan/{meeting.id}/semua-hadir", htmx_target="roll").status_code == 200
    assert pending(session) == {}
    assert web.post(f"/pertemuan/{meeting.id}/terlaksana").status_code == 303
    assert pending(session) == {f.id: 1 for f in w.families}
    assert readiness_pending_run(session=session) == len(w.families)
    for family in w.families:
        assert details(session, family) == fresh_details(session, family)


def test_a_family_changed_while_the_worker_computed_stays_queued(
    web: Browser, session: Session, queued: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world_make(session)
    family = w.families[0]
    readiness_queue(session=session, family_ids=[family.id or 0])
    session.commit()
    evaluate = service.readiness_evaluate_many

    def meanwhile(**kwargs: object) -> object:
        verdicts = evaluate(**kwargs)  # type: ignore[arg-type]
        readiness_queue(session=session, family_ids=[family.id or 0])  # a tap lands while the worker computes
        return verdicts

    monkeypatch.setattr(service, "readiness_evaluate_many", meanwhile)
    assert readiness_pending_run(session=session) == 1
    assert pending(session) == {family.id: 2}  # not taken off: its newest change is not in the stored verdict
    monkeypatch.setattr(service, "readiness_evaluate_many", evaluate)
    assert readiness_pending_run(session=session) == 1
    assert pending(session) == {}


def test_a_batch_takes_the_oldest_first_and_stops_at_its_size(session: Session) -> None:
    w = world_make(session)
    for n, family in enumerate(reversed(w.families)):
        session.add(ReadinessPending(family_id=family.id or 0, queued_at=utcnow() - timedelta(seconds=10 - n)))
    session.commit()
    assert readiness_pending_run(session=session, limit=3) == 3
    assert set(pending(session)) == {w.families[0].id}  # queued last
    assert readiness_pending_run(session=session, limit=3) == 1


def test_inline_refresh_queues_nothing(web: Browser, session: Session) -> None:
    assert get_settings().readiness_refresh == "inline"
    w = world_make(session)
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status="terlaksana")
    readiness_recompute_all(session=session)
    web.login(w.pendamping.username)
    tap(web, held, w.families[0], "hadir")
    assert pending(session) == {}
    assert details(session, w.families[0]) == fresh_details(session, w.families[0])


def test_worker_once_stores_the_queue(session: Session, queued: None, capsys: pytest.CaptureFixture[str]) -> None:
    w = world_make(session)
    readiness_queue(session=session, family_ids=[f.id or 0 for f in w.families])
    session.commit()
    assert command_worker(session=session, once=True) == 0
    assert pending(session) == {}
    assert "4 kesiapan KPM yang antre disimpan." in capsys.readouterr().out
    stored = session.exec(
        select(FamilyReadiness.family_id).where(col(FamilyReadiness.family_id).in_([f.id for f in w.families]))
    ).all()
    assert sorted(stored) == sorted(f.id for f in w.families)


def test_rules_page_shows_the_queue_and_a_missing_worker(web: Browser, session: Session) -> None:
    w = world_make(session)
    web.login(w.admin.username)
    assert "menunggu kesiapannya disimpan ulang" not in text_of(web.get("/admin/aturan").text)

    session.add(ReadinessPending(family_id=w.families[0].id or 0, queued_at=utcnow()))
    session.add(ReadinessPending(family_id=w.families[1].id or 0, queued_at=utcnow()))
    session.commit()
    page = web.get("/admin/aturan").text
    assert "2 KPM menunggu kesiapannya disimpan ulang setelah absensi" in text_of(page)
    assert "Belum ada pekerja latar" not in text_of(page)
    assert 'hx-trigger="every 2s"' in page  # the line follows the queue down

    row = session.get(ReadinessPending, w.families[0].id)
    assert row is not None
    row.queued_at = utcnow() - timedelta(minutes=2)  # nobody took it for two minutes: no worker is running
    session.add(row)
    session.commit()
    fragment = web.get("/admin/aturan/tugas").text
    assert "Belum ada pekerja latar yang mengambilnya" in text_of(fragment)

    # A worker busy with a rule change's recompute comes to the queue after it: not "no worker".
    session.add(Job(kind=JobKind.READINESS_RECOMPUTE, status=JobStatus.RUNNING, heartbeat=utcnow(), progress_total=9))
    session.commit()
    fragment = text_of(web.get("/admin/aturan/tugas").text)
    assert "2 KPM menunggu" in fragment and "Belum ada pekerja latar" not in fragment


def test_the_worker_outlives_a_database_that_goes_away(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lost connection (a restart, a failover) is logged and tried again; the worker does not exit."""
    calls: list[str] = []

    def drain(**_: object) -> int:
        calls.append("drain")
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        raise KeyboardInterrupt  # what SIGTERM raises: the test's way out of the loop

    monkeypatch.setattr(service, "readiness_pending_drain", drain)
    monkeypatch.setattr("app.cli.time.sleep", lambda _seconds: None)
    assert command_worker(session=session) == 0
    assert calls == ["drain", "drain"]
