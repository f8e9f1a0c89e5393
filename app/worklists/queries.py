"""Reads behind the role home pages and the lists that act: counts for the home page, one page of rows for a list.

Every list is scoped (app.access), filtered in SQL and paged; a page runs the same few statements whatever the
database's size."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access import area_within, family_clause, kelompok_clause
from app.db import RowsSelect, rows_select
from app.graduation.queries import GRADUATED, CandidateFilters
from app.models import (
    Area,
    Attendance,
    AttendanceStatus,
    CorrectionRequest,
    CorrectionStatus,
    Family,
    FamilyReadiness,
    FamilyStatus,
    GraduationProposal,
    Job,
    JobStatus,
    Kelompok,
    Meeting,
    MeetingStatus,
    ProposalStatus,
    QualityReview,
    ReadinessWarning,
    Role,
    User,
)

OVERDUE_DAYS = 45
EXPORT_CHUNK = 1000


def month_start(today: date) -> date:
    return today.replace(day=1)


def _count(session: Session, query: Any) -> int:
    return int(session.exec(select(func.count()).select_from(query.subquery())).one())


# --- families to follow up: 3 alpa in a row, attendance under the threshold ---


@dataclass
class FamilyRow:
    family_id: int
    head_name: str
    programme_id: str
    village_name: str
    kelompok_name: str
    pendamping_name: str
    alpa_streak: int
    hadir: int = 0
    marks: int = 0

    @property
    def share(self) -> float | None:
        return self.hadir / self.marks if self.marks else None


def _filter_where(filters: CandidateFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.kelurahan:
        where.append(col(Family.village_code) == filters.kelurahan)
    elif filters.kecamatan:
        where.append(area_within(col(Family.village_code), filters.kecamatan))
    if filters.kelompok_id is not None:
        where.append(col(Family.kelompok_id) == filters.kelompok_id)
    if filters.pendamping_id is not None:
        where.append(col(Kelompok.pendamping_id) == filters.pendamping_id)
    return where


def _family_columns() -> tuple[Any, ...]:
    return (
        Family.id,
        Family.head_name,
        Family.programme_id,
        Area.name,
        func.coalesce(Kelompok.name, "–"),
        func.coalesce(User.full_name, "–"),
        Family.alpa_streak,
    )


def _family_joins(query: RowsSelect) -> RowsSelect:
    return (
        query.join(Area, col(Area.code) == Family.village_code)
        .outerjoin(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
    )


def _alpa_query(user: User, filters: CandidateFilters, streak: int) -> RowsSelect:
    return _family_joins(rows_select(*_family_columns())).where(
        family_clause(user),
        col(Family.status) == FamilyStatus.AKTIF,
        col(Family.alpa_streak) >= streak,
        *_filter_where(filters),
    )


def alpa_families(
    *, session: Session, user: User, filters: CandidateFilters, streak: int, limit: int, offset: int
) -> list[FamilyRow]:
    """Active families whose last `streak` (or more) marks are all alpa: the kept streak, no marks read."""
    query = _alpa_query(user, filters, streak).order_by(
        col(Family.alpa_streak).desc(), col(Family.head_name), col(Family.id)
    )
    return [FamilyRow(*r) for r in session.exec(query.limit(limit).offset(offset)).all()]


def alpa_families_iter(*, session: Session, user: User, filters: CandidateFilters, streak: int) -> Iterator[FamilyRow]:
    query = _alpa_query(user, filters, streak).order_by(col(Family.alpa_streak).desc(), col(Family.id))
    for r in session.exec(query.execution_options(yield_per=EXPORT_CHUNK)):
        yield FamilyRow(*r)


def alpa_families_count(*, session: Session, user: User, streak: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Family)
            .where(family_clause(user), col(Family.status) == FamilyStatus.AKTIF, col(Family.alpa_streak) >= streak)
        ).one()
    )


def _attendance_shares(user: User, filters: CandidateFilters, *, since: date, until: date, min_share: float) -> Any:
    """(family_id, hadir, marks) of the families under `min_share` at the held meetings of the window, read from
    the (meeting, status, family) index of the scoped kelompok's meetings only, grouped by family id alone."""
    hadir = func.sum(case((col(Attendance.status) == AttendanceStatus.HADIR, 1), else_=0))
    marks = func.count()
    meetings = (
        select(Meeting.id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(
            kelompok_clause(user),
            col(Meeting.status) == MeetingStatus.HELD,
            col(Meeting.date) >= since,
            col(Meeting.date) <= until,
        )
    )
    if filters.kelompok_id is not None:
        meetings = meetings.where(col(Meeting.kelompok_id) == filters.kelompok_id)
    if filters.pendamping_id is not None:
        meetings = meetings.where(col(Kelompok.pendamping_id) == filters.pendamping_id)
    if filters.kelurahan:
        meetings = meetings.where(col(Kelompok.village_code) == filters.kelurahan)
    elif filters.kecamatan:
        meetings = meetings.where(area_within(col(Kelompok.village_code), filters.kecamatan))
    return (
        select(col(Attendance.family_id).label("family_id"), hadir.label("hadir"), marks.label("marks"))
        .where(col(Attendance.meeting_id).in_(meetings))
        .group_by(col(Attendance.family_id))
        # hadir / marks < min_share, in integers (no division): hadir * 10000 < min_share * 10000 * marks
        .having(hadir * 10000 < marks * round(min_share * 10000))
        .subquery()
    )


def _low_attendance_query(
    user: User, filters: CandidateFilters, *, since: date, until: date, min_share: float
) -> tuple[RowsSelect, Any]:
    shares = _attendance_shares(user, filters, since=since, until=until, min_share=min_share)
    query = _family_joins(
        rows_select(*_family_columns(), shares.c.hadir, shares.c.marks)
        .select_from(shares)
        .join(Family, col(Family.id) == shares.c.family_id)
    ).where(
        family_clause(user),
        col(Family.status) == FamilyStatus.AKTIF,
        *_filter_where(filters),
    )
    return query, shares


def low_attendance_families(
    *,
    session: Session,
    user: User,
    filters: CandidateFilters,
    since: date,
    until: date,
    min_share: float,
    limit: int,
    offset: int,
) -> list[FamilyRow]:
    """Active families whose hadir share at meetings held in the window is under `min_share`, lowest first."""
    query, shares = _low_attendance_query(user, filters, since=since, until=until, min_share=min_share)
    query = query.order_by(shares.c.hadir * 1.0 / shares.c.marks, col(Family.head_name), col(Family.id))
    return [FamilyRow(*r) for r in session.exec(query.limit(limit).offset(offset)).all()]


def low_attendance_iter(
    *, session: Session, user: User, filters: CandidateFilters, since: date, until: date, min_share: float
) -> Iterator[FamilyRow]:
    query, _ = _low_attendance_query(user, filters, since=since, until=until, min_share=min_share)
    for r in session.exec(query.order_by(col(Family.id)).execution_options(yield_per=EXPORT_CHUNK)):
        yield FamilyRow(*r)


# --- graduates: under post-graduation monitoring, flagged for re-enrolment ---


@dataclass
class GraduateRow:
    family_id: int
    head_name: str
    programme_id: str
    village_name: str
    kelompok_name: str
    status: str
    route: str
    decided_at: datetime | None
    monitor_until: date | None
    flagged: bool


def _graduates_query(user: User, filters: CandidateFilters) -> RowsSelect:
    flagged = func.coalesce(col(FamilyReadiness.warnings).contains(ReadinessWarning.TINJAU_ULANG), False)
    return (
        rows_select(
            Family.id,
            Family.head_name,
            Family.programme_id,
            Area.name,
            func.coalesce(Kelompok.name, "–"),
            Family.status,
            GraduationProposal.route,
            GraduationProposal.decided_at,
            GraduationProposal.monitor_until,
            flagged,
        )
        .select_from(GraduationProposal)
        .join(Family, col(Family.id) == GraduationProposal.family_id)
        .join(Area, col(Area.code) == Family.village_code)
        .outerjoin(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .outerjoin(FamilyReadiness, col(FamilyReadiness.family_id) == Family.id)
        .where(
            family_clause(user),
            col(GraduationProposal.status) == ProposalStatus.DISETUJUI,
            col(Family.status).in_(GRADUATED),
            *_filter_where(filters),
        )
    )


def graduates_monitored(
    *, session: Session, user: User, filters: CandidateFilters, today: date, flagged_only: bool, limit: int, offset: int
) -> list[GraduateRow]:
    """Graduates still inside their monitoring period (`monitor_until` not past), or, with `flagged_only`, every
    graduate whose follow-up assessment fell back under the poverty line (readiness warning tinjau_ulang)."""
    query = _graduates_query(user, filters)
    if flagged_only:
        query = query.where(col(FamilyReadiness.warnings).contains(ReadinessWarning.TINJAU_ULANG))
    else:
        query = query.where(col(GraduationProposal.monitor_until) >= today)
    query = query.order_by(col(GraduationProposal.monitor_until), col(Family.head_name), col(Family.id))
    return [
        GraduateRow(
            family_id=r[0],
            head_name=r[1],
            programme_id=r[2],
            village_name=r[3],
            kelompok_name=r[4],
            status=r[5],
            route=r[6],
            decided_at=r[7],
            monitor_until=r[8],
            flagged=bool(r[9]),
        )
        for r in session.exec(query.limit(limit).offset(offset)).all()
    ]


def reenrolment_count(*, session: Session, user: User) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Family)
            .join(FamilyReadiness, col(FamilyReadiness.family_id) == Family.id)
            .where(
                family_clause(user),
                col(Family.status).in_(GRADUATED),
                col(FamilyReadiness.warnings).contains(ReadinessWarning.TINJAU_ULANG),
            )
        ).one()
    )


