"""Supervisor dashboard reads: SQL aggregates over kelompok ⋈ meeting ⋈ attendance for one area and period.

Every aggregate groups by (child area of the drill-down level, pendamping[, month]); the few thousand rows it
returns are rolled up here into the per-month, per-area and per-pendamping tables. Counts are additive across
those keys because a kelompok lies in one area and has one pendamping, so the roll-up is exact.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, func
from sqlmodel import Session, col, select

from app.access import area_within, kelompok_clause
from app.curriculum.queries import TopicRef, topics_active
from app.db import RowsSelect, rows_select
from app.kelompok.queries import OVERDUE_DAYS
from app.models import (
    Area,
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
OVERDUE_LIST_LIMIT = 25  # the rest behind “Lihat semua” (/dasbor/kelompok?terlambat=true)


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

    def add(self, other: "Tally") -> None:
        """Add another row's counts to this one (the counts are additive: a kelompok has one area, one pendamping)."""
        for name in (
            "kelompok",
            "kpm",
            "overdue",
            "planned",
            "held",
            "cancelled",
            "marks",
            "present",
            "reviews",
            "review_points",
            "proposals",
            "all_done",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in ((self.topic_done, other.topic_done), (self.module_done, other.module_done)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.marks if self.marks else None

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
        conditions.append(area_within(col(Kelompok.village_code), scope.area.code))
    return conditions


def child_key(scope: Scope) -> ColumnElement[str]:
    length = scope.child_length
    if length is None:
        return cast(Kelompok.id, String)
    return func.substr(Kelompok.village_code, 1, length)


def _range(period: Period) -> ColumnElement[bool]:
    return and_(col(Meeting.date) >= period.start, col(Meeting.date) <= period.last_day)


def meetings_by_month(*, session: Session, scope: Scope) -> RowsSelect:
    """Per (child, pendamping, month, status): meetings (planned = all of them, held, cancelled) and the marks and
    present marks counted on them (attendance counts those of held meetings): one pass over the period's meetings."""
    key, month = child_key(scope), month_key(session, Meeting.date)
    return (
        rows_select(
            key,
            Kelompok.pendamping_id,
            month,
            Meeting.status,
            func.count(),
            func.sum(Meeting.marks_count),
            func.sum(Meeting.present_count),
        )
        .select_from(Kelompok)
        .join(Meeting, col(Meeting.kelompok_id) == Kelompok.id)
        .where(*kelompok_filter(scope), _range(scope.period))
        .group_by(key, col(Kelompok.pendamping_id), month, col(Meeting.status))
    )


def kelompok_figures(*, scope: Scope, today: date) -> RowsSelect:
    """Per (child, pendamping): kelompok, active KPM, kelompok with no held meeting in 45 days."""
    families = (
        select(Family.kelompok_id, func.count().label("n"))
        .where(Family.status == FamilyStatus.AKTIF)
        .group_by(col(Family.kelompok_id))
        .subquery()
    )
    last = last_held_subquery()  # one pass over held meetings beats a probe per kelompok here
    key = child_key(scope)
    overdue = case((last.c.last.is_(None) | (last.c.last < today - timedelta(days=OVERDUE_DAYS)), 1), else_=0)
    return (
        rows_select(
            key, Kelompok.pendamping_id, func.count(), func.coalesce(func.sum(families.c.n), 0), func.sum(overdue)
        )
        .select_from(Kelompok)
        .outerjoin(families, families.c.kelompok_id == Kelompok.id)
        .outerjoin(last, last.c.kelompok_id == Kelompok.id)
        .where(*kelompok_filter(scope))
        .group_by(key, col(Kelompok.pendamping_id))
    )


def silent_since(day: date) -> ColumnElement[bool]:
    """The kelompok held no meeting on or after `day`: one probe of the (kelompok, status, date) index each."""
    return ~(
        select(Meeting.id)
        .where(col(Meeting.kelompok_id) == Kelompok.id, Meeting.status == MeetingStatus.HELD, col(Meeting.date) >= day)
        .exists()
    )


def last_held_subquery() -> Any:
    return (
        select(Meeting.kelompok_id, func.max(Meeting.date).label("last"))
        .where(Meeting.status == MeetingStatus.HELD)
        .group_by(col(Meeting.kelompok_id))
        .subquery()
    )


def overdue_kelompok(*, scope: Scope, today: date, limit: int = OVERDUE_LIST_LIMIT) -> RowsSelect:
    """Kelompok with no held meeting in the last 45 days, longest silent first (never met first)."""
    last = (
        select(func.max(Meeting.date))
        .where(col(Meeting.kelompok_id) == Kelompok.id, Meeting.status == MeetingStatus.HELD)
        .scalar_subquery()
    )
    return (
        rows_select(Kelompok.id, Kelompok.name, Area.name, func.coalesce(User.full_name, "–"), last)
        .select_from(Kelompok)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .where(*kelompok_filter(scope), silent_since(today - timedelta(days=OVERDUE_DAYS)))
        .order_by(last.is_not(None), last, col(Kelompok.name))
        .limit(limit)
    )


def curriculum_modules(topics: list[TopicRef]) -> list[Module]:
    """Modules of the given topics, each with the mask of its topics' bits (bit t = topic id t, as in
    Family.sessions_done)."""
    modules: dict[int, Module] = {}
    for topic in topics:
        module = modules.setdefault(
            topic.module_no, Module(no=topic.module_no, title=topic.module_title, mask=0, topics=[])
        )
        module.mask |= 1 << topic.id
        module.topics.append(topic)
    return list(modules.values())


def completion_figures(*, scope: Scope, topics: list[TopicRef], modules: list[Module]) -> RowsSelect:
    """Per (child, pendamping): active KPM, and how many completed each core session, each module, all of them.

    A KPM completed a session when present at a held meeting of it, in any kelompok; the attendance service keeps
    that as one bit per topic in Family.sessions_done, so this is one pass over the families.
    """
    mask = col(Family.sessions_done)
    everything = sum(m.mask for m in modules)
    columns: list[Any] = [func.sum(case((mask.op("&")(1 << t.id) != 0, 1), else_=0)) for t in topics]
    columns += [func.sum(case((mask.op("&")(m.mask) == m.mask, 1), else_=0)) for m in modules]
    columns.append(func.sum(case((mask.op("&")(everything) == everything, 1), else_=0)))
    key = child_key(scope)
    return (
        rows_select(key, Kelompok.pendamping_id, func.count(), *columns)
        .select_from(Family)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .where(*kelompok_filter(scope), Family.status == FamilyStatus.AKTIF)
        .group_by(key, col(Kelompok.pendamping_id))
    )


def quality_figures(*, scope: Scope) -> RowsSelect:
    """Quality reviews of meetings held in the period: count and sum of scores per (child, pendamping)."""
    key = child_key(scope)
    return (
        rows_select(key, Kelompok.pendamping_id, func.count(), func.sum(QualityReview.score))
        .select_from(QualityReview)
        .join(Meeting, col(Meeting.id) == QualityReview.meeting_id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(*kelompok_filter(scope), _range(scope.period))
        .group_by(key, col(Kelompok.pendamping_id))
    )


def proposal_figures(*, scope: Scope) -> RowsSelect:
    """Graduation proposals made in the period for KPM of the area's kelompok."""
    key = child_key(scope)
    start = datetime.combine(scope.period.start, time.min, UTC)
    end = datetime.combine(scope.period.last_day + timedelta(days=1), time.min, UTC)
    return (
        rows_select(key, Kelompok.pendamping_id, func.count())
        .select_from(GraduationProposal)
        .join(Family, col(Family.id) == GraduationProposal.family_id)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .where(
            *kelompok_filter(scope),
            col(GraduationProposal.proposed_at) >= start,
            col(GraduationProposal.proposed_at) < end,
        )
        .group_by(key, col(Kelompok.pendamping_id))
    )


def dashboard_queries(
    *, session: Session, scope: Scope, today: date, topics: list[TopicRef], modules: list[Module], completion: bool
) -> dict[str, RowsSelect]:
    """The aggregates a dashboard rests on, by name (the benchmark runs the same ones raw); `completion` adds the
    per-session and per-module completion."""
    queries = {
        "meetings": meetings_by_month(session=session, scope=scope),
        "kelompok": kelompok_figures(scope=scope, today=today),
        "overdue": overdue_kelompok(scope=scope, today=today),
        "quality": quality_figures(scope=scope),
        "proposals": proposal_figures(scope=scope),
    }
    if completion:
        queries["completion"] = completion_figures(scope=scope, topics=topics, modules=modules)
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
    """The figures of the dashboard (a handful of GROUP BY queries, rolled up in memory); `completion` adds the
    completion card's."""
    topics = topics_active(session=session, core_only=True) if completion else []
    modules = curriculum_modules(topics)
    queries = dashboard_queries(
        session=session, scope=scope, today=today, topics=topics, modules=modules, completion=completion
    )
    # Rows come per (child, pendamping[, month, status]): summed per group and per month first, then each group
    # is added once to the total, its child and its pendamping.
    groups: dict[tuple[str, int | None], Tally] = defaultdict(Tally)
    by_month: dict[str, Tally] = defaultdict(Tally)
    for key, pendamping, month, status, n, marks, present in _rows(session, queries, "meetings"):
        held = status == MeetingStatus.HELD
        for t in (groups[str(key), pendamping], by_month[month]):
            t.planned += n
            if held:
                t.held += n
                t.marks += int(marks or 0)
                t.present += int(present or 0)
            elif status == MeetingStatus.CANCELLED:
                t.cancelled += n
    for key, pendamping, n, kpm, overdue in _rows(session, queries, "kelompok"):
        t = groups[str(key), pendamping]
        t.kelompok, t.kpm, t.overdue = t.kelompok + n, t.kpm + int(kpm or 0), t.overdue + int(overdue or 0)
    for key, pendamping, n, points in _rows(session, queries, "quality"):
        t = groups[str(key), pendamping]
        t.reviews, t.review_points = t.reviews + n, t.review_points + int(points or 0)
    for key, pendamping, n in _rows(session, queries, "proposals"):
        groups[str(key), pendamping].proposals += n
    for row in _rows(session, queries, "completion"):
        t = groups[str(row[0]), row[1]]
        values = [int(v or 0) for v in row[3:]]
        t.topic_done = {topic.id: values[i] for i, topic in enumerate(topics)}
        t.module_done = {module.no: values[len(topics) + j] for j, module in enumerate(modules)}
        t.all_done = values[-1]
    total = Tally()
    by_child: dict[str, Tally] = defaultdict(Tally)
    by_pendamping: dict[int, Tally] = defaultdict(Tally)
    for (key, pendamping), t in groups.items():
        total.add(t)
        by_child[key].add(t)
        if pendamping is not None:
            by_pendamping[pendamping].add(t)

    names = child_names(session=session, scope=scope, keys=set(by_child))
    children = sorted(
        (
            Child(key=k, name=names.get(k, k), is_kelompok=scope.child_length is None, tally=t)
            for k, t in by_child.items()
        ),
        key=lambda c: (c.name, c.key),
    )
    people = (
        dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_(list(by_pendamping)))).all())
        if by_pendamping
        else {}
    )
    pendamping = sorted(
        (PendampingRow(user_id=i, name=people.get(i, "–"), tally=t) for i, t in by_pendamping.items()),
        key=lambda p: (p.name, p.user_id),
    )
    months = [(m, by_month.get(m.strftime("%Y-%m"), Tally())) for m in scope.period.months]
    overdue = [(i, n, v, p, last) for i, n, v, p, last in _rows(session, queries, "overdue")]
    return Dashboard(
        scope=scope,
        total=total,
        months=months,
        children=children,
        pendamping=pendamping,
        overdue=overdue,
        topics=topics,
        modules=modules,
    )


def _rows(session: Session, queries: dict[str, RowsSelect], name: str) -> list[Any]:
    return list(session.connection().execute(queries[name]).all()) if name in queries else []


def breadcrumbs(*, session: Session, user: User, area: Area | None) -> list[Area]:
    """The area and its ancestors the user may open, outermost first."""
    from app.access import area_visible

    trail: list[Area] = []
    current = area
    while current is not None and area_visible(user, current.code):
        trail.append(current)
        current = session.get(Area, current.parent_code) if current.parent_code else None
    return list(reversed(trail))
