"""The job queue: the web process enqueues, `python -m app.cli worker` claims and runs, chunk by chunk.

A job's chunk and its progress are committed together, so a worker killed mid-way leaves every chunk either
done (and counted) or untouched; the next worker to find the job's heartbeat stale resumes after `checkpoint`."""

import gc
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.clock import today_local
from app.graduation import rules as graduation_rules
from app.graduation.queries import readiness_evaluate_many
from app.graduation.service import readiness_store
from app.jobs.queries import STALE_AFTER
from app.models import JOB_ACTIVE, Family, Job, JobKind, JobStatus, User, utcnow
from app.roster.service import roster_imports_process

CHUNK_FAMILIES = 5000
# sqlmodel's stubs do not declare the `__table__` SQLAlchemy sets on table models.
JOB_TABLE = Job.__table__  # type: ignore[attr-defined]
log = logging.getLogger("p2k2.jobs")


def job_enqueue(*, session: Session, kind: str, params: dict[str, Any], user: User | None) -> Job:
    """Queue a job of `kind`, coalesced: while one of that kind still waits it stands for both (its params are
    brought up to date); while one runs, this one waits behind it. Commits."""
    values = {
        "kind": kind,
        "params": json.dumps(params, sort_keys=True),
        "status": JobStatus.QUEUED,
        "created_by_id": user.id if user else None,
        "created_at": utcnow(),
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(JOB_TABLE).values(**values)
    # The partial unique index (kind WHERE status = 'queued') makes two simultaneous enqueues one row.
    statement = statement.on_conflict_do_update(
        index_elements=["kind"], index_where=text("status = 'queued'"), set_={"params": statement.excluded.params}
    )
    session.execute(statement)
    session.commit()
    job = session.exec(select(Job).where(Job.kind == kind, Job.status == JobStatus.QUEUED)).one()
    return job


def readiness_recompute_enqueue(*, session: Session, user: User | None, today: date) -> Job:
    """Every stored verdict again, by the worker (after a rule parameter or poverty line changed)."""
    return job_enqueue(
        session=session, kind=JobKind.READINESS_RECOMPUTE, params={"today": today.isoformat()}, user=user
    )


def job_claim(*, session: Session, now: datetime | None = None) -> Job | None:
    """Take the oldest job that is queued, or running with a stale heartbeat (its worker died), unless a job of
    the same kind is running alive: one atomic UPDATE, so two workers never take the same job. Commits."""
    now = now or utcnow()
    stale = now - STALE_AFTER
    waiting = session.exec(select(Job.id).where(col(Job.status).in_(JOB_ACTIVE)).limit(1)).first()
    session.commit()  # the poll itself only reads: an idle worker never takes SQLite's write lock
    if waiting is None:
        return None
    if session.get_bind().dialect.name == "postgresql":
        # Claims one at a time, so "another of its kind is running" cannot change while the UPDATE decides.
        session.execute(text("SELECT pg_advisory_xact_lock(804201)"))
    j, r = JOB_TABLE.alias("j"), JOB_TABLE.alias("r")
    alive = (
        select(r.c.id)
        .where(r.c.kind == j.c.kind, r.c.id != j.c.id, r.c.status == JobStatus.RUNNING, r.c.heartbeat >= stale)
        .exists()
    )
    takeable = or_(j.c.status == JobStatus.QUEUED, and_(j.c.status == JobStatus.RUNNING, j.c.heartbeat < stale))
    # SKIP LOCKED on PostgreSQL; on SQLite this UPDATE is the first statement of its transaction, so it takes the
    # write lock before reading anything and waits for it (busy timeout) as BEGIN IMMEDIATE would.
    pick = (
        select(j.c.id).where(takeable, ~alive).order_by(j.c.id).limit(1).with_for_update(skip_locked=True)
    ).scalar_subquery()
    claimed = session.execute(
        update(JOB_TABLE)
        .where(JOB_TABLE.c.id == pick)
        .values(status=JobStatus.RUNNING, heartbeat=now, started_at=func.coalesce(JOB_TABLE.c.started_at, now))
        .returning(JOB_TABLE.c.id)
    ).scalar()
    session.commit()
    if claimed is None:
        return None
    return session.get(Job, claimed, populate_existing=True)


def job_progress(*, session: Session, job_id: int, done: int, checkpoint: int, total: int) -> None:
    """Count a chunk as done, in the transaction that wrote it (the caller commits both at once); a single
    UPDATE, no read first (on SQLite a transaction that read may not become the writer)."""
    session.execute(
        update(JOB_TABLE)
        .where(JOB_TABLE.c.id == job_id)
        .values(progress_done=done, checkpoint=checkpoint, progress_total=total, heartbeat=utcnow())
    )


def job_finish(*, session: Session, job_id: int, error: str = "") -> None:
    now = utcnow()
    session.execute(
        update(JOB_TABLE)
        .where(JOB_TABLE.c.id == job_id)
        .values(
            status=JobStatus.FAILED if error else JobStatus.DONE, error=error[:2000], finished_at=now, heartbeat=now
        )
    )
    session.commit()


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """A chunk makes many small objects and no cycles: the cycle collector would only rescan them (it doubles
    the time); reference counting frees them all the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rule_memos_clear() -> None:
    """Empty the rules' memo caches between chunks: full, they hold ~200 MB at 100,000 families; emptied, the
    worker stays near 110 MB and a chunk is barely slower (families of a chunk share most criteria)."""
    for value in vars(graduation_rules).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def readiness_recompute_run(*, session: Session, job: Job, chunk: int | None = None) -> None:
    """Every family's verdict, `chunk` families at a time in id order from the job's checkpoint on; each chunk
    stored with its progress in one commit, read in a transaction of its own before (on SQLite a transaction
    that read may not later become the writer)."""
    chunk = chunk or CHUNK_FAMILIES
    job_id, done, checkpoint, total = job.id or 0, job.progress_done, job.checkpoint, job.progress_total
    params = json.loads(job.params or "{}")
    today = date.fromisoformat(params["today"]) if params.get("today") else today_local()
    if checkpoint == 0:
        total = session.exec(select(func.count()).select_from(Family)).one()
    while True:
        upcoming = select(Family.id).where(col(Family.id) > checkpoint).order_by(col(Family.id)).limit(chunk)
        first, last = session.exec(
            select(func.min(Family.id), func.max(Family.id)).where(col(Family.id).in_(upcoming))
        ).one()
        if first is None or last is None:
            session.commit()
            break
        with _cycle_collector_paused():
            verdicts = readiness_evaluate_many(session=session, family_ids=range(first, last + 1), today=today)
        session.commit()
        readiness_store(session=session, verdicts=verdicts)
        done, checkpoint = done + len(verdicts), last
        job_progress(session=session, job_id=job_id, done=done, checkpoint=checkpoint, total=max(total, done))
        session.commit()
        del verdicts
        _rule_memos_clear()


def roster_import_run(*, session: Session, job: Job) -> None:
    """Every roster import waiting for its dry run or its apply; verdicts are recomputed after an apply."""
    job_id = job.id or 0

    def beat() -> None:
        session.execute(update(JOB_TABLE).where(JOB_TABLE.c.id == job_id).values(heartbeat=utcnow()))

    if roster_imports_process(session=session, beat=beat):
        readiness_recompute_enqueue(session=session, user=None, today=today_local())


RUNNERS: dict[str, Callable[..., None]] = {
    JobKind.READINESS_RECOMPUTE: readiness_recompute_run,
    JobKind.ROSTER_IMPORT: roster_import_run,
}


def job_run(*, session: Session, job: Job) -> None:
    """Run a claimed job to its end; a failure is stored on the job (and logged), never raised."""
    job_id, kind = job.id or 0, job.kind
    runner = RUNNERS.get(kind)
    try:
        if runner is None:
            raise ValueError(f"unknown job kind {kind!r}")
        runner(session=session, job=job)
    except Exception as exc:  # the worker survives a bad job; the admin sees why it failed
        log.exception("job %s failed", job_id)
        session.rollback()
        job_finish(session=session, job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        return
    job_finish(session=session, job_id=job_id)
    log.info("job %s (%s) done", job_id, kind)


def jobs_drain(*, session: Session, now: Callable[[], datetime] = utcnow) -> int:
    """Claim and run jobs until none is left to claim; the number run."""
    count = 0
    while (job := job_claim(session=session, now=now())) is not None:
        job_run(session=session, job=job)
        count += 1
    return count