# --- the supervisor's and peninjau's waiting work ---


def proposals_waiting_count(*, session: Session, user: User, status: str) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(GraduationProposal)
            .join(Family, col(Family.id) == GraduationProposal.family_id)
            .where(family_clause(user), col(GraduationProposal.status) == status)
        ).one()
    )


def corrections_waiting_count(*, session: Session, user: User) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(CorrectionRequest)
            .join(Meeting, col(Meeting.id) == CorrectionRequest.meeting_id)
            .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
            .where(kelompok_clause(user), col(CorrectionRequest.status) == CorrectionStatus.MENUNGGU)
        ).one()
    )


def kelompok_overdue_count(*, session: Session, user: User, today: date) -> int:
    """Active kelompok with no meeting held for OVERDUE_DAYS (or never): the date kept on the kelompok."""
    last = col(Kelompok.last_held_on)
    return int(
        session.exec(
            select(func.count())
            .select_from(Kelompok)
            .where(
                kelompok_clause(user),
                col(Kelompok.active).is_(True),
                last.is_(None) | (last < today - timedelta(days=OVERDUE_DAYS)),
            )
        ).one()
    )


@dataclass
class ReviewDueRow:
    kelompok_id: int
    kelompok_name: str
    village_name: str
    pendamping_name: str
    meeting_id: int  # the latest meeting held this month: the one to review
    meeting_date: date


