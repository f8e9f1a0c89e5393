"""Taking the roll: one tap per KPM, everyone present at once, make-up guests. Every change is audited."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, bindparam, literal, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from app.access import family_get, meeting_require_editor
from app.attendance.queries import month_locked, roll_counts, roll_rows, tap_facts
from app.attendance.rules import next_status
from app.audit import audit_record, snapshot
from app.db import rows_select
from app.errors import RuleViolation
from app.graduation.service import readiness_refresh_roll
from app.i18n import N_, fmt_date
from app.kelompok.queries import kelompok_roster
from app.models import (
    ATTENDANCE_CYCLE,
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Attendee,
    Family,
    FamilyStatus,
    Kelompok,
    Meeting,
    MeetingStatus,
    User,
    utcnow,
)

NO_MARK = "kosong"  # the `base` a phone sends for a KPM it saw unmarked (an empty form field reads as absent)


def meeting_lock(*, session: Session, meeting: Meeting) -> None:
    """Writers of a meeting's marks take their turn: on PostgreSQL the meeting row is locked (and re-read) before
    any mark is read or written, so its recounted totals include every earlier writer; on SQLite the request's
    BEGIN IMMEDIATE already serialises writers."""
    if session.get_bind().dialect.name == "postgresql":
        session.refresh(meeting, with_for_update=True)


def meetings_lock(*, session: Session, kelompok_id: int, since: date, until: date) -> None:
    """Lock a kelompok and its meetings of a period (PostgreSQL, id order), e.g. while its month is being locked."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(select(Kelompok.id).where(Kelompok.id == kelompok_id).with_for_update()).all()
        session.exec(
            select(Meeting.id)
            .where(Meeting.kelompok_id == kelompok_id, Meeting.date >= since, Meeting.date < until)
            .order_by(col(Meeting.id))
            .with_for_update()
        ).all()


def attendance_require_open(
    *, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, today: date, locked: bool | None = None
) -> None:
    """The roll can be taken on the day or later, never on a cancelled meeting or a locked month (`locked`: already
    read by the caller)."""
    meeting_require_editor(user, meeting, kelompok)
    if meeting.status == MeetingStatus.CANCELLED:
        raise RuleViolation(N_("Pertemuan ini dibatalkan; absensi tidak dapat diisi."))
    if meeting.date > today:
        raise RuleViolation(N_("Absensi baru dapat diisi pada hari pertemuan (%(day)s)."), day=fmt_date(meeting.date))
    if locked is None:
        locked = month_locked(session=session, kelompok_id=kelompok.id or 0, day=meeting.date)
    if locked:
        raise RuleViolation(N_("Absensi bulan ini sudah diverifikasi dan dikunci supervisor. Ajukan koreksi."))


@cache
def meeting_counts_recount() -> dict[str, Any]:
    """Per meeting, correlated to its row: its marks and those hadir, counted from the marks. Built once (SQL
    expressions are immutable, and building them cost more CPU than running them)."""
    marks = select(func.count()).where(col(Attendance.meeting_id) == Meeting.id)
    present = marks.where(col(Attendance.status) == AttendanceStatus.HADIR)
    return {"marks_count": marks.scalar_subquery(), "present_count": present.scalar_subquery()}


@cache
def family_counts_recount(*, dialect: str) -> dict[str, Any]:
    """Per family, correlated to its row, from the marks of held meetings (built once per dialect, like
    `meeting_counts_recount`): `sessions_done` with bit t set when it was present at a meeting of topic id t
    (any kelompok, so make-ups count), and `alpa_streak`, the alpa marks after its last other mark."""
    held_marks = (
        rows_select()
        .select_from(Attendance)
        .join(Meeting, col(Meeting.id) == Attendance.meeting_id)
        .where(col(Attendance.family_id) == Family.id, col(Meeting.status) == MeetingStatus.HELD)
    )
    bit = literal(1, BigInteger).op("<<")(col(Meeting.topic_id))
    fold = func.bit_or(bit) if dialect == "postgresql" else func.sum(bit.distinct())
    done = held_marks.add_columns(fold).where(col(Attendance.status) == AttendanceStatus.HADIR)
    other, other_meeting = aliased(Attendance), aliased(Meeting)
    last_other = (
        select(func.max(other_meeting.date))
        .select_from(other)
        .join(other_meeting, col(other_meeting.id) == other.meeting_id)
        .where(
            other.family_id == Family.id,
            other_meeting.status == MeetingStatus.HELD,
            other.status != AttendanceStatus.ALPA,
        )
        .correlate(Family)
        .scalar_subquery()
    )
    streak = held_marks.add_columns(func.count()).where(
        col(Attendance.status) == AttendanceStatus.ALPA, col(Meeting.date) > func.coalesce(last_other, date.min)
    )
    return {
        "sessions_done": func.coalesce(done.scalar_subquery(), 0),
        "alpa_streak": streak.scalar_subquery(),
    }


