"""Reading the roll: marks of a meeting, whether a month is locked, who may make up a session."""

from datetime import date
from typing import Any

from sqlalchemy import union
from sqlmodel import Session, col, func, select

from app.models import ATTENDANCE_CYCLE, Attendance, Family, FamilyStatus, Kelompok, Meeting, MonthLock, User


def month_locked(*, session: Session, kelompok_id: int, day: date) -> bool:
    return (
        session.exec(
            select(MonthLock.id).where(MonthLock.kelompok_id == kelompok_id, MonthLock.month == day.replace(day=1))
        ).first()
        is not None
    )


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


def roll_members(meeting: Meeting) -> Any:
    """The ids of the KPM on a meeting's roll: the kelompok's active KPM and make-up guests marked on it."""
    return union(
        select(Family.id).where(Family.kelompok_id == meeting.kelompok_id, Family.status == FamilyStatus.AKTIF),
        select(Attendance.family_id).where(Attendance.meeting_id == meeting.id),
    ).subquery()


def roll_mark(*, session: Session, meeting: Meeting, family_id: int) -> Attendance | None:
    return session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.family_id == family_id)
    ).first()


def roll_counts(*, session: Session, meeting: Meeting) -> tuple[dict[str, int], int]:
    """Marks per status and the number of KPM on the roll, without reading the roll."""
    found = dict(
        session.exec(
            select(Attendance.status, func.count())
            .where(Attendance.meeting_id == meeting.id)
            .group_by(col(Attendance.status))
        ).all()
    )
    total = session.exec(select(func.count()).select_from(roll_members(meeting))).one()
    return {s: int(found.get(s, 0)) for s in ATTENDANCE_CYCLE}, int(total)