def _review_due_query(user: User, today: date) -> RowsSelect:
    """Kelompok that held a meeting this month and have no quality review of any of this month's meetings."""
    first = month_start(today)
    held_this_month = and_(
        col(Meeting.kelompok_id) == Kelompok.id,
        col(Meeting.status) == MeetingStatus.HELD,
        col(Meeting.date) >= first,
        col(Meeting.date) <= today,
    )
    reviewed = aliased(Meeting)
    latest = select(func.max(Meeting.id)).where(held_this_month).correlate(Kelompok).scalar_subquery()
    meeting = aliased(Meeting)
    return (
        rows_select(Kelompok.id, Kelompok.name, Area.name, func.coalesce(User.full_name, "–"), meeting.id, meeting.date)
        .select_from(Kelompok)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .join(meeting, col(meeting.id) == latest)
        .where(
            kelompok_clause(user),
            col(Kelompok.active).is_(True),
            ~exists(
                select(QualityReview.id)
                .join(reviewed, col(reviewed.id) == QualityReview.meeting_id)
                .where(col(reviewed.kelompok_id) == Kelompok.id, col(reviewed.date) >= first)
                .correlate(Kelompok)
            ),
        )
    )


def reviews_due(*, session: Session, user: User, today: date, limit: int, offset: int) -> list[ReviewDueRow]:
    query = _review_due_query(user, today).order_by(col(Area.name), col(Kelompok.name), col(Kelompok.id))
    return [ReviewDueRow(*r) for r in session.exec(query.limit(limit).offset(offset)).all()]


