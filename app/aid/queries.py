"""Reads of complementary aid: the catalogue, a family's programmes, gaps and applications, gap counts in SQL."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, text, true
from sqlmodel import Session, col, select

from app.access import area_within, family_clause
from app.aid.rules import (
    MEMBER_GAPS,
    AidLimits,
    FamilyAidFacts,
    Gap,
    MemberAidFacts,
    ProgrammeRef,
    birth_range,
    family_gaps,
    gap_closers,
    gaps_active,
    programme_in_force,
    programme_mask,
)
from app.db import rows_select
from app.errors import NotFound
from app.graduation.facts import rules_on
from app.i18n import N_
from app.models import (
    AidApplication,
    AidApplicationStatus,
    AidGap,
    AidProgramme,
    AidReceipt,
    Area,
    Family,
    FamilyStatus,
    Kelompok,
    Member,
    Schooling,
    User,
)

QUEUE_LIMIT = 12
KELOMPOK_ROWS_MAX = 100
# The length of an area code one level below a code of this length: kab/kota, kecamatan, kelurahan/desa.
CHILD_CODE_LENGTH = {0: 2, 2: 5, 5: 8, 8: 13}


# --- the catalogue and the limits in force ---


def programme_ref(row: AidProgramme) -> ProgrammeRef:
    return ProgrammeRef(
        id=row.id or 0,
        code=row.code,
        name=row.name,
        target=row.target,
        gap=row.gap,
        effective_from=row.effective_from,
        effective_until=row.effective_until,
    )


def programmes_all(*, session: Session) -> list[ProgrammeRef]:
    rows = session.exec(select(AidProgramme).order_by(col(AidProgramme.id))).all()
    return [programme_ref(r) for r in rows]


def programme_by_code(*, session: Session, code: str) -> AidProgramme | None:
    return session.exec(select(AidProgramme).where(AidProgramme.code == code)).first()


def aid_limits(*, session: Session, day: date) -> AidLimits:
    """School ages follow the graduation rule settings in force (the admin's rules page)."""
    rules = rules_on(session=session, day=day)
    return AidLimits(school_min_age=rules.school_min_age, school_max_age=rules.school_max_age)


# --- one family ---


@dataclass
class ReceiptLine:
    receipt: AidReceipt
    programme: str
    member: str | None


@dataclass
class ApplicationLine:
    application: AidApplication
    programme: str
    member: str | None
    family_head: str = ""
    kelompok: str | None = None


@dataclass
class FamilyAid:
    gaps: list[Gap]
    receipts: list[ReceiptLine]
    applications: list[ApplicationLine]
    programmes: list[ProgrammeRef]  # in force today: what a form may choose
    members: list[Member]
    checked: tuple[str, ...]  # the gaps this catalogue checks
    extra: dict[str, Any] = field(default_factory=dict)


def _open_receipts(*, session: Session, family_id: int) -> list[tuple[int | None, int]]:
    rows = session.exec(
        select(AidReceipt.member_id, AidReceipt.programme_id).where(
            AidReceipt.family_id == family_id, col(AidReceipt.ended_on).is_(None)
        )
    ).all()
    return [(m, p) for m, p in rows]


def family_aid(*, session: Session, family: Family, today: date) -> FamilyAid:
    """Everything the family's aid panel shows, in a handful of queries."""
    family_id = family.id or 0
    members = list(
        session.exec(
            select(Member)
            .where(Member.family_id == family_id)
            .order_by(col(Member.is_pengurus).desc(), col(Member.birth_date))
        ).all()
    )
    receipts_open = _open_receipts(session=session, family_id=family_id)
    held: dict[int | None, set[int]] = {}
    for member_id, programme_id in receipts_open:
        held.setdefault(member_id, set()).add(programme_id)
    facts = FamilyAidFacts(
        id=family_id,
        status=family.status,
        house_livable=family.house_livable,
        programmes=frozenset(held.get(None, set())),
        members=tuple(
            MemberAidFacts(
                id=m.id or 0,
                name=m.name,
                birth_date=m.birth_date,
                schooling=m.schooling,
                has_nik=bool(m.nik),
                has_birth_certificate=m.has_birth_certificate,
                active=m.active,
                programmes=frozenset(held.get(m.id, set())),
            )
            for m in members
        ),
    )
    catalogue = programmes_all(session=session)
    closers = gap_closers(catalogue, day=today)
    names = {p.id: p.name for p in catalogue}
    member_names = {m.id: m.name for m in members}
    receipts = session.exec(
        select(AidReceipt)
        .where(AidReceipt.family_id == family_id)
        .order_by(col(AidReceipt.ended_on).is_not(None), col(AidReceipt.since).desc(), col(AidReceipt.id))
    ).all()
    applications = session.exec(
        select(AidApplication)
        .where(AidApplication.family_id == family_id)
        .order_by(col(AidApplication.submitted_on).desc(), col(AidApplication.id).desc())
    ).all()
    return FamilyAid(
        gaps=family_gaps(facts, closers=closers, today=today, limits=aid_limits(session=session, day=today)),
        receipts=[ReceiptLine(r, names.get(r.programme_id, "?"), member_names.get(r.member_id)) for r in receipts],
        applications=[
            ApplicationLine(a, names.get(a.programme_id, "?"), member_names.get(a.member_id), family.head_name)
            for a in applications
        ],
        programmes=[p for p in catalogue if programme_in_force(p, today)],
        members=[m for m in members if m.active],
        checked=gaps_active(closers),
    )


def receipt_get(*, session: Session, family: Family, receipt_id: int) -> AidReceipt:
    row = session.exec(select(AidReceipt).where(AidReceipt.id == receipt_id, AidReceipt.family_id == family.id)).first()
    if row is None:
        raise NotFound(N_("Data program tidak ditemukan."))
    return row


# --- applications ---


def application_get(*, session: Session, user: User, application_id: int) -> tuple[AidApplication, Family]:
    """One application of a family the user may see; another area's is not found."""
    row = session.exec(
        select(AidApplication, Family)
        .join(Family, col(Family.id) == AidApplication.family_id)
        .where(AidApplication.id == application_id, family_clause(user))
    ).first()
    if row is None:
        raise NotFound(N_("Permohonan bantuan tidak ditemukan."))
    return row[0], row[1]


def application_line(*, session: Session, application: AidApplication, family: Family) -> ApplicationLine:
    programme = session.get(AidProgramme, application.programme_id)
    member = session.get(Member, application.member_id) if application.member_id else None
    return ApplicationLine(
        application, programme.name if programme else "?", member.name if member else None, family.head_name
    )


def applications_waiting(*, session: Session, user: User, limit: int | None = QUEUE_LIMIT) -> list[ApplicationLine]:
    """Applications waiting for a decision in the user's scope, oldest first (the work queue)."""
    query = (
        rows_select(AidApplication, AidProgramme.name, Member.name, Family.head_name, Kelompok.name)
        .join(Family, col(Family.id) == AidApplication.family_id)
        .join(AidProgramme, col(AidProgramme.id) == AidApplication.programme_id)
        .join(Member, col(Member.id) == AidApplication.member_id, isouter=True)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id, isouter=True)
        .where(AidApplication.status == AidApplicationStatus.DIAJUKAN, family_clause(user))
        .order_by(col(AidApplication.submitted_on), col(AidApplication.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return [ApplicationLine(a, p, m, h, k) for a, p, m, h, k in session.exec(query).all()]


def applications_waiting_count(*, session: Session, user: User) -> int:
    return session.exec(
        select(func.count())
        .select_from(AidApplication)
        .join(Family, col(Family.id) == AidApplication.family_id)
        .where(AidApplication.status == AidApplicationStatus.DIAJUKAN, family_clause(user))
    ).one()


# --- gaps in SQL ---


@dataclass(frozen=True)
class GapScope:
    """What a gap count or list looks at: the user's scope, an area within it, a kelompok."""

    user: User
    area_code: str | None = None
    kelompok_id: int | None = None


@dataclass(frozen=True)
class GapRules:
    """The rules of a day as SQL needs them: closing programme ids and birth-date ranges."""

    checked: tuple[str, ...]
    closers: dict[str, frozenset[int]]
    school_births: tuple[date, date]
    child_first_birth: date


def gap_rules(*, session: Session, today: date) -> GapRules:
    closers = gap_closers(programmes_all(session=session), day=today)
    limits = aid_limits(session=session, day=today)
    return GapRules(
        checked=gaps_active(closers),
        closers=closers,
        school_births=birth_range(today=today, min_age=limits.school_min_age, max_age=limits.school_max_age),
        child_first_birth=birth_range(today=today, min_age=0, max_age=limits.child_max_age)[0],
    )


def _member_lacks(ids: frozenset[int]) -> ColumnElement[bool]:
    """No open receipt of these programmes: read from the member's stored bits, no probe per member."""
    return col(Member.aid_held).op("&")(programme_mask(ids)) == 0


def _family_lacks(ids: frozenset[int]) -> ColumnElement[bool]:
    return col(Family.aid_held).op("&")(programme_mask(ids)) == 0


def gap_condition(gap: str, rules: GapRules) -> ColumnElement[bool]:
    """The SQL twin of rules.family_gaps for one gap: on Member (member gaps) or Family (family gaps)."""
    if gap not in rules.checked:
        return false()
    ids = rules.closers.get(gap, frozenset())
    if gap == AidGap.PIP:
        first, last = rules.school_births
        return and_(
            col(Member.birth_date).between(first, last), col(Member.schooling) != Schooling.LULUS, _member_lacks(ids)
        )
    if gap == AidGap.JKN:
        return _member_lacks(ids)
    if gap == AidGap.ADMINDUK:
        return or_(
            col(Member.nik).is_(None),
            col(Member.nik) == "",
            and_(col(Member.birth_date) >= rules.child_first_birth, col(Member.has_birth_certificate).is_(False)),
        )
    if gap == AidGap.SEMBAKO:
        return _family_lacks(ids)
    if gap == AidGap.RUTILAHU:
        return and_(col(Family.house_livable).is_(False), _family_lacks(ids))
    return false()


def _scope_clause(scope: GapScope) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = [col(Family.status) == FamilyStatus.AKTIF, family_clause(scope.user)]
    if scope.area_code:
        clauses.append(area_within(col(Family.village_code), scope.area_code))
    if scope.kelompok_id is not None:
        clauses.append(col(Family.kelompok_id) == scope.kelompok_id)
    return and_(true(), *clauses)


@dataclass
class GapCountRow:
    key: str  # an area code, or a kelompok id as text ("" for families without a kelompok)
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class GapSummary:
    checked: tuple[str, ...]
    totals: dict[str, int]
    by_area: list[GapCountRow]
    by_kelompok: list[GapCountRow]
    kelompok_more: int  # kelompok with gaps left off the table


def gap_count_statements(*, scope: GapScope, rules: GapRules) -> list[Any]:
    """Two grouped statements: member gaps and family gaps, per (village, kelompok)."""

    def summed(gap: str) -> Any:
        return func.coalesce(func.sum(case((gap_condition(gap, rules), 1), else_=0)), 0)

    member_gaps = [g for g in rules.checked if g in MEMBER_GAPS]
    family_gaps_ = [g for g in rules.checked if g not in MEMBER_GAPS]
    statements = []
    if member_gaps:
        statements.append(
            rows_select(Family.village_code, Family.kelompok_id, *(summed(g) for g in member_gaps))
            .select_from(Member)
            .join(Family, col(Family.id) == Member.family_id)
            .where(_scope_clause(scope), col(Member.active).is_(True))
            .group_by(col(Family.village_code), col(Family.kelompok_id))
        )
    if family_gaps_:
        statements.append(
            rows_select(Family.village_code, Family.kelompok_id, *(summed(g) for g in family_gaps_))
            .where(_scope_clause(scope))
            .group_by(col(Family.village_code), col(Family.kelompok_id))
        )
    return statements


def planner_settle(session: Session) -> None:
    """On PostgreSQL, no JIT for the gap scans: their cost estimates make the planner compile each statement,
    which takes longer than the scan itself."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def gap_summary(*, session: Session, scope: GapScope, today: date) -> GapSummary:
    """Gap counts of the scope: totals, per child area of the chosen area, per kelompok (most gaps first)."""
    rules = gap_rules(session=session, today=today)
    planner_settle(session)
    member_gaps = [g for g in rules.checked if g in MEMBER_GAPS]
    family_gaps_ = [g for g in rules.checked if g not in MEMBER_GAPS]
    statements = gap_count_statements(scope=scope, rules=rules)
    parent = scope.area_code or ""
    child_length = CHILD_CODE_LENGTH.get(len(parent))
    position = {gap: n for n, gap in enumerate(rules.checked)}
    width = len(rules.checked)
    areas: dict[str, list[int]] = {}
    groups: dict[int | None, list[int]] = {}
    for statement, gaps in zip(statements, [g for g in (member_gaps, family_gaps_) if g], strict=True):
        slots = [position[g] for g in gaps]
        for village, kelompok_id, *values in session.exec(statement).all():
            area_key = village[:child_length] if child_length else village
            area = areas.get(area_key) or areas.setdefault(area_key, [0] * width)
            group = groups.get(kelompok_id) or groups.setdefault(kelompok_id, [0] * width)
            for slot, value in zip(slots, values, strict=True):
                area[slot] += value or 0
                group[slot] += value or 0
    totals = dict(zip(rules.checked, (sum(a[n] for a in areas.values()) for n in range(width)), strict=True))
    area_names = dict(session.exec(select(Area.code, Area.name).where(col(Area.code).in_(sorted(areas)))).all())
    by_area = sorted(
        (
            GapCountRow(code, area_names.get(code, code), dict(zip(rules.checked, counts, strict=True)))
            for code, counts in areas.items()
            if any(counts)
        ),
        key=lambda r: r.key,
    )
    ranked = sorted(
        ((k, counts) for k, counts in groups.items() if any(counts)), key=lambda item: (-sum(item[1]), item[0] or 0)
    )
    shown = ranked[:KELOMPOK_ROWS_MAX]
    ids = [k for k, _ in shown if k is not None]
    names = dict(session.exec(select(Kelompok.id, Kelompok.name).where(col(Kelompok.id).in_(ids))).all())
    by_kelompok = [
        GapCountRow(
            "" if k is None else str(k),
            names.get(k, "") if k is not None else "",
            dict(zip(rules.checked, counts, strict=True)),
        )
        for k, counts in shown
    ]
    return GapSummary(
        checked=rules.checked,
        totals=totals,
        by_area=by_area,
        by_kelompok=by_kelompok,
        kelompok_more=max(0, len(ranked) - len(shown)),
    )


@dataclass
class GapLine:
    family_id: int
    head_name: str
    programme_id: str
    member_name: str | None
    birth_date: date | None
    kelompok: str | None
    village: str


def _gap_list_query(*, scope: GapScope, rules: GapRules, gap: str) -> Any:
    village = Area.name
    if gap in MEMBER_GAPS:
        return (
            rows_select(
                Family.id, Family.head_name, Family.programme_id, Member.name, Member.birth_date, Kelompok.name, village
            )
            .select_from(Member)
            .join(Family, col(Family.id) == Member.family_id)
            .join(Kelompok, col(Kelompok.id) == Family.kelompok_id, isouter=True)
            .join(Area, col(Area.code) == Family.village_code)
            .where(_scope_clause(scope), col(Member.active).is_(True), gap_condition(gap, rules))
            .order_by(col(Family.village_code), col(Family.kelompok_id), col(Family.id), col(Member.id))
        )
    return (
        rows_select(Family.id, Family.head_name, Family.programme_id, None, None, Kelompok.name, village)
        .join(Kelompok, col(Kelompok.id) == Family.kelompok_id, isouter=True)
        .join(Area, col(Area.code) == Family.village_code)
        .where(_scope_clause(scope), gap_condition(gap, rules))
        .order_by(col(Family.village_code), col(Family.kelompok_id), col(Family.id))
    )


def gap_lines(
    *, session: Session, scope: GapScope, gap: str, today: date, limit: int, offset: int = 0
) -> list[GapLine]:
    """One page of the families (or members) with this gap."""
    query = _gap_list_query(scope=scope, rules=gap_rules(session=session, today=today), gap=gap)
    planner_settle(session)
    return [GapLine(*row) for row in session.exec(query.limit(limit).offset(offset)).all()]


def gap_lines_iter(*, session: Session, scope: GapScope, gap: str, today: date) -> Iterator[GapLine]:
    """Every line, streamed in chunks (for the XLSX export)."""
    query = _gap_list_query(scope=scope, rules=gap_rules(session=session, today=today), gap=gap)
    planner_settle(session)
    for row in session.exec(query.execution_options(yield_per=2000)):
        yield GapLine(*row)
