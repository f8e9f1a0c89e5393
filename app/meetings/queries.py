"""Reading meetings: a kelompok's calendar, one meeting with its roll and history, a user's next meetings."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import union
from sqlmodel import Session, col, func, select

from app.access import kelompok_clause
from app.models import (
    Attendance,
    AttendanceStatus,
    CurriculumModule,
    Family,
    FamilyStatus,
    Kelompok,
    Meeting,
    MeetingEvent,
    MeetingStatus,
    Topic,
    User,
)


@dataclass
class MeetingRow:
    meeting: Meeting
    topic: Topic
    module: CurriculumModule
    kelompok: Kelompok | None = None


def _rows(session: Session, query: object) -> list[MeetingRow]:
    return [MeetingRow(meeting=m, topic=t, module=mod, kelompok=k) for m, t, mod, k in session.exec(query).all()]  # type: ignore[call-overload]


def _base() -> object:
    return (
        select(Meeting, Topic, CurriculumModule, Kelompok)
        .join(Topic, col(Topic.id) == Meeting.topic_id)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
    )


def meetings_of_kelompok(
    *, session: Session, kelompok_id: int, today: date
) -> tuple[list[MeetingRow], list[MeetingRow]]:
    """(upcoming scheduled, everything else newest first) for one kelompok."""
    rows = _rows(
        session, _base().where(Meeting.kelompok_id == kelompok_id).order_by(col(Meeting.date), col(Meeting.start_time))
    )  # type: ignore[attr-defined]
    upcoming = [r for r in rows if r.meeting.status == MeetingStatus.SCHEDULED and r.meeting.date >= today]
    past = [r for r in reversed(rows) if r not in upcoming]
    return upcoming, past


def _visible(user: User) -> Any:
    """Meetings of the user's kelompok, probed kelompok by kelompok on the (kelompok, status, date) index."""
    return col(Meeting.kelompok_id).in_(select(Kelompok.id).where(kelompok_clause(user)))


def meetings_upcoming(*, session: Session, user: User, today: date, limit: int = 10) -> list[MeetingRow]:
    query = (
        _base()  # type: ignore[attr-defined]
        .where(_visible(user), Meeting.status == MeetingStatus.SCHEDULED, col(Meeting.date) >= today)
        .order_by(col(Meeting.date), col(Meeting.start_time))
        .limit(limit)
    )
    return _rows(session, query)


def meetings_waiting_roll(*, session: Session, user: User, today: date, limit: int = 10) -> list[MeetingRow]:
    """Scheduled meetings whose day has come: the roll is due and the meeting not yet marked held."""
    query = (
        _base()  # type: ignore[attr-defined]
        .where(_visible(user), Meeting.status == MeetingStatus.SCHEDULED, col(Meeting.date) < today)
        .order_by(col(Meeting.date).desc())
        .limit(limit)
    )
    return _rows(session, query)


def meeting_events(*, session: Session, meeting_id: int) -> list[tuple[MeetingEvent, str]]:
    rows = session.exec(
        select(MeetingEvent, User.full_name)
        .outerjoin(User, col(User.id) == MeetingEvent.user_id)
        .where(MeetingEvent.meeting_id == meeting_id)
        .order_by(col(MeetingEvent.at), col(MeetingEvent.id))
    ).all()
    return [(e, name or "–") for e, name in rows]


def meeting_topic(*, session: Session, meeting: Meeting) -> tuple[Topic, CurriculumModule]:
    row = session.exec(
        select(Topic, CurriculumModule)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .where(Topic.id == meeting.topic_id)
    ).one()
    return row[0], row[1]


def _on_roll(meeting: Meeting) -> Any:
    return union(
        select(Family.id).where(Family.kelompok_id == meeting.kelompok_id, Family.status == FamilyStatus.AKTIF),
        select(Attendance.family_id).where(Attendance.meeting_id == meeting.id),
    ).subquery()


def roll_families(*, session: Session, meeting: Meeting) -> list[Family]:
    """The kelompok's active KPM plus make-up guests already marked on this meeting.

    A UNION of two indexed lookups (family by kelompok, attendance by meeting): an `OR id IN (…)` scans every
    family on PostgreSQL."""
    on_roll = _on_roll(meeting)
    return list(
        session.exec(
            select(Family).join(on_roll, on_roll.c.id == Family.id).order_by(col(Family.head_name), col(Family.id))
        ).all()
    )


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
    total = session.exec(select(func.count()).select_from(_on_roll(meeting))).one()
    return {s: int(found.get(s, 0)) for s in AttendanceStatus.CYCLE}, int(total)
