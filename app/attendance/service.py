"""Taking the roll: one tap per KPM, everyone present at once, make-up guests. Every change is audited."""

from datetime import date

from sqlmodel import Session, col, select

from app.access import family_get, kelompok_require_editor
from app.audit import audit_record, snapshot
from app.errors import RuleViolation
from app.graduation.service import readiness_refresh_families
from app.i18n import N_
from app.kelompok.queries import completions, kelompok_roster
from app.models import (
    Attendance,
    AttendanceStatus,
    Family,
    FamilyStatus,
    Kelompok,
    Meeting,
    MeetingStatus,
    MonthLock,
    User,
    utcnow,
)

ATTENDEES = ("pengurus", "anggota_lain")


def month_locked(*, session: Session, kelompok_id: int, day: date) -> bool:
    return (
        session.exec(
            select(MonthLock.id).where(MonthLock.kelompok_id == kelompok_id, MonthLock.month == day.replace(day=1))
        ).first()
        is not None
    )


def attendance_require_open(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, today: date) -> None:
    """The roll can be taken on the day or later, never on a cancelled meeting or a locked month."""
    kelompok_require_editor(user, kelompok)
    if meeting.status == MeetingStatus.CANCELLED:
        raise RuleViolation(N_("Pertemuan ini dibatalkan; absensi tidak dapat diisi."))
    if meeting.date > today:
        raise RuleViolation(N_("Absensi baru dapat diisi pada hari pertemuan (%(day)s)."), day=meeting.date.isoformat())
    if month_locked(session=session, kelompok_id=kelompok.id or 0, day=meeting.date):
        raise RuleViolation(N_("Absensi bulan ini sudah diverifikasi dan dikunci supervisor. Ajukan koreksi."))


def _readiness_refresh(*, session: Session, meeting: Meeting, family_ids: list[int]) -> None:
    """Marks on a held meeting feed graduation readiness; keep those verdicts current."""
    if meeting.status == MeetingStatus.HELD and family_ids:
        readiness_refresh_families(session=session, family_ids=family_ids)


def next_status(current: str | None) -> str:
    """hadir → izin → sakit → alpa → hadir; an empty mark starts at hadir."""
    if current not in AttendanceStatus.CYCLE:
        return AttendanceStatus.HADIR
    cycle = AttendanceStatus.CYCLE
    return cycle[(cycle.index(current) + 1) % len(cycle)]


def roll_rows(*, session: Session, meeting: Meeting) -> dict[int, Attendance]:
    rows = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    return {a.family_id: a for a in rows}


def _on_roll(*, session: Session, meeting: Meeting, family_id: int) -> bool:
    family = session.get(Family, family_id)
    if family is None:
        return False
    if family.kelompok_id == meeting.kelompok_id and family.status == FamilyStatus.AKTIF:
        return True
    return (
        session.exec(
            select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.family_id == family_id)
        ).first()
        is not None
    )


def attendance_set(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok,
    meeting: Meeting,
    family_id: int,
    today: date,
    status: str | None = None,
    attendee: str | None = None,
    attendee_name: str | None = None,
) -> Attendance:
    """Set (or, with no status, cycle) one KPM's mark; `attendee` notes who came for the family."""
    attendance_require_open(session=session, user=user, kelompok=kelompok, meeting=meeting, today=today)
    if not _on_roll(session=session, meeting=meeting, family_id=family_id):
        raise RuleViolation(N_("KPM ini tidak terdaftar pada pertemuan ini."))
    if status is not None and status not in AttendanceStatus.CYCLE:
        raise RuleViolation(N_("Status kehadiran tidak dikenal."), field="status")
    if attendee is not None and attendee not in ATTENDEES:
        raise RuleViolation(N_("Pilih siapa yang hadir: pengurus atau anggota keluarga lain."), field="attendee")
    row = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.family_id == family_id)
    ).first()
    before = snapshot(row)
    if row is None:
        row = Attendance(meeting_id=meeting.id or 0, family_id=family_id, status=status or AttendanceStatus.HADIR)
    elif status is not None:
        row.status = status
    elif attendee is None and attendee_name is None:
        row.status = next_status(row.status)
    if attendee is not None:
        row.attendee = attendee
    if attendee_name is not None:
        row.attendee_name = attendee_name.strip()[:120]
    row.recorded_by_id, row.recorded_at = user.id, utcnow()
    session.add(row)
    session.flush()
    audit_record(
        session=session,
        user=user,
        entity="attendance",
        entity_id=row.id,
        action="create" if before is None else "update",
        before=before,
        after=snapshot(row),
    )
    session.commit()
    _readiness_refresh(session=session, meeting=meeting, family_ids=[family_id])
    return row


def attendance_all_present(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, today: date) -> int:
    """Mark every KPM on the roll hadir in one action; returns how many marks changed."""
    attendance_require_open(session=session, user=user, kelompok=kelompok, meeting=meeting, today=today)
    existing = roll_rows(session=session, meeting=meeting)
    changed = 0
    now = utcnow()
    for family in kelompok_roster(session=session, kelompok_id=kelompok.id or 0):
        row = existing.get(family.id or 0)
        if row is not None and row.status == AttendanceStatus.HADIR:
            continue
        before = snapshot(row)
        if row is None:
            row = Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status=AttendanceStatus.HADIR)
        row.status, row.recorded_by_id, row.recorded_at = AttendanceStatus.HADIR, user.id, now
        session.add(row)
        session.flush()
        audit_record(
            session=session,
            user=user,
            entity="attendance",
            entity_id=row.id,
            action="create" if before is None else "update",
            before=before,
            after=snapshot(row),
        )
        changed += 1
    session.commit()
    _readiness_refresh(
        session=session,
        meeting=meeting,
        family_ids=list(existing) + [f.id or 0 for f in kelompok_roster(session=session, kelompok_id=kelompok.id or 0)],
    )
    return changed


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


def attendance_makeup_add(
    *, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, family_id: int, today: date
) -> Attendance:
    """A KPM from another kelompok makes up this session by attending this meeting."""
    attendance_require_open(session=session, user=user, kelompok=kelompok, meeting=meeting, today=today)
    family = family_get(session=session, user=user, family_id=family_id)
    if family.kelompok_id == kelompok.id:
        raise RuleViolation(N_("KPM ini sudah anggota kelompok ini."), field="family_id")
    if family.status != FamilyStatus.AKTIF:
        raise RuleViolation(N_("KPM ini tidak aktif."), field="family_id")
    if session.exec(
        select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.family_id == family_id)
    ).first():
        raise RuleViolation(N_("KPM ini sudah tercatat pada pertemuan ini."), field="family_id")
    row = Attendance(
        meeting_id=meeting.id or 0, family_id=family_id, status=AttendanceStatus.HADIR, recorded_by_id=user.id
    )
    session.add(row)
    session.flush()
    audit_record(
        session=session, user=user, entity="attendance", entity_id=row.id, action="makeup", after=snapshot(row)
    )
    session.commit()
    _readiness_refresh(session=session, meeting=meeting, family_ids=[family_id])
    return row
