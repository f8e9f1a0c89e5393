"""Reading the roll: marks of a meeting, whether a month is locked, who may make up a session."""

from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, literal, union, union_all
from sqlmodel import Session, col, func, select

from app.models import ATTENDANCE_CYCLE, Attendance, Family, FamilyStatus, Kelompok, Meeting, MonthLock, User


@cache
def _month_lock_statement() -> Any:
    """Built once: the statements a roll-call tap runs take bound parameters (building a statement and its cache
    key cost more CPU than running it)."""
    return select(MonthLock.id).where(
        MonthLock.kelompok_id == bindparam("kelompok_id"), MonthLock.month == bindparam("month")
    )


def month_locked(*, session: Session, kelompok_id: int, day: date) -> bool:
    params = {"kelompok_id": kelompok_id, "month": day.replace(day=1)}
    return session.exec(_month_lock_statement(), params=params).first() is not None


@cache
def _tap_facts_statement() -> Any:
    """A tapped KPM, its mark on the meeting (or None) and whether the meeting's month is locked: one statement,
    one round trip, where a tap used to take three."""
    locked = _month_lock_statement().exists()
    mark_on = and_(
        col(Attendance.family_id) == Family.id,
        col(Attendance.meeting_id) == bindparam("meeting_id"),
        col(Attendance.year) == bindparam("year"),
    )
    return select(Family, Attendance, locked).outerjoin(Attendance, mark_on).where(Family.id == bindparam("family_id"))


def tap_facts(*, session: Session, meeting: Meeting, family_id: int) -> tuple[Family | None, Attendance | None, bool]:
    """(the KPM, its mark on `meeting`, the meeting's month locked); the KPM is None when no such KPM exists."""
    params = {
        "family_id": family_id,
        "meeting_id": meeting.id,
        "year": meeting.date.year,
        "kelompok_id": meeting.kelompok_id,
        "month": meeting.date.replace(day=1),
    }
    row = session.exec(_tap_facts_statement(), params=params).first()
    if row is None:
        return None, None, month_locked(session=session, kelompok_id=meeting.kelompok_id, day=meeting.date)
    return row[0], row[1], bool(row[2])


def roll_rows(*, session: Session, meeting: Meeting) -> dict[int, Attendance]:
    # The year lets PostgreSQL probe one partition (app.partitions).
    rows = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.year == meeting.date.year)
    ).all()
    return {a.family_id: a for a in rows}


def roll_recorders(*, session: Session, meeting: Meeting) -> dict[int, str]:
    """Who recorded the marks of a meeting, by user id: one query for the whole roll."""
    recorded_by = select(Attendance.recorded_by_id).where(Attendance.meeting_id == meeting.id)
    rows = session.exec(select(User.id, User.full_name).where(col(User.id).in_(recorded_by))).all()
    return {uid: name for uid, name in rows if uid is not None}


def mark_recorder(*, session: Session, mark: Attendance | None) -> dict[int, str]:
    """The recorder of one mark, shaped like `roll_recorders` (a tapped row re-rendered alone)."""
    recorder = session.get(User, mark.recorded_by_id) if mark is not None and mark.recorded_by_id else None
    return {recorder.id or 0: recorder.full_name} if recorder is not None else {}


def makeup_candidates(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting) -> list[Family]:
    """KPM of the pendamping's other kelompok who have not completed this meeting's session yet."""
    if kelompok.pendamping_id is None:
        return []
    # Keyed by kelompok only (the status is checked here): an index on status alone would read every family.
    others = select(Kelompok.id).where(Kelompok.pendamping_id == kelompok.pendamping_id, Kelompok.id != kelompok.id)
    families = [
        f
        for f in session.exec(
            select(Family).where(col(Family.kelompok_id).in_(others)).order_by(col(Family.head_name))
        ).all()
        if f.status == FamilyStatus.AKTIF
    ]
    # Done = present at a held meeting of this topic anywhere: bit topic_id of the kept `sessions_done`.
    done = 1 << meeting.topic_id
    already = set(roll_rows(session=session, meeting=meeting))
    return [f for f in families if not f.sessions_done & done and f.id not in already]


def roll_members(kelompok_id: Any, meeting_id: Any) -> Any:
    """The ids of the KPM on a meeting's roll: the kelompok's active KPM and make-up guests marked on it (values or
    bound parameters). A UNION of two indexed lookups: an `OR id IN (…)` scans every family on PostgreSQL."""
    return union(
        select(Family.id).where(Family.kelompok_id == kelompok_id, Family.status == FamilyStatus.AKTIF),
        select(Attendance.family_id).where(Attendance.meeting_id == meeting_id),
    ).subquery()


def roll_mark(*, session: Session, meeting: Meeting, family_id: int) -> Attendance | None:
    return session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.family_id == family_id)
    ).first()


ROLL_TOTAL = "*"  # the row of `_roll_counts_statement` that counts the KPM on the roll (no status is "*")


@cache
def _roll_counts_statement() -> Any:
    """Marks per status and, in a last row, the KPM on the roll: one statement, built once."""
    meeting_id: Any = bindparam("meeting_id")
    per_status = (
        select(Attendance.status, func.count()).where(Attendance.meeting_id == meeting_id).group_by(Attendance.status)
    )
    members = roll_members(bindparam("kelompok_id"), meeting_id)
    return union_all(per_status, select(literal(ROLL_TOTAL), func.count()).select_from(members))


def roll_counts(*, session: Session, meeting: Meeting) -> tuple[dict[str, int], int]:
    """Marks per status and the number of KPM on the roll, without reading the roll."""
    params = {"meeting_id": meeting.id, "kelompok_id": meeting.kelompok_id}
    found = {status: int(n) for status, n in session.execute(_roll_counts_statement(), params).all()}
    return {s: found.get(s, 0) for s in ATTENDANCE_CYCLE}, found.get(ROLL_TOTAL, 0)
