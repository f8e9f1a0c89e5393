"""A rule change queues the verdict recompute for the worker process: coalesced, chunked, resumable."""

import json
import os
import subprocess
import sys
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from app.cli import command_worker
from app.clock import today_local
from app.db import engine_create
from app.graduation.service import readiness_recompute_all, rule_parameter_add
from app.jobs import service as jobs
from app.models import Family, FamilyReadiness, Job, JobKind, JobStatus, User, utcnow
from app.settings import ROOT
from tests.conftest import Browser, migrate, scratch_url, text_of
from tests.factories import base_data_load, family_make, world_make

SCHOOL_AGE_18 = {"key": "school_max_age", "value": "18", "note": "uji"}


def family_with_sma_child(session: Session, kelompok: object, name: str) -> Family:
    """A 19-year-old still at SMA keeps the family in PKH while school age runs to 21 (the default)."""
    today = today_local()
    return family_make(
        session,
        kelompok=kelompok,
        head_name=name,
        members=[
            {"name": name, "birth_date": date(1980, 3, 2), "sex": "P", "relationship": "kepala", "is_pengurus": True},
            {
                "name": "Rizky Pratama",
                "birth_date": today - timedelta(days=19 * 365 + 60),
                "sex": "L",
                "relationship": "anak",
                "schooling": "sma",
            },
        ],
    )


def stored(session: Session, family: Family) -> FamilyReadiness:
    session.expire_all()
    row = session.get(FamilyReadiness, family.id)
    assert row is not None
    return row


def recompute_jobs(session: Session) -> list[Job]:
    session.expire_all()
    return list(session.exec(select(Job).where(Job.kind == JobKind.READINESS_RECOMPUTE).order_by(col(Job.id))).all())


def post_rule(web: Browser, value: str = "18", days_ago: int = 0) -> None:
    day = today_local() - timedelta(days=days_ago)
    data = {**SCHOOL_AGE_18, "value": value, "effective_from": day.isoformat()}
    r = web.post("/admin/aturan/parameter", data=data)
    assert r.status_code == 303, r.text[:300]


def test_rule_change_queues_the_recompute_instead_of_running_it(web: Browser, session: Session) -> None:
    w = world_make(session)
    family = family_with_sma_child(session, w.kelompok, "Neneng Rohayati")
    readiness_recompute_all(session=session)
    web.login(w.admin.username)
    post_rule(web)

    assert stored(session, family).verdict == "belum"  # nothing recomputed inside the request
    [job] = recompute_jobs(session)
    assert job.status == JobStatus.QUEUED and job.created_by_id == w.admin.id
    assert json.loads(job.params) == {"today": today_local().isoformat()}
    page = web.get("/admin/aturan?dihitung_ulang=1").text
    assert "menunggu giliran" in text_of(page)
    assert 'hx-get="http://testserver/admin/aturan/tugas"' in page and 'hx-trigger="every 2s"' in page
    assert "Belum ada pekerja latar" not in text_of(page)

    job.created_at = utcnow() - timedelta(minutes=1)  # nobody took it for a minute: no worker is running
    session.add(job)
    session.commit()
    fragment = web.get("/admin/aturan/tugas")
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="job-status"')
    assert "Belum ada pekerja latar yang mengambilnya" in text_of(fragment.text)


def test_quick_changes_coalesce_and_a_change_during_a_run_waits_behind_it(web: Browser, session: Session) -> None:
    w = world_make(session)
    web.login(w.admin.username)
    post_rule(web, "18")
    post_rule(web, "19", days_ago=1)
    assert [j.status for j in recompute_jobs(session)] == [JobStatus.QUEUED]

    running = jobs.job_claim(session=session)
    assert running is not None and running.status == JobStatus.RUNNING
    post_rule(web, "20", days_ago=2)
    assert [j.status for j in recompute_jobs(session)] == [JobStatus.RUNNING, JobStatus.QUEUED]
    assert jobs.job_claim(session=session) is None  # a second worker may not run it beside the first
    assert "Perubahan berikutnya menyusul setelahnya" in text_of(web.get("/admin/aturan/tugas").text)

    jobs.job_finish(session=session, job_id=running.id or 0)
    following = jobs.job_claim(session=session)
    assert following is not None and following.id != running.id


