"""Supervisor dashboard reads: SQL aggregates over kelompok ⋈ meeting ⋈ attendance for one area and period.

Every aggregate groups by (child area of the drill-down level, pendamping[, month]); the few thousand rows it
returns are rolled up here into the per-month, per-area and per-pendamping tables. Counts are additive across
those keys because a kelompok lies in one area and has one pendamping, so the roll-up is exact.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, func
from sqlmodel import Session, col, select

from app.access import area_within, kelompok_clause
from app.curriculum.queries import TopicRef, topics_active
from app.kelompok.queries import OVERDUE_DAYS
from app.models import (
    Area,
    Attendance,
    AttendanceStatus,
    Family,
    FamilyStatus,
    GraduationProposal,
    Kelompok,
    Meeting,
    MeetingStatus,
    QualityReview,
    User,
)

# Length of the code of the next level down: province 32 → kab/kota 32.77 → kecamatan 32.77.01 → kelurahan.
CHILD_CODE_LENGTH = {0: 2, 1: 5, 2: 8, 3: 13}
OVERDUE_LIST_LIMIT = 200


@dataclass(frozen=True)
class Period:
    """Whole months, first day of `start` to the last day of `end`."""

    start: date
    end: date

    @property
    def months(self) -> list[date]:
        out, month = [], self.start
        while month <= self.end:
            out.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return out

    @property
    def last_day(self) -> date:
        return (self.end + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    """Who is looking, at which area (None: everything the user may see) and for which period."""

    user: User
    area: Area | None
    period: Period

    @property
    def child_length(self) -> int | None:
        """Code length of the drill-down children; None when the children are kelompok (at a kelurahan)."""
        return CHILD_CODE_LENGTH.get(self.area.level if self.area else 0)


@dataclass
class Tally:
    """Additive counts of one row of a dashboard table."""

    kelompok: int = 0
    kpm: int = 0
    overdue: int = 0
    planned: int = 0
    held: int = 0
    cancelled: int = 0
    marks: int = 0
    present: int = 0
    reviews: int = 0
    review_points: int = 0
    proposals: int = 0
    topic_done: dict[int, int] = field(default_factory=dict)
    module_done: dict[int, int] = field(default_factory=dict)
    all_done: int = 0

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.marks if self.marks else None

    @property
    def held_share(self) -> float | None:
        return self.held / self.planned if self.planned else None

    @property
    def quality(self) -> float | None:
        return self.review_points / self.reviews if self.reviews else None

    def completion(self, count: int) -> float | None:
        return count / self.kpm if self.kpm else None


@dataclass
class Child:
    key: str
    name: str
    is_kelompok: bool
    tally: Tally = field(default_factory=Tally)


@dataclass
class PendampingRow:
    user_id: int
    name: str
    tally: Tally = field(default_factory=Tally)


@dataclass
class Module:
    no: int
    title: str
    mask: int
    topics: list[TopicRef]


@dataclass
class Dashboard:
    scope: Scope
    total: Tally
    months: list[tuple[date, Tally]]
    children: list[Child]
    pendamping: list[PendampingRow]
    overdue: list[tuple[int, str, str, str, date | None]]  # kelompok id, name, kelurahan, pendamping, last held
    topics: list[TopicRef] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def month_key(session: Session, column: Any) -> ColumnElement[str]:
    """'YYYY-MM' of a date column, in the database."""
    if _dialect(session) == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def kelompok_filter(scope: Scope) -> list[ColumnElement[bool]]:
    """The kelompok a dashboard counts: visible to the user, active, inside the area."""
    conditions = [kelompok_clause(scope.user), col(Kelompok.active).is_(True)]
    if scope.area is not None:
        conditions.append(area_within(Kelompok.village_code, scope.area.code))
    return conditions


def child_key(scope: Scope) -> ColumnElement[str]:
    length = scope.child_length
    if length is None:
        return cast(Kelompok.id, String)
    return func.substr(Kelompok.village_code, 1, length)


def _range(period: Period) -> ColumnElement[bool]:
    return and_(col(Meeting.date) >= period.start, col(Meeting.date) <= period.last_day)


def attendance_by_month(*, session: Session, scope: Scope) -> Select[Any]:
    """Marks and present marks of held meetings, per (child, pendamping, month).

    Attendance is first counted per meeting straight from the (meeting_id, status) index, so the per-row work
    is a counter; the month and area keys are then computed once per meeting, not once per mark.
    """
    key, month = child_key(scope), month_key(session, Meeting.date)
    held = (
        select(Meeting.id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(*kelompok_filter(scope), Meeting.status == MeetingStatus.HELD, _range(scope.period))
    )
    per_meeting = (
        select(Attendance.meeting_id, func.count().label("marks"),
               func.sum(case((Attendance.status == AttendanceStatus.HADIR, 1), else_=0)).label("present"))
        .where(col(Attendance.meeting_id).in_(held))
        .group_by(col(Attendance.meeting_id))
        .subquery()
    )
    return (
        select(key, Kelompok.pendamping_id, month, func.sum(per_meeting.c.marks), func.sum(per_meeting.c.present))
        .select_from(per_meeting)
        .join(Meeting, col(Meeting.id) == per_meeting.c.meeting_id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .group_by(key, col(Kelompok.pendamping_id), month)
    )


def meetings_by_month(*, session: Session, scope: Scope) -> Select[Any]:
    """Meetings per (child, pendamping, month, status): planned = all of them, held, cancelled."""
    key, month = child_key(scope), month_key(session, Meeting.date)
    return (
        select(key, Kelompok.pendamping_id, month, Meeting.status, func.count())
        .select_from(Kelompok)
        .join(Meeting, col(Meeting.kelompok_id) == Kelompok.id)
        .where(*kelompok_filter(scope), _range(scope.period))
        .group_by(key, col(Kelompok.pendamping_id), month, col(Meeting.status))
    )


def kelompok_figures(*, scope: Scope, today: date) -> Select[Any]:
    """Per (child, pendamping): kelompok, active KPM, kelompok with no held meeting in 45 days."""
    families = (
        select(Family.kelompok_id, func.count().label("n"))
        .where(Family.status == FamilyStatus.AKTIF)
        .group_by(col(Family.kelompok_id))
        .subquery()
    )
    last = last_held_subquery()
    key = child_key(scope)
    overdue = case((last.c.last.is_(None) | (last.c.last < today - timedelta(days=OVERDUE_DAYS)), 1), else_=0)
    return (
        select(key, Kelompok.pendamping_id, func.count(), func.coalesce(func.sum(families.c.n), 0),
               func.sum(overdue))
        .select_from(Kelompok)
        .outerjoin(families, families.c.kelompok_id == Kelompok.id)
        .outerjoin(last, last.c.kelompok_id == Kelompok.id)
        .where(*kelompok_filter(scope))
        .group_by(key, col(Kelompok.pendamping_id))
    )


def last_held_subquery() -> Any:
    return (
        select(Meeting.kelompok_id, func.max(Meeting.date).label("last"))
        .where(Meeting.status == MeetingStatus.HELD)
        .group_by(col(Meeting.kelompok_id))
        .subquery()
    )


def overdue_kelompok(*, scope: Scope, today: date, limit: int = OVERDUE_LIST_LIMIT) -> Select[Any]:
    """Kelompok with no held meeting in the last 45 days, longest silent first."""
    last = last_held_subquery()
    return (
        select(Kelompok.id, Kelompok.name, Area.name, func.coalesce(User.full_name, "–"), last.c.last)
        .select_from(Kelompok)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .outerjoin(last, last.c.kelompok_id == Kelompok.id)
        .where(*kelompok_filter(scope),
               last.c.last.is_(None) | (last.c.last < today - timedelta(days=OVERDUE_DAYS)))
        .order_by(last.c.last.is_not(None), last.c.last, col(Kelompok.name))
        .limit(limit)
    )


def curriculum_modules(topics: list[TopicRef]) -> list[Module]:
    modules: dict[int, Module] = {}
    for i, topic in enumerate(topics):
        module = modules.setdefault(topic.module_no, Module(no=topic.module_no, title=topic.module_title, mask=0,
                                                            topics=[]))
        module.mask |= 1 << i
        module.topics.append(topic)
    return list(modules.values())


def completion_masks(*, conditions: list[ColumnElement[bool]], topics: list[TopicRef], dialect: str) -> Any:
    """Subquery (family_id, mask): bit i set when the family completed `topics[i]`, for families of matching kelompok.

    A KPM completed a session when present at a held meeting of it, in any kelompok; SUM of DISTINCT powers of two
    folds a family's sessions into one mask, read per family in index order.
    """
    bit = case({t.id: 1 << i for i, t in enumerate(topics)}, value=Meeting.topic_id, else_=None)
    # PostgreSQL ORs the bits with a hash aggregate; SQLite has no bit_or, SUM(DISTINCT) of powers of two is the same.
    fold = func.bit_or(bit) if dialect == "postgresql" else func.sum(bit.distinct())
    return (
        select(Attendance.family_id, fold.label("mask"))
        .select_from(Family)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .join(Attendance, col(Attendance.family_id) == Family.id)
        .join(Meeting, col(Meeting.id) == Attendance.meeting_id)
        .where(*conditions, Family.status == FamilyStatus.AKTIF, Attendance.status == AttendanceStatus.HADIR,
               Meeting.status == MeetingStatus.HELD, col(Meeting.topic_id).in_([t.id for t in topics]))
        .group_by(col(Attendance.family_id))
        .subquery()
    )


def completion_figures(*, scope: Scope, topics: list[TopicRef], modules: list[Module], dialect: str) -> Select[Any]:
    """Per (child, pendamping): active KPM, and how many completed each core session, each module, all of them."""
    done = completion_masks(conditions=kelompok_filter(scope), topics=topics, dialect=dialect)
    mask = func.coalesce(done.c.mask, 0)
    everything = sum(m.mask for m in modules)
    columns: list[Any] = [func.sum(case((mask.op("&")(1 << i) != 0, 1), else_=0)) for i in range(len(topics))]
    columns += [func.sum(case((mask.op("&")(m.mask) == m.mask, 1), else_=0)) for m in modules]
    columns.append(func.sum(case((mask == everything, 1), else_=0)))
    key = child_key(scope)
    return (
        select(key, Kelompok.pendamping_id, func.count(), *columns)
        .select_from(Family)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .outerjoin(done, done.c.family_id == Family.id)
        .where(*kelompok_filter(scope), Family.status == FamilyStatus.AKTIF)
        .group_by(key, col(Kelompok.pendamping_id))
    )


def quality_figures(*, scope: Scope) -> Select[Any]:
    """Quality reviews of meetings held in the period: count and sum of scores per (child, pendamping)."""
    key = child_key(scope)
    return (
        select(key, Kelompok.pendamping_id, func.count(), func.sum(QualityReview.score))
        .select_from(QualityReview)
        .join(Meeting, col(Meeting.id) == QualityReview.meeting_id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(*kelompok_filter(scope), _range(scope.period))
        .group_by(key, col(Kelompok.pendamping_id))
    )


def proposal_figures(*, scope: Scope) -> Select[Any]:
    """Graduation proposals made in the period for KPM of the area's kelompok."""
    key = child_key(scope)
    start = datetime.combine(scope.period.start, time.min, UTC)
    end = datetime.combine(scope.period.last_day + timedelta(days=1), time.min, UTC)
    return (
        select(key, Kelompok.pendamping_id, func.count())
        .select_from(GraduationProposal)
        .join(Family, col(Family.id) == GraduationProposal.family_id)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .where(*kelompok_filter(scope), col(GraduationProposal.proposed_at) >= start,
               col(GraduationProposal.proposed_at) < end)
        .group_by(key, col(Kelompok.pendamping_id))
    )


