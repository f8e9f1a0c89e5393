"""The lists behind the dashboard's numbers: kelompok and meetings of an area, paged."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.dashboard.queries import Scope, kelompok_filter, last_held_subquery
from app.db import rows_select
from app.kelompok.queries import OVERDUE_DAYS
from app.models import Area, CurriculumModule, Family, FamilyStatus, Kelompok, Meeting, Topic, User


@dataclass
class KelompokRow:
    id: int
    name: str
    village: str
    pendamping: str
    kpm: int
    last_held: date | None

    def overdue(self, today: date) -> bool:
        return self.last_held is None or self.last_held < today - timedelta(days=OVERDUE_DAYS)


@dataclass
class MeetingRow:
    id: int
    day: date
    status: str
    kelompok_id: int
    kelompok: str
    topic_no: int
    topic: str
    module_core: bool
    module_code: str
    pendamping: str


def user_name(*, session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else ""


def kelompok_rows(
    *,
    session: Session,
    scope: Scope,
    today: date,
    pendamping_id: int | None,
    overdue_only: bool,
    limit: int,
    offset: int,
) -> list[KelompokRow]:
    families = (
        select(Family.kelompok_id, func.count().label("n"))
        .where(Family.status == FamilyStatus.AKTIF)
        .group_by(col(Family.kelompok_id))
        .subquery()
    )
    last = last_held_subquery()
    query = (
        rows_select(
            Kelompok.id,
            Kelompok.name,
            Area.name,
            func.coalesce(User.full_name, "–"),
            func.coalesce(families.c.n, 0),
            last.c.last,
        )
        .select_from(Kelompok)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .outerjoin(families, families.c.kelompok_id == Kelompok.id)
        .outerjoin(last, last.c.kelompok_id == Kelompok.id)
        .where(*kelompok_filter(scope))
        .order_by(col(Area.name), col(Kelompok.name), col(Kelompok.id))
        .limit(limit)
        .offset(offset)
    )
    if pendamping_id is not None:
        query = query.where(Kelompok.pendamping_id == pendamping_id)
    if overdue_only:
        query = query.where(last.c.last.is_(None) | (last.c.last < today - timedelta(days=OVERDUE_DAYS)))
    return [
        KelompokRow(id=i, name=n, village=v, pendamping=p, kpm=k, last_held=d)
        for i, n, v, p, k, d in session.exec(query).all()
    ]


def meeting_rows(
    *,
    session: Session,
    scope: Scope,
    month: date | None,
    status: str,
    pendamping_id: int | None,
    limit: int,
    offset: int,
) -> list[MeetingRow]:
    start = month or scope.period.start
    end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1) if month else scope.period.last_day
    query = (
        rows_select(
            Meeting.id,
            Meeting.date,
            Meeting.status,
            Kelompok.id,
            Kelompok.name,
            Topic.no,
            Topic.title,
            CurriculumModule.core,
            CurriculumModule.code,
            func.coalesce(User.full_name, "–"),
        )
        .select_from(Meeting)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .join(Topic, col(Topic.id) == Meeting.topic_id)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .where(*kelompok_filter(scope), col(Meeting.date) >= start, col(Meeting.date) <= end)
        .order_by(col(Meeting.date).desc(), col(Kelompok.name), col(Meeting.id))
        .limit(limit)
        .offset(offset)
    )
    if status:
        query = query.where(Meeting.status == status)
    if pendamping_id is not None:
        query = query.where(Kelompok.pendamping_id == pendamping_id)
    return [MeetingRow(*row) for row in session.exec(query).all()]
