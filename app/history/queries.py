"""Reading the audit trail of one family, member, meeting or mark: a page of entries, newest first."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col, select

from app.history import rules
from app.models import Area, Attendance, AuditLog, CorrectionRequest, Kelompok, MeetingPhoto, Member, Topic, User

PER_PAGE = 30


def _entity(entity: str, ids: list[int]) -> ColumnElement[bool]:
    if not ids:
        return false()
    return and_(col(AuditLog.entity) == entity, col(AuditLog.entity_id).in_([str(i) for i in ids]))


def family_trail_clause(*, session: Session, family_id: int) -> ColumnElement[bool]:
    """The family's own changes and its members'."""
    members = [i for i in session.exec(select(Member.id).where(Member.family_id == family_id)).all() if i]
    return or_(_entity("family", [family_id]), _entity("member", members))


def member_trail_clause(*, member_id: int) -> ColumnElement[bool]:
    return _entity("member", [member_id])


def meeting_trail_clause(*, session: Session, meeting_id: int) -> ColumnElement[bool]:
    """The meeting's schedule, status and photos (its marks have a trail each)."""
    photos = [i for i in session.exec(select(MeetingPhoto.id).where(MeetingPhoto.meeting_id == meeting_id)).all() if i]
    return or_(_entity("meeting", [meeting_id]), _entity("meeting_photo", photos))


def mark_trail_clause(*, session: Session, meeting_id: int, family_id: int) -> ColumnElement[bool] | None:
    """One KPM's mark on one meeting and the corrections asked for it; None when there is neither."""
    mark = session.exec(
        select(Attendance.id).where(Attendance.meeting_id == meeting_id, Attendance.family_id == family_id)
    ).first()
    requests = [
        i
        for i in session.exec(
            select(CorrectionRequest.id).where(
                CorrectionRequest.meeting_id == meeting_id, CorrectionRequest.family_id == family_id
            )
        ).all()
        if i
    ]
    if mark is None and not requests:
        return None
    return or_(_entity("attendance", [mark] if mark else []), _entity("correctionrequest", requests))


@dataclass
class TrailPage:
    lines: list[rules.TrailLine]
    page: int
    has_next: bool


def trail_page(*, session: Session, clause: ColumnElement[bool], page: int, show_nik: bool) -> TrailPage:
    """A page of entries, newest first, with the names of the people and the records they point at."""
    rows = session.exec(
        select(AuditLog, User.full_name)
        .outerjoin(User, col(User.id) == AuditLog.user_id)
        .where(clause)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE + 1)
    ).all()
    has_next = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    parsed = [(log, name, rules.snapshot_read(log.before), rules.snapshot_read(log.after)) for log, name in rows]
    wanted: set[tuple[str, str]] = set()
    for log, _name, before, after in parsed:
        wanted |= rules.references_wanted(log.entity, [before, after])
    refs = references_named(session=session, wanted=wanted)
    lines = [
        rules.trail_line(
            at=log.at,
            who=name or "–",
            entity=log.entity,
            action=log.action,
            before=before,
            after=after,
            refs=refs,
            show_nik=show_nik,
        )
        for log, name, before, after in parsed
    ]
    return TrailPage(lines=lines, page=page, has_next=has_next)


def references_named(*, session: Session, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Names of kelompok, sessions and areas by id: one query per kind on the page."""
    named: dict[tuple[str, str], str] = {}
    ids = {kind: [value for k, value in wanted if k == kind] for kind in ("kelompok", "topic", "area")}
    numeric = {kind: [int(v) for v in values if v.isdigit()] for kind, values in ids.items()}
    if numeric["kelompok"]:
        for kid, name in session.exec(
            select(Kelompok.id, Kelompok.name).where(col(Kelompok.id).in_(numeric["kelompok"]))
        ).all():
            named[("kelompok", str(kid))] = name
    if numeric["topic"]:
        for tid, no, title in session.exec(
            select(Topic.id, Topic.no, Topic.title).where(col(Topic.id).in_(numeric["topic"]))
        ).all():
            named[("topic", str(tid))] = f"{no}. {title}"
    if ids["area"]:
        for code, name in session.exec(select(Area.code, Area.name).where(col(Area.code).in_(ids["area"]))).all():
            named[("area", code)] = name
    return named