@cache
def _recount_statement(table: type[Meeting] | type[Family], *, every: bool, dialect: str) -> Any:
    """The UPDATE of `attendance_summaries_refresh` for meetings or families, of every row or of the ids bound as
    `ids` (built once: its correlated subqueries made building it cost more than running it)."""
    values = meeting_counts_recount() if table is Meeting else family_counts_recount(dialect=dialect)
    statement = update(table).values(**values)
    if not every:
        statement = statement.where(col(table.id).in_(bindparam("ids", expanding=True)))
    return statement.execution_options(synchronize_session=False)


def attendance_summaries_refresh(
    *, session: Session, meeting_ids: Iterable[int] | None = None, family_ids: Iterable[int] | None = None
) -> None:
    """Recount what the dashboard and readiness read instead of every mark (None: every row): the counts of
    `meeting_counts_recount` and `family_counts_recount`. Called by every writer of marks before it commits.
    """
    dialect = session.get_bind().dialect.name
    if meeting_ids is None or (meeting_ids := list(meeting_ids)):
        meetings = _recount_statement(Meeting, every=meeting_ids is None, dialect=dialect)
        session.execute(meetings, {} if meeting_ids is None else {"ids": meeting_ids})
    if family_ids is not None and not (family_ids := list(family_ids)):
        _counts_expire(session)
        return
    if family_ids is not None and dialect == "postgresql":
        # A family's marks live in several meetings: writers of two meetings take its row in turn (id order).
        session.exec(
            select(Family.id).where(col(Family.id).in_(family_ids)).order_by(col(Family.id)).with_for_update()
        ).all()
    families = _recount_statement(Family, every=family_ids is None, dialect=dialect)
    session.execute(families, {} if family_ids is None else {"ids": family_ids})
    _counts_expire(session)


def _counts_expire(session: Session) -> None:
    """Loaded meetings and families read their counts afresh (the UPDATEs above bypass the identity map)."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Meeting):
            session.expire(obj, ["marks_count", "present_count"])
        elif isinstance(obj, Family):
            session.expire(obj, ["sessions_done", "alpa_streak"])


def _marks_recount(*, session: Session, meeting: Meeting, family_ids: list[int]) -> None:
    """After marks change: recount and (marks of a held meeting feed readiness) refresh the verdicts. The
    families' counts come from held meetings only: marks of a meeting not held leave them as they are."""
    held = meeting.status == MeetingStatus.HELD
    attendance_summaries_refresh(session=session, meeting_ids=[meeting.id or 0], family_ids=family_ids if held else [])
    if held and family_ids:
        readiness_refresh_roll(session=session, family_ids=family_ids)


def _marks_changed(*, session: Session, meeting: Meeting, family_ids: list[int]) -> None:
    """Recount (`_marks_recount`), then commit (last: once the change is saved, nothing may fail the answer)."""
    _marks_recount(session=session, meeting=meeting, family_ids=family_ids)
    session.commit()


@dataclass(frozen=True)
class TapResult:
    mark: Attendance | None  # the KPM's mark now (None: still none, e.g. a resend of nothing)
    family: Family
    counts: dict[str, int]  # marks per status on the meeting
    roll_total: int  # KPM on the roll


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
    client_id: str | None = None,
    base: str | None = None,
    meeting_locked: bool = False,
) -> TapResult:
    """Set (or, with no status, cycle) one KPM's mark and commit; `attendee` notes who came for the family. The
    roll's counts, which the tap's answer shows, are read in the same transaction before it commits (one
    transaction, one pooled connection, for the whole request).

    A change from a phone's offline queue carries `client_id` (a resend of one already applied changes nothing)
    and `base`, the mark the phone saw before it (`NO_MARK` for none): if the mark changed on the server meanwhile
    the change is refused, so the pendamping chooses instead of a correction being overwritten. `meeting_locked`:
    the caller read the meeting with `meeting_get(for_update=True)` in this transaction (no second read).
    """
    if not meeting_locked:
        meeting_lock(session=session, meeting=meeting)
    family, row, locked = tap_facts(session=session, meeting=meeting, family_id=family_id)
    attendance_require_open(session=session, user=user, kelompok=kelompok, meeting=meeting, today=today, locked=locked)
    # On the roll: a KPM of the kelompok, active, or a make-up guest already marked on this meeting.
    member = family is not None and family.kelompok_id == meeting.kelompok_id and family.status == FamilyStatus.AKTIF
    if family is None or not (member or row is not None):
        raise RuleViolation(N_("KPM ini tidak terdaftar pada pertemuan ini."))
    if status is not None and status not in ATTENDANCE_CYCLE:
        raise RuleViolation(N_("Status kehadiran tidak dikenal."), field="status")
    if attendee is not None and attendee not in tuple(Attendee):
        raise RuleViolation(N_("Pilih siapa yang hadir: pengurus atau anggota keluarga lain."), field="attendee")
    if client_id is not None:
        client_id = client_id.strip()[:64]
        if session.get(AttendanceChange, client_id) is not None:
            return _tap_answer(session=session, meeting=meeting, mark=row, family=family)
    current = row.status if row is not None else NO_MARK
    if base is not None and base != current and (status is None or status != current):
        raise RuleViolation(
            N_("Tanda KPM ini sudah diubah di server sejak ponsel mencatatnya. Pilih yang benar."), field="conflict"
        )
    if client_id:
        change = AttendanceChange(client_id=client_id, meeting_id=meeting.id or 0, family_id=family_id, user_id=user.id)
        session.add(change)
    before = snapshot(row)
    if row is None:
        row = Attendance(
            meeting_id=meeting.id or 0,
            family_id=family_id,
            year=meeting.date.year,
            status=status or AttendanceStatus.HADIR,
        )
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
    _marks_recount(session=session, meeting=meeting, family_ids=[family_id])
    return _tap_answer(session=session, meeting=meeting, mark=row, family=family)


