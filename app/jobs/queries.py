"""Reading the queues for the admin: the latest job of a kind, with whether anyone is working on it, and the
verdicts roll calls queued for the worker."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from app.models import JOB_ACTIVE, Job, JobStatus, ReadinessPending, utcnow

STALE_AFTER = timedelta(seconds=120)  # a chunk takes a few seconds: a heartbeat this old means the worker died

NO_WORKER_AFTER = timedelta(seconds=15)  # a worker polls every second: a job queued this long has nobody to take it


@dataclass(frozen=True)
class JobView:
    id: int
    status: str
    done: int
    total: int
    created_at: datetime
    finished_at: datetime | None
    error: str
    another_queued: bool  # a later change waits for this running job to end
    no_worker: bool  # queued (or running with a dead worker) and nobody has taken it for a while

    @property
    def active(self) -> bool:
        return self.status in JOB_ACTIVE

    @property
    def queued(self) -> bool:
        return self.status == JobStatus.QUEUED

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0


def job_latest(*, session: Session, kind: str, now: datetime | None = None) -> JobView | None:
    """The job of `kind` the admin cares about: the queued or running one, else the last finished one."""
    now = now or utcnow()
    jobs = session.exec(select(Job).where(Job.kind == kind).order_by(col(Job.id).desc()).limit(2)).all()
    if not jobs:
        return None
    running = next((j for j in jobs if j.status == JobStatus.RUNNING), None)
    queued = next((j for j in jobs if j.status == JobStatus.QUEUED), None)
    job = running or queued or jobs[0]
    alive = running is not None and running.heartbeat is not None and now - running.heartbeat < STALE_AFTER
    if job.status == JobStatus.QUEUED:
        no_worker = not alive and now - job.created_at > NO_WORKER_AFTER
    else:
        no_worker = job.status == JobStatus.RUNNING and not alive
    return JobView(
        id=job.id or 0,
        status=job.status,
        done=job.progress_done,
        total=job.progress_total,
        created_at=job.created_at,
        finished_at=job.finished_at,
        error=job.error,
        another_queued=running is not None and queued is not None,
        no_worker=no_worker,
    )


@dataclass(frozen=True)
class PendingView:
    """The verdicts roll calls queued for the worker (READINESS_REFRESH=worker): how many, since when."""

    count: int
    oldest: datetime | None
    no_worker: bool  # the oldest has waited longer than a polling worker lets one wait, and no job keeps it busy


def readiness_pending_status(*, session: Session, now: datetime | None = None) -> PendingView:
    now = now or utcnow()
    count, oldest = session.execute(
        select(func.count(), func.min(col(ReadinessPending.queued_at))).select_from(ReadinessPending)
    ).one()
    no_worker = oldest is not None and now - oldest > NO_WORKER_AFTER
    if no_worker:  # a worker running a long job (a rule change's recompute) comes to the queue after it
        busy = select(Job.id).where(Job.status == JobStatus.RUNNING, col(Job.heartbeat) >= now - STALE_AFTER)
        no_worker = session.exec(busy.limit(1)).first() is None
    return PendingView(count, oldest, no_worker)
