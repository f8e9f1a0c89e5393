"""Reading kelompok: lists with their figures, the roster, the KPM × session progress grid."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from app.access import kelompok_clause
from app.clock import today_local
from app.curriculum.queries import TopicRef, topics_active
from app.db import rows_select
from app.models import (
    Area,
    Attendance,
    AttendanceStatus,
    Family,
    FamilyStatus,
    Kelompok,
    Meeting,
    MeetingStatus,
    TopicProgress,
    User,
)

OVERDUE_DAYS = 45


@dataclass
class KelompokSummary:
    kelompok: Kelompok
    village_name: str
    pendamping_name: str
    families: int
    last_held: date | None
    next_scheduled: date | None

    def overdue(self, today: date) -> bool:
        return self.last_held is None or self.last_held < today - timedelta(days=OVERDUE_DAYS)


def kelompok_summaries(
    *,
    session: Session,
    user: User,
    only_overdue_on: date | None = None,
    limit: int | None = None,
    offset: int = 0,
    search: str = "",
) -> list[KelompokSummary]:
    """Every visible kelompok with KPM count, last held and next scheduled meeting, in one trip.

    Scoped first: the counts are correlated subqueries on indexes, evaluated for the visible kelompok only, and
    the last held meeting is the date stored on the kelompok."""
    families = (
        select(func.count())
        .where(col(Family.kelompok_id) == Kelompok.id, Family.status == FamilyStatus.AKTIF)
        .correlate(Kelompok)
        .scalar_subquery()
    )
    upcoming = (
        select(func.min(Meeting.date))
        .where(
            col(Meeting.kelompok_id) == Kelompok.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.date) >= today_local(),
        )
        .correlate(Kelompok)
        .scalar_subquery()
    )
    last = col(Kelompok.last_held_on)
    query = (
        rows_select(Kelompok, Area.name, User.full_name, families, last, upcoming)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .where(kelompok_clause(user), col(Kelompok.active).is_(True))
        .order_by(col(Area.name), col(Kelompok.name))
    )
    if search:
        query = query.where(col(Kelompok.name).ilike(f"%{search}%") | col(Area.name).ilike(f"%{search}%"))
    if only_overdue_on is not None:
        cutoff = only_overdue_on - timedelta(days=OVERDUE_DAYS)
        query = query.where(last.is_(None) | (last < cutoff))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [
        KelompokSummary(
            kelompok=k, village_name=v, pendamping_name=p or "–", families=n or 0, last_held=held, next_scheduled=nxt
        )
        for k, v, p, n, held, nxt in session.exec(query).all()
    ]


def kelompok_roster(*, session: Session, kelompok_id: int) -> list[Family]:
    return list(
        session.exec(
            select(Family)
            .where(Family.kelompok_id == kelompok_id, Family.status == FamilyStatus.AKTIF)
            .order_by(col(Family.head_name))
        ).all()
    )


def completions(*, session: Session, family_ids: list[int]) -> set[tuple[int, int]]:
    """(family, topic) pairs done: present at a held meeting of that topic, in any kelompok (make-up counts)."""
    if not family_ids:
        return set()
    rows = session.exec(
        select(Attendance.family_id, Meeting.topic_id)
        .join(Meeting, col(Meeting.id) == Attendance.meeting_id)
        .where(
            col(Attendance.family_id).in_(family_ids),
            Attendance.status == AttendanceStatus.HADIR,
            Meeting.status == MeetingStatus.HELD,
        )
    ).all()
    return {(f, t) for f, t in rows}


def topics_by_status(*, session: Session, kelompok_id: int, status: str, from_day: date | None = None) -> set[int]:
    query = select(Meeting.topic_id).where(Meeting.kelompok_id == kelompok_id, Meeting.status == status)
    if from_day is not None:
        query = query.where(col(Meeting.date) >= from_day)
    return set(session.exec(query.distinct()).all())


@dataclass
class ProgressGrid:
    topics: list[TopicRef]
    rows: list[tuple[Family, list[str]]]
    topic_share: dict[int, float] = field(default_factory=dict)
    module_share: dict[int, float] = field(default_factory=dict)
    modules: list[tuple[int, str, str]] = field(default_factory=list)  # (no, code, title)
    held_topics: set[int] = field(default_factory=set)


def progress_grid(*, session: Session, kelompok_id: int) -> ProgressGrid:
    """KPM × core session: selesai (done), terlewat (group held it, KPM not yet made it up), belum."""
    topics = topics_active(session=session, core_only=True)
    roster = kelompok_roster(session=session, kelompok_id=kelompok_id)
    done = completions(session=session, family_ids=[f.id or 0 for f in roster])
    held = topics_by_status(session=session, kelompok_id=kelompok_id, status=MeetingStatus.HELD)
    rows = []
    for family in roster:
        cells: list[str] = []
        for topic in topics:
            if (family.id, topic.id) in done:
                cells.append(TopicProgress.SELESAI)
            elif topic.id in held:
                cells.append(TopicProgress.TERLEWAT)
            else:
                cells.append(TopicProgress.BELUM)
        rows.append((family, cells))
    grid = ProgressGrid(topics=topics, rows=rows, held_topics=held)
    n = len(roster)
    for i, topic in enumerate(topics):
        grid.topic_share[topic.id] = sum(1 for _, cells in rows if cells[i] == TopicProgress.SELESAI) / n if n else 0.0
    modules: dict[int, list[int]] = {}
    for i, topic in enumerate(topics):
        modules.setdefault(topic.module_no, []).append(i)
        if (topic.module_no, topic.module_code, topic.module_title) not in grid.modules:
            grid.modules.append((topic.module_no, topic.module_code, topic.module_title))
    for module_no, idx in modules.items():
        complete = sum(1 for _, cells in rows if all(cells[i] == TopicProgress.SELESAI for i in idx))
        grid.module_share[module_no] = complete / n if n else 0.0
    return grid


def pendamping_meetings_on(
    *, session: Session, pendamping_id: int, day: date, exclude_id: int | None = None
) -> list[tuple[int, date, time, int]]:
    """The pendamping's other live meetings on a day, for the double-booking check."""
    query = (
        rows_select(Meeting.id, Meeting.date, Meeting.start_time, Meeting.duration_minutes)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(
            and_(
                col(Kelompok.pendamping_id) == pendamping_id,
                col(Meeting.date) == day,
                col(Meeting.status) != MeetingStatus.CANCELLED,
            )
        )
    )
    if exclude_id is not None:
        query = query.where(Meeting.id != exclude_id)
    return [(i or 0, d, s, m) for i, d, s, m in session.exec(query).all()]