def test_worker_once_recomputes_every_verdict_and_shows_it(web: Browser, session: Session) -> None:
    w = world_make(session)
    family = family_with_sma_child(session, w.kelompok, "Neneng Rohayati")
    readiness_recompute_all(session=session)
    web.login(w.admin.username)
    post_rule(web)

    assert command_worker(session=session, once=True) == 0
    assert stored(session, family).verdict == "alamiah"
    [job] = recompute_jobs(session)
    families = session.exec(select(func.count()).select_from(Family)).one()
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.DONE, families, families)
    assert job.started_at is not None and job.finished_at is not None
    fragment = text_of(web.get("/admin/aturan/tugas").text)
    assert "terakhir dihitung ulang" in fragment and "hx-get" not in web.get("/admin/aturan/tugas").text


def test_a_job_left_running_by_a_dead_worker_resumes_after_its_last_chunk(
    session: Session, monkeypatch: object
) -> None:
    w = world_make(session)
    first = family_with_sma_child(session, w.kelompok, "Neneng Rohayati")
    second = family_with_sma_child(session, w.second_kelompok, "Euis Komariah")
    readiness_recompute_all(session=session)
    admin = session.get(User, w.admin.id)
    rule_parameter_add(
        session=session, user=admin, key="school_max_age", value="18", effective_from=today_local(), note="uji"
    )
    jobs.readiness_recompute_enqueue(session=session, user=admin, today=today_local())
    job = jobs.job_claim(session=session)
    assert job is not None
    # The worker died after committing the chunks up to `first` (its verdict, its progress) and before the rest.
    before = stored(session, first).computed_at
    total = session.exec(select(func.count()).select_from(Family)).one()
    done = session.exec(select(func.count()).select_from(Family).where(col(Family.id) <= first.id)).one()
    job = session.get(Job, job.id)
    assert job is not None
    job.checkpoint, job.progress_done, job.progress_total = first.id or 0, done, total
    job.heartbeat = utcnow() - jobs.STALE_AFTER - timedelta(seconds=1)
    session.add(job)
    session.commit()
    monkeypatch.setattr(jobs, "CHUNK_FAMILIES", 1)  # type: ignore[attr-defined]

    assert jobs.jobs_drain(session=session) == 1
    session.expire_all()
    job = session.get(Job, job.id)
    assert job is not None and (job.status, job.progress_done, job.progress_total) == (JobStatus.DONE, total, total)
    assert job.checkpoint == session.exec(select(func.max(Family.id))).one()
    assert stored(session, second).verdict == "alamiah"
    assert stored(session, first).computed_at == before  # its chunk was done: not computed twice


def test_a_live_running_job_is_not_taken_by_a_second_worker(session: Session) -> None:
    world_make(session)
    jobs.readiness_recompute_enqueue(session=session, user=None, today=today_local())
    assert jobs.job_claim(session=session) is not None
    assert jobs.job_claim(session=session) is None
    assert jobs.job_claim(session=session, now=utcnow() + jobs.STALE_AFTER + timedelta(seconds=5)) is not None


def test_a_failing_job_is_marked_failed_with_its_reason(web: Browser, session: Session) -> None:
    w = world_make(session)
    jobs.readiness_recompute_enqueue(session=session, user=None, today=today_local())
    job = recompute_jobs(session)[0]
    job.params = json.dumps({"today": "bukan tanggal"})
    session.add(job)
    session.commit()
    assert jobs.jobs_drain(session=session) == 1
    [job] = recompute_jobs(session)
    assert job.status == JobStatus.FAILED and "ValueError" in job.error
    web.login(w.admin.username)
    assert "Penghitungan ulang kesiapan graduasi gagal" in text_of(web.get("/admin/aturan").text)


def test_the_worker_command_drains_the_queue_in_its_own_process(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = scratch_url("jobs_worker", tmp_path)
    engine = engine_create(url)
    try:
        migrate(url, engine)
        with Session(engine) as session:
            base_data_load(session=session)
            w = world_make(session)
            family = family_with_sma_child(session, w.kelompok, "Neneng Rohayati")
            session.commit()
            readiness_recompute_all(session=session)
            admin = session.get(User, w.admin.id)
            rule_parameter_add(
                session=session, user=admin, key="school_max_age", value="18", effective_from=today_local(), note=""
            )
            jobs.readiness_recompute_enqueue(session=session, user=admin, today=today_local())
            done = subprocess.run(
                [sys.executable, "-m", "app.cli", "worker", "--once"],
                cwd=ROOT,
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            session.commit()  # a fresh snapshot: the worker committed after this session's last read
            assert session.get(FamilyReadiness, family.id).verdict == "alamiah"  # type: ignore[union-attr]
            assert [j.status for j in session.exec(select(Job)).all()] == [JobStatus.DONE]
    finally:
        engine.dispose()