def _tap_answer(*, session: Session, meeting: Meeting, mark: Attendance | None, family: Family) -> TapResult:
    """What the tap's answer shows: the mark and the roll's counts, read before the commit (same transaction)."""
    counts, roll_total = roll_counts(session=session, meeting=meeting)
    session.commit()
    return TapResult(mark=mark, family=family, counts=counts, roll_total=roll_total)


@dataclass(frozen=True)
class AllPresentResult:
    marked: int  # KPM without a mark, now hadir
    kept: int  # KPM already marked izin, sakit or alpa: left as they were


def attendance_all_present(
    *, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, today: date
) -> AllPresentResult:
    """Mark hadir every KPM on the roll that has no mark yet; marks already set (izin, sakit, alpa) stay."""
    meeting_lock(session=session, meeting=meeting)
    attendance_require_open(session=session, user=user, kelompok=kelompok, meeting=meeting, today=today)
    existing = roll_rows(session=session, meeting=meeting)
    roster = [f.id or 0 for f in kelompok_roster(session=session, kelompok_id=kelompok.id or 0)]
    kept = sum(1 for f in roster if f in existing and existing[f].status != AttendanceStatus.HADIR)
    now = utcnow()
    rows = [
        Attendance(
            meeting_id=meeting.id or 0,
            family_id=family_id,
            year=meeting.date.year,
            status=AttendanceStatus.HADIR,
            recorded_by_id=user.id,
            recorded_at=now,
        )
        for family_id in roster
        if family_id not in existing
    ]
    session.add_all(rows)
    session.flush()  # one batched INSERT for the whole roll: the audit rows need the ids
    for row in rows:
        audit_record(
            session=session, user=user, entity="attendance", entity_id=row.id, action="create", after=snapshot(row)
        )
    changed = len(rows)
    _marks_changed(session=session, meeting=meeting, family_ids=sorted(set(existing) | set(roster)))
    return AllPresentResult(marked=changed, kept=kept)


def attendance_makeup_add(
    *, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, family_id: int, today: date
) -> Attendance:
    """A KPM from another kelompok makes up this session by attending this meeting."""
    meeting_lock(session=session, meeting=meeting)
    attendance_require_open(session=session, user=user, kelompok=kelompok, meeting=meeting, today=today)
    family = family_get(session=session, user=user, family_id=family_id)
    if family.kelompok_id == kelompok.id:
        raise RuleViolation(N_("KPM ini sudah anggota kelompok ini."), field="family_id")
    if family.status != FamilyStatus.AKTIF:
        raise RuleViolation(N_("KPM ini tidak aktif."), field="family_id")
    if session.exec(
        select(Attendance.id).where(
            Attendance.meeting_id == meeting.id,
            Attendance.family_id == family_id,
            Attendance.year == meeting.date.year,
        )
    ).first():
        raise RuleViolation(N_("KPM ini sudah tercatat pada pertemuan ini."), field="family_id")
    row = Attendance(
        meeting_id=meeting.id or 0,
        family_id=family_id,
        year=meeting.date.year,
        status=AttendanceStatus.HADIR,
        recorded_by_id=user.id,
    )
    session.add(row)
    session.flush()
    audit_record(
        session=session, user=user, entity="attendance", entity_id=row.id, action="makeup", after=snapshot(row)
    )
    _marks_changed(session=session, meeting=meeting, family_ids=[family_id])
    return row
