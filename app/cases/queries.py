"""Reads of cases and referrals, every one scoped by app.access.case_clause (confidential cases stay unseen)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func
from sqlalchemy import case as sql_case
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.access import (
    area_within,
    case_can_create,
    case_clause,
    case_log_can_view,
    family_clause,
)
from app.cases.labels import LABELS
from app.cases.rules import referral_overdue, referral_overdue_before
from app.graduation.facts import rules_on
from app.models import (
    CASE_ACCESS_ACTIONS,
    CASE_OPEN,
    CASE_URGENCIES,
    AccessAction,
    AccessLog,
    CaseFile,
    CaseNote,
    Family,
    Kelompok,
    Member,
    Referral,
    Role,
    User,
    utcnow,
)

QUEUE_LIMIT = 20
GLASS_SHOWN_DAYS = 30


def _urgency_order() -> ColumnElement[int]:
    return sql_case(
        {u: i for i, u in enumerate(CASE_URGENCIES)}, value=col(CaseFile.urgency), else_=len(CASE_URGENCIES)
    )


def referral_overdue_days(*, session: Session, today: date) -> int:
    """N of "no outcome after N days": the rule parameter `referral_overdue_days` in force today."""
    return rules_on(session=session, day=today).referral_overdue_days


def case_family_find(*, session: Session, user: User, programme_id: str) -> Family | None:
    """The family with this programme ID among those the user sees (another area's family is not found)."""
    return session.exec(select(Family).where(Family.programme_id == programme_id.strip(), family_clause(user))).first()


def case_worker_options(*, session: Session, user: User, family: Family, kelompok: Kelompok | None) -> list[User]:
    """Who a case on this family may be assigned to: its pendamping, the supervisors of its area, the opener."""
    ids = {user.id}
    if kelompok is not None and kelompok.pendamping_id:
        ids.add(kelompok.pendamping_id)
    parts = family.village_code.split(".")
    areas = [".".join(parts[:n]) for n in range(1, len(parts) + 1)]
    supervisors = select(User.id).where(
        User.role == Role.SUPERVISOR, col(User.area_code).in_(areas), col(User.is_active).is_(True)
    )
    ids |= set(session.exec(supervisors).all())
    return list(session.exec(select(User).where(col(User.id).in_(ids)).order_by(col(User.full_name))).all())


def member_options(*, session: Session, family: Family) -> list[Member]:
    return list(
        session.exec(
            select(Member).where(Member.family_id == family.id, col(Member.active).is_(True)).order_by(col(Member.id))
        ).all()
    )


@dataclass(frozen=True)
class CaseRow:
    case: CaseFile
    family_name: str
    programme_id: str
    worker_name: str
    waiting: int = 0  # referrals without an outcome


@dataclass
class CaseFilters:
    q: str = ""
    case_type: str = ""
    status: str = ""
    only_open: bool = True


def _rows_select() -> Select[CaseFile, str, str, str]:
    return (
        select(CaseFile, Family.head_name, Family.programme_id, User.full_name)
        .join(Family, col(Family.id) == CaseFile.family_id)
        .join(User, col(User.id) == CaseFile.worker_id)
    )


def case_list(*, session: Session, user: User, filters: CaseFilters, limit: int, offset: int = 0) -> list[CaseRow]:
    """The cases the user may see, most urgent first; `q` searches the family name, programme ID and description."""
    query = _rows_select().where(case_clause(user))
    if filters.q:
        like = "%" + filters.q.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(
            col(Family.head_name).ilike(like)
            | col(Family.programme_id).ilike(like)
            | col(CaseFile.description).ilike(like)
        )
    if filters.case_type:
        query = query.where(CaseFile.case_type == filters.case_type)
    if filters.status:
        query = query.where(CaseFile.status == filters.status)
    elif filters.only_open:
        query = query.where(col(CaseFile.status).in_(CASE_OPEN))
    query = query.order_by(_urgency_order(), col(CaseFile.opened_on), col(CaseFile.id)).limit(limit).offset(offset)
    return [CaseRow(c, name, pid, worker) for c, name, pid, worker in session.exec(query).all()]


def case_counts(*, session: Session, user: User) -> dict[str, dict[str, int]]:
    """Open and all cases per type, of the cases the user may see."""
    is_open = func.sum(sql_case((col(CaseFile.status).in_(CASE_OPEN), 1), else_=0))
    rows = session.exec(
        select(CaseFile.case_type, func.count(), is_open)
        .join(Family, col(Family.id) == CaseFile.family_id)
        .where(case_clause(user))
        .group_by(col(CaseFile.case_type))
    ).all()
    return {kind: {"all": int(total), "open": int(opened or 0)} for kind, total, opened in rows}


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    case: CaseFile
    family_name: str
    overdue: bool


@dataclass
class CaseQueue:
    cases: list[CaseRow]
    referrals: list[ReferralRow]
    overdue_days: int
    glass: list["CaseAccessRow"] = field(default_factory=list)


def _queue_scope(user: User) -> ColumnElement[bool]:
    """A worker's queue holds the cases assigned to them; a supervisor's, every case of their area they see."""
    if user.role == Role.SUPERVISOR:
        return case_clause(user)
    return case_clause(user) & (col(CaseFile.worker_id) == user.id)


def referrals_waiting(
    *, session: Session, user: User, today: date, only_overdue: bool = False, limit: int = QUEUE_LIMIT
) -> tuple[list[ReferralRow], int]:
    """Referrals of the user's queue that wait for an outcome (oldest first), and the overdue limit in days."""
    days = referral_overdue_days(session=session, today=today)
    query = (
        select(Referral, CaseFile, Family.head_name)
        .join(CaseFile, col(CaseFile.id) == Referral.case_id)
        .join(Family, col(Family.id) == CaseFile.family_id)
        .where(col(Referral.outcome_on).is_(None), col(CaseFile.status).in_(CASE_OPEN), _queue_scope(user))
    )
    if only_overdue:
        query = query.where(col(Referral.referred_on) <= referral_overdue_before(today=today, days=days))
    rows = session.exec(query.order_by(col(Referral.referred_on), col(Referral.id)).limit(limit)).all()
    return [
        ReferralRow(r, c, name, referral_overdue(referred_on=r.referred_on, outcome_on=None, today=today, days=days))
        for r, c, name in rows
    ], days


def case_queue(*, session: Session, user: User, today: date, since: datetime) -> CaseQueue:
    """The home page's work queue: open cases by urgency and referrals waiting for an outcome; for a supervisor
    also the break-the-glass reads of their area's cases since `since`."""
    query = (
        _rows_select()
        .where(col(CaseFile.status).in_(CASE_OPEN), _queue_scope(user))
        .order_by(_urgency_order(), col(CaseFile.opened_on), col(CaseFile.id))
        .limit(QUEUE_LIMIT)
    )
    cases = [CaseRow(c, name, pid, worker) for c, name, pid, worker in session.exec(query).all()]
    referrals, days = referrals_waiting(session=session, user=user, today=today)
    glass = (
        case_access_log(session=session, user=user, action=AccessAction.CASE_BREAK_GLASS, since=since, limit=10)
        if case_log_can_view(user)
        else []
    )
    return CaseQueue(cases=cases, referrals=referrals, overdue_days=days, glass=glass)


@dataclass(frozen=True)
class NoteRow:
    note: CaseNote
    author: str | None


@dataclass
class CaseDetail:
    member: Member | None
    worker: User | None
    notes: list[NoteRow]
    referrals: list[Referral]


def case_detail(*, session: Session, case: CaseFile) -> CaseDetail:
    """What the case page shows besides the case itself (the caller has checked the user may see it)."""
    notes = session.exec(
        select(CaseNote, User.full_name)
        .outerjoin(User, col(User.id) == CaseNote.user_id)
        .where(CaseNote.case_id == case.id)
        .order_by(col(CaseNote.noted_on).desc(), col(CaseNote.id).desc())
    ).all()
    referrals = session.exec(
        select(Referral).where(Referral.case_id == case.id).order_by(col(Referral.referred_on), col(Referral.id))
    ).all()
    return CaseDetail(
        member=session.get(Member, case.member_id) if case.member_id else None,
        worker=session.get(User, case.worker_id),
        notes=[NoteRow(n, a) for n, a in notes],
        referrals=list(referrals),
    )


def referral_get(*, case: CaseFile, session: Session, referral_id: int) -> Referral | None:
    return session.exec(select(Referral).where(Referral.id == referral_id, Referral.case_id == case.id)).first()


def referrals_waiting_count(*, session: Session, case: CaseFile) -> int:
    return session.exec(
        select(func.count()).where(Referral.case_id == case.id, col(Referral.outcome_on).is_(None))
    ).one()


def case_home_context(*, session: Session, user: User, today: date) -> dict[str, Any]:
    """What the include of cases/_queue.html on the home page reads."""
    since = utcnow() - timedelta(days=GLASS_SHOWN_DAYS)
    return {"case_queue": case_queue(session=session, user=user, today=today, since=since), "case_labels": LABELS}


def case_for_break_glass(*, session: Session, case_id: int) -> CaseFile | None:
    """The case whatever the user's scope: only for app.access.case_can_break_glass to judge (never shown)."""
    return session.get(CaseFile, case_id)


@dataclass
class FamilyCases:
    rows: list[CaseRow]
    can_create: bool
    family: Family
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: LABELS)