def dashboard_queries(*, session: Session, scope: Scope, today: date, topics: list[TopicRef],
                      modules: list[Module], completion: bool) -> dict[str, Select[Any]]:
    """The aggregates a dashboard rests on, by name (the benchmark runs the same ones raw)."""
    queries = {
        "attendance": attendance_by_month(session=session, scope=scope),
        "meetings": meetings_by_month(session=session, scope=scope),
        "kelompok": kelompok_figures(scope=scope, today=today),
        "overdue": overdue_kelompok(scope=scope, today=today),
        "quality": quality_figures(scope=scope),
        "proposals": proposal_figures(scope=scope),
    }
    if completion:
        queries["completion"] = completion_figures(scope=scope, topics=topics, modules=modules,
                                                   dialect=_dialect(session))
    return queries


def child_names(*, session: Session, scope: Scope, keys: set[str]) -> dict[str, str]:
    if not keys:
        return {}
    if scope.child_length is None:
        ids = [int(k) for k in keys]
        rows = session.exec(select(Kelompok.id, Kelompok.name).where(col(Kelompok.id).in_(ids))).all()
        return {str(i): n for i, n in rows}
    return dict(session.exec(select(Area.code, Area.name).where(col(Area.code).in_(keys))).all())


def dashboard_build(*, session: Session, scope: Scope, today: date, completion: bool = False) -> Dashboard:
    """All figures of one dashboard: a handful of GROUP BY queries, rolled up in memory."""
    topics = topics_active(session=session, core_only=True) if completion else []
    modules = curriculum_modules(topics)
    queries = dashboard_queries(session=session, scope=scope, today=today, topics=topics, modules=modules,
                                completion=completion)
    total = Tally()
    by_month: dict[str, Tally] = defaultdict(Tally)
    by_child: dict[str, Tally] = defaultdict(Tally)
    by_pendamping: dict[int, Tally] = defaultdict(Tally)

    def tallies(key: str, pendamping: int | None) -> list[Tally]:
        out = [total, by_child[str(key)]]
        if pendamping is not None:
            out.append(by_pendamping[pendamping])
        return out

    for key, pendamping, month, marks, present in session.exec(queries["attendance"]).all():
        for t in [*tallies(key, pendamping), by_month[month]]:
            t.marks += int(marks or 0)
            t.present += int(present or 0)
    for key, pendamping, month, status, n in session.exec(queries["meetings"]).all():
        for t in [*tallies(key, pendamping), by_month[month]]:
            t.planned += n
            t.held += n if status == MeetingStatus.HELD else 0
            t.cancelled += n if status == MeetingStatus.CANCELLED else 0
    for key, pendamping, n, kpm, overdue in session.exec(queries["kelompok"]).all():
        for t in tallies(key, pendamping):
            t.kelompok += n
            t.kpm += int(kpm or 0)
            t.overdue += int(overdue or 0)
    for key, pendamping, n, points in session.exec(queries["quality"]).all():
        for t in tallies(key, pendamping):
            t.reviews += n
            t.review_points += int(points or 0)
    for key, pendamping, n in session.exec(queries["proposals"]).all():
        for t in tallies(key, pendamping):
            t.proposals += n
    if completion:
        n_topics = len(topics)
        for row in session.exec(queries["completion"]).all():
            key, pendamping, values = row[0], row[1], row[3:]
            for t in tallies(key, pendamping):
                for i, topic in enumerate(topics):
                    t.topic_done[topic.id] = t.topic_done.get(topic.id, 0) + int(values[i] or 0)
                for j, module in enumerate(modules):
                    t.module_done[module.no] = t.module_done.get(module.no, 0) + int(values[n_topics + j] or 0)
                t.all_done += int(values[-1] or 0)

    names = child_names(session=session, scope=scope, keys=set(by_child))
    children = sorted(
        (Child(key=k, name=names.get(k, k), is_kelompok=scope.child_length is None, tally=t)
         for k, t in by_child.items()),
        key=lambda c: (c.name, c.key),
    )
    people = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(list(by_pendamping)))).all()) \
        if by_pendamping else {}
    pendamping = sorted(
        (PendampingRow(user_id=i, name=people.get(i, "–"), tally=t) for i, t in by_pendamping.items()),
        key=lambda p: (p.name, p.user_id),
    )
    months = [(m, by_month.get(m.strftime("%Y-%m"), Tally())) for m in scope.period.months]
    overdue = [(i, n, v, p, last) for i, n, v, p, last in session.exec(queries["overdue"]).all()]
    return Dashboard(scope=scope, total=total, months=months, children=children, pendamping=pendamping,
                     overdue=overdue, topics=topics, modules=modules)


def breadcrumbs(*, session: Session, user: User, area: Area | None) -> list[Area]:
    """The area and its ancestors the user may open, outermost first."""
    from app.access import area_visible

    trail: list[Area] = []
    current = area
    while current is not None and area_visible(user, current.code):
        trail.append(current)
        current = session.get(Area, current.parent_code) if current.parent_code else None
    return list(reversed(trail))
