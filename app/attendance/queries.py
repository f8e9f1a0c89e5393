"""Reading the roll: marks of a meeting, whether a month is locked, who may make up a session."""

from datetime import date

from sqlmodel import Session, col, select

from app.kelompok.queries import completions
from app.models import Attendance, Family, FamilyStatus, Kelompok, Meeting, MonthLock, User


def month_locked(*, session: Session, kelompok_id: int, day: date) -> bool:
    return (
        session.exec(
            select(MonthLock.id).where(MonthLock.kelompok_id == kelompok_id, MonthLock.month == day.replace(day=1))
        ).first()
        is not None
    )


def roll_rows(*, session: Session, meeting: Meeting) -> dict[int, Attendance]:
    rows = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    return {a.family_id: a for a in rows}


def makeup_candidates(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting) -> list[Family]:
    """KPM of the pendamping's other kelompok who have not completed this meeting's session yet."""
    if kelompok.pendamping_id is None:
        return []
    families = list(
        session.exec(
            select(Family)
            .join(Kelompok, col(Kelompok.id) == Family.kelompok_id)
            .where(
                Kelompok.pendamping_id == kelompok.pendamping_id,
                Family.kelompok_id != kelompok.id,
                Family.status == FamilyStatus.AKTIF,
            )
            .order_by(col(Family.head_name))
        ).all()
    )
    done = completions(session=session, family_ids=[f.id or 0 for f in families])
    already = set(roll_rows(session=session, meeting=meeting))
    return [f for f in families if (f.id, meeting.topic_id) not in done and f.id not in already]