def case_family_context(*, session: Session, user: User, family: Family, kelompok: Kelompok | None) -> dict[str, Any]:
    """What the include of cases/_family.html on the family page reads."""
    return {"cases_section": case_family_section(session=session, user=user, family=family, kelompok=kelompok)}


def case_family_section(
    *, session: Session, user: User, family: Family, kelompok: Kelompok | None
) -> FamilyCases | None:
    """The family page's "Kasus" section: the cases on it the user may see; None (no section) when there are
    none and the user may not open one."""
    rows = session.exec(
        _rows_select()
        .where(CaseFile.family_id == family.id, case_clause(user))
        .order_by(col(CaseFile.opened_on).desc(), col(CaseFile.id).desc())
    ).all()
    can_create = case_can_create(user, family, kelompok)
    if not rows and not can_create:
        return None
    return FamilyCases(rows=[CaseRow(c, n, p, w) for c, n, p, w in rows], can_create=can_create, family=family)


@dataclass(frozen=True)
class CaseAccessRow:
    entry: AccessLog
    full_name: str | None
    family_name: str


def case_access_log(
    *,
    session: Session,
    user: User,
    case_id: int | None = None,
    action: str = "",
    since: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[CaseAccessRow]:
    """Reads and break-the-glass openings of the confidential cases of a supervisor's area, newest first."""
    if not case_log_can_view(user):
        return []
    query = (
        select(AccessLog, User.full_name, Family.head_name)
        .join(CaseFile, col(AccessLog.entity_id) == cast(col(CaseFile.id), String))
        .join(Family, col(Family.id) == CaseFile.family_id)
        .outerjoin(User, col(User.id) == AccessLog.user_id)
        .where(
            AccessLog.entity == "case",
            col(AccessLog.action).in_(CASE_ACCESS_ACTIONS),
            area_within(col(Family.village_code), user.area_code or ""),
        )
    )
    if case_id is not None:
        query = query.where(AccessLog.entity_id == str(case_id))
    if action:
        query = query.where(AccessLog.action == action)
    if since is not None:
        query = query.where(col(AccessLog.at) >= since)
    query = query.order_by(col(AccessLog.at).desc(), col(AccessLog.id).desc()).limit(limit).offset(offset)
    return [CaseAccessRow(e, n, f) for e, n, f in session.exec(query).all()]