def reviews_due_count(*, session: Session, user: User, today: date) -> int:
    return _count(session, _review_due_query(user, today))


# --- the admin's: people and kelompok out of step, failed background work ---


@dataclass
class UserRow:
    user_id: int
    username: str
    full_name: str
    area_code: str | None
    kelompok: int  # active kelompok still assigned


def _assigned() -> Any:
    return (
        select(func.count())
        .select_from(Kelompok)
        .where(col(Kelompok.pendamping_id) == User.id, col(Kelompok.active).is_(True))
        .correlate(User)
        .scalar_subquery()
    )


def _pendamping_idle_query() -> RowsSelect:
    assigned = _assigned()
    return rows_select(User.id, User.username, User.full_name, User.area_code, assigned).where(
        col(User.role) == Role.PENDAMPING, col(User.is_active).is_(True), assigned == 0
    )


def _inactive_assigned_query() -> RowsSelect:
    assigned = _assigned()
    return rows_select(User.id, User.username, User.full_name, User.area_code, assigned).where(
        col(User.is_active).is_(False), assigned > 0
    )


def pendamping_idle(*, session: Session, limit: int, offset: int) -> list[UserRow]:
    """Active pendamping with no active kelompok."""
    query = _pendamping_idle_query().order_by(col(User.full_name), col(User.id))
    return [UserRow(*r) for r in session.exec(query.limit(limit).offset(offset)).all()]


def inactive_assigned(*, session: Session, limit: int, offset: int) -> list[UserRow]:
    """Deactivated users still named as the pendamping of an active kelompok."""
    query = _inactive_assigned_query().order_by(col(User.full_name), col(User.id))
    return [UserRow(*r) for r in session.exec(query.limit(limit).offset(offset)).all()]


def pendamping_idle_count(*, session: Session) -> int:
    return _count(session, _pendamping_idle_query())


def inactive_assigned_count(*, session: Session) -> int:
    return _count(session, _inactive_assigned_query())


@dataclass
class FailedImport:
    """A background job (later also an import) that failed: what, when, why."""

    id: int
    kind: str
    created_at: datetime
    finished_at: datetime | None
    error: str


def _failed_jobs_query() -> RowsSelect:
    return rows_select(Job.id, Job.kind, Job.created_at, Job.finished_at, Job.error).where(
        col(Job.status) == JobStatus.FAILED
    )


def failed_imports(*, session: Session, limit: int, offset: int = 0) -> list[FailedImport]:
    """Failed imports and background jobs, newest first. Today the Job table only; the import table joins here."""
    query = _failed_jobs_query().order_by(col(Job.id).desc())
    return [FailedImport(*r) for r in session.exec(query.limit(limit).offset(offset)).all()]


def failed_imports_count(*, session: Session) -> int:
    return _count(session, _failed_jobs_query())
