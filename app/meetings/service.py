"""Writing meetings: schedule, plan the rest, reschedule, cancel, mark held. Every change is audited."""

import uuid
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.access import kelompok_require_editor, meeting_require_editor
from app.attendance.service import attendance_summaries_refresh, meeting_lock
from app.audit import audit_record, snapshot
from app.curriculum.queries import topic_label, topics_active
from app.errors import RuleViolation
from app.graduation.service import readiness_refresh_roll
from app.i18n import N_, fmt_date
from app.kelompok.queries import (
    kelompok_roster,
    pendamping_meetings_on,
)
from app.meetings import rules
from app.meetings.queries import completed_by_all, plan_rest_preview
from app.models import (
    Attendance,
    AttendanceStatus,
    Kelompok,
    Meeting,
    MeetingEvent,
    MeetingEventKind,
    MeetingPhoto,
    MeetingStatus,
    User,
    utcnow,
)
from app.settings import get_settings
from app.versioning import row_insert_once, version_claim


def _check_date(day: date, today: date) -> None:
    problem = rules.date_problem(day=day, today=today)
    if problem == "too_far_ahead":
        raise RuleViolation(N_("Tanggal terlalu jauh ke depan (lebih dari 18 bulan)."), field="date")
    if problem == "too_far_back":
        raise RuleViolation(
            N_("Tanggal lebih dari 90 hari yang lalu; pertemuan lama tidak dapat dicatat."), field="date"
        )


def _check_free(
    *, session: Session, kelompok: Kelompok, day: date, start: time, minutes: int, exclude_id: int | None = None
) -> None:
    if kelompok.pendamping_id is None:
        return
    others = pendamping_meetings_on(
        session=session, pendamping_id=kelompok.pendamping_id, day=day, exclude_id=exclude_id
    )
    clash = rules.first_overlap(day=day, start=start, minutes=minutes, others=others)
    if clash is not None:
        other = session.get(Meeting, clash)
        other_group = session.get(Kelompok, other.kelompok_id) if other else None
        raise RuleViolation(
            N_("Bentrok dengan pertemuan lain pendamping pada %(day)s pukul %(time)s (%(group)s)."),
            field="start_time",
            day=fmt_date(day),
            time=other.start_time.strftime("%H:%M") if other else "",
            group=other_group.name if other_group else "",
        )


def _event(session: Session, meeting: Meeting, user: User, kind: str, detail: str = "", reason: str = "") -> None:
    session.add(MeetingEvent(meeting_id=meeting.id or 0, kind=kind, detail=detail, reason=reason, user_id=user.id))


def _meeting_by_token(*, session: Session, kelompok: Kelompok, form_token: str) -> Meeting | None:
    if not form_token:
        return None
    return session.exec(
        select(Meeting).where(Meeting.form_token == form_token, Meeting.kelompok_id == kelompok.id)
    ).first()


def schedule_lock(*, session: Session, kelompok: Kelompok) -> None:
    """Schedulers of one pendamping take their turn (PostgreSQL row locks; on SQLite the write request's BEGIN
    IMMEDIATE already does), so a double booking or a form sent twice is seen by the check that follows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.exec(select(Kelompok.id).where(Kelompok.id == kelompok.id).with_for_update()).all()
    if kelompok.pendamping_id is not None:
        session.exec(select(User.id).where(User.id == kelompok.pendamping_id).with_for_update()).all()


def meeting_schedule(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok,
    topic_id: int,
    day: date,
    start: time,
    place: str,
    today: date,
    duration_minutes: int | None = None,
    commit: bool = True,
    form_token: str = "",
) -> Meeting:
    """Schedule one meeting; the same form sent twice (same `form_token`) schedules it once."""
    kelompok_require_editor(user, kelompok)
    schedule_lock(session=session, kelompok=kelompok)
    sent_before = _meeting_by_token(session=session, kelompok=kelompok, form_token=form_token)
    if sent_before is not None:
        return sent_before
    topic = next((t for t in topics_active(session=session) if t.id == topic_id), None)
    if topic is None:
        raise RuleViolation(N_("Pilih sesi dari kurikulum."), field="topic_id")
    _check_date(day, today)
    if topic.id in completed_by_all(session=session, kelompok_id=kelompok.id or 0):
        raise RuleViolation(
            N_("Semua KPM kelompok ini sudah menyelesaikan sesi %(topic)s. Pilih sesi lain."),
            field="topic_id",
            topic=topic_label(topic),
        )
    minutes = duration_minutes or topic.duration_minutes
    _check_free(session=session, kelompok=kelompok, day=day, start=start, minutes=minutes)
    meeting = Meeting(
        kelompok_id=kelompok.id or 0,
        topic_id=topic.id,
        date=day,
        start_time=start,
        duration_minutes=minutes,
        place=place or kelompok.default_place,
        created_by_id=user.id,
        form_token=form_token or None,
    )
    stored = row_insert_once(
        session=session,
        row=meeting,
        sent_before=lambda: _meeting_by_token(session=session, kelompok=kelompok, form_token=form_token),
    )
    if stored is not meeting:  # the same form, sent twice at once: the other request scheduled the meeting
        return stored
    _event(session, meeting, user, MeetingEventKind.SCHEDULED, f"{fmt_date(day)} {start.strftime('%H:%M')}")
    audit_record(
        session=session, user=user, entity="meeting", entity_id=meeting.id, action="create", after=snapshot(meeting)
    )
    if commit:
        session.commit()
    return meeting


def meeting_plan_rest(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok,
    first: date,
    start: time,
    place: str,
    today: date,
    form_token: str = "",
) -> list[Meeting]:
    """Create the whole plan in one transaction: all meetings or none. Its meetings carry `form_token:n`, so the
    same plan sent twice is saved once."""
    kelompok_require_editor(user, kelompok)
    if form_token:
        sent_before = session.exec(
            select(Meeting)
            .where(
                Meeting.kelompok_id == kelompok.id,
                col(Meeting.form_token).startswith(f"{form_token}:", autoescape=True),
            )
            .order_by(col(Meeting.date))
        ).all()
        if sent_before:
            return list(sent_before)
    _check_date(first, today)
    plan = plan_rest_preview(session=session, kelompok=kelompok, first=first, start=start, today=today)
    if not plan:
        raise RuleViolation(N_("Tidak ada sesi tersisa untuk direncanakan."), field="date")
    conflicts = [p for p in plan if p.conflict]
    if conflicts:
        raise RuleViolation(
            N_("Rencana bentrok dengan pertemuan lain pada %(day)s. Pilih tanggal mulai atau jam lain."),
            field="date",
            day=fmt_date(conflicts[0].day),
        )
    created = [
        meeting_schedule(
            session=session,
            user=user,
            kelompok=kelompok,
            topic_id=p.topic.id,
            day=p.day,
            start=start,
            place=place,
            today=today,
            commit=False,
            form_token=f"{form_token}:{n}" if form_token else "",
        )
        for n, p in enumerate(plan)
    ]
    session.commit()
    return created


def kelompok_last_held_refresh(*, session: Session, kelompok_ids: list[int] | None) -> None:
    """Recount `Kelompok.last_held_on` (None: every kelompok) in one statement, inside the caller's transaction."""
    latest = select(func.max(Meeting.date)).where(
        col(Meeting.kelompok_id) == Kelompok.id, col(Meeting.status) == MeetingStatus.HELD
    )
    stmt = update(Kelompok).values(last_held_on=latest.scalar_subquery())
    if kelompok_ids is not None:
        stmt = stmt.where(col(Kelompok.id).in_(kelompok_ids))
    session.execute(stmt.execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Kelompok):
            session.expire(obj, ["last_held_on"])


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise RuleViolation(N_("Pertemuan ini sudah dibatalkan."))
    if meeting.status == MeetingStatus.HELD:
        raise RuleViolation(N_("Pertemuan ini sudah terlaksana dan tidak dapat diubah jadwalnya."))


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < 3:
        raise RuleViolation(N_("Alasan wajib diisi."), field="reason")
    if len(reason) > 500:
        raise RuleViolation(N_("Alasan terlalu panjang (maksimal 500 karakter)."), field="reason")
    return reason


def meeting_reschedule(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok,
    meeting: Meeting,
    day: date,
    start: time,
    place: str,
    reason: str,
    today: date,
    version: int | None = None,
) -> Meeting:
    """Move a meeting, from the form made at `version`; the same move sent twice is recorded once."""
    meeting_require_editor(user, meeting, kelompok)
    schedule_lock(session=session, kelompok=kelompok)
    unchanged = (meeting.date, meeting.start_time, meeting.place) == (day, start, place or meeting.place)
    if meeting.status == MeetingStatus.SCHEDULED and unchanged:
        return meeting
    _require_scheduled(meeting)
    reason = _require_reason(reason)
    _check_date(day, today)
    _check_free(
        session=session,
        kelompok=kelompok,
        day=day,
        start=start,
        minutes=meeting.duration_minutes,
        exclude_id=meeting.id,
    )
    before = snapshot(meeting)
    version_claim(session=session, record=meeting, version=version, entity="meeting")
    detail = (
        f"{fmt_date(meeting.date)} {meeting.start_time.strftime('%H:%M')} → {fmt_date(day)} {start.strftime('%H:%M')}"
    )
    if day.year != meeting.date.year:  # the marks' partition key follows the meeting's year
        session.execute(update(Attendance).where(col(Attendance.meeting_id) == meeting.id).values(year=day.year))
    meeting.date, meeting.start_time, meeting.place, meeting.updated_at = day, start, place or meeting.place, utcnow()
    session.add(meeting)
    _event(session, meeting, user, MeetingEventKind.RESCHEDULED, detail, reason)
    audit_record(
        session=session,
        user=user,
        entity="meeting",
        entity_id=meeting.id,
        action="reschedule",
        before=before,
        after=snapshot(meeting),
    )
    kelompok_last_held_refresh(session=session, kelompok_ids=[meeting.kelompok_id])
    session.commit()
    return meeting


def meeting_cancel(
    *, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, reason: str, version: int | None = None
) -> Meeting:
    """Cancel a meeting, from the form made at `version`; cancelling twice is recorded once."""
    meeting_require_editor(user, meeting, kelompok)
    if meeting.status == MeetingStatus.CANCELLED:
        return meeting
    _require_scheduled(meeting)
    reason = _require_reason(reason)
    before = snapshot(meeting)
    version_claim(session=session, record=meeting, version=version, entity="meeting")
    meeting.status, meeting.updated_at = MeetingStatus.CANCELLED, utcnow()
    session.add(meeting)
    _event(session, meeting, user, MeetingEventKind.CANCELLED, "", reason)
    audit_record(
        session=session,
        user=user,
        entity="meeting",
        entity_id=meeting.id,
        action="cancel",
        before=before,
        after=snapshot(meeting),
    )
    kelompok_last_held_refresh(session=session, kelompok_ids=[meeting.kelompok_id])
    session.commit()
    return meeting


def meeting_mark_held(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, today: date) -> Meeting:
    meeting_require_editor(user, meeting, kelompok)
    meeting_lock(session=session, meeting=meeting)
    if meeting.status == MeetingStatus.HELD:  # sent twice: already done
        return meeting
    if meeting.status != MeetingStatus.SCHEDULED:
        _require_scheduled(meeting)
    if meeting.date > today:
        raise RuleViolation(N_("Pertemuan belum dapat ditandai terlaksana sebelum tanggalnya."))
    roster = {f.id for f in kelompok_roster(session=session, kelompok_id=kelompok.id or 0)}
    marked = set(session.exec(select(Attendance.family_id).where(Attendance.meeting_id == meeting.id)).all())
    missing = len(roster - marked)
    if missing:
        raise RuleViolation(N_("Masih ada %(n)s KPM tanpa status kehadiran. Lengkapi absensi dulu."), n=missing)
    before = snapshot(meeting)
    version_claim(session=session, record=meeting, version=None, entity="meeting")
    meeting.status, meeting.updated_at = MeetingStatus.HELD, utcnow()
    session.add(meeting)
    present = session.exec(
        select(func.count()).where(
            Attendance.meeting_id == meeting.id, col(Attendance.status) == AttendanceStatus.HADIR
        )
    ).one()
    _event(session, meeting, user, MeetingEventKind.HELD, f"{present}/{len(marked)} hadir")
    audit_record(
        session=session,
        user=user,
        entity="meeting",
        entity_id=meeting.id,
        action="held",
        before=before,
        after=snapshot(meeting),
    )
    attendance_summaries_refresh(session=session, meeting_ids=[meeting.id or 0], family_ids=marked)
    kelompok_last_held_refresh(session=session, kelompok_ids=[meeting.kelompok_id])
    readiness_refresh_roll(session=session, family_ids=list(marked))
    session.commit()
    return meeting


PHOTO_MAX_BYTES = 512 * 1024  # the phone sends ≤ 200 KB; the cap leaves room for a PNG from an older phone
PHOTO_TYPES = {b"\xff\xd8\xff": ("image/jpeg", "jpg"), b"\x89PNG\r\n\x1a\n": ("image/png", "png")}


def photo_path(stored_name: str) -> Path:
    return get_settings().upload_dir / "photos" / stored_name


def meeting_photo_add(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok,
    meeting: Meeting,
    data: bytes,
    taken_at: datetime | None = None,
    client_id: str | None = None,
) -> MeetingPhoto:
    """Keep a photo of a held meeting: JPEG or PNG by content, size-capped, under a generated name.

    A resend from the phone's offline queue (same `client_id`) returns the photo already stored."""
    meeting_require_editor(user, meeting, kelompok)
    if client_id:
        client_id = client_id.strip()[:64]
        existing = session.exec(select(MeetingPhoto).where(MeetingPhoto.client_id == client_id)).first()
        if existing is not None and existing.meeting_id == meeting.id:
            return existing
    if meeting.status != MeetingStatus.HELD:
        raise RuleViolation(N_("Foto dapat ditambahkan setelah pertemuan terlaksana."))
    if not data:
        raise RuleViolation(N_("Pilih foto dari kamera."), field="photo")
    if len(data) > PHOTO_MAX_BYTES:
        raise RuleViolation(N_("Foto terlalu besar (maksimal 512 KB)."), field="photo")
    kind = next((v for magic, v in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise RuleViolation(N_("Jenis berkas tidak diterima: hanya foto JPG atau PNG."), field="photo")
    content_type, extension = kind
    stored_name = f"{uuid.uuid4().hex}.{extension}"
    path = photo_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    photo = MeetingPhoto(
        meeting_id=meeting.id or 0,
        client_id=client_id or None,
        stored_name=stored_name,
        content_type=content_type,
        size=len(data),
        taken_at=taken_at,
        uploaded_by_id=user.id,
    )
    session.add(photo)
    session.flush()
    audit_record(
        session=session, user=user, entity="meeting_photo", entity_id=photo.id, action="create", after=snapshot(photo)
    )
    session.commit()
    return photo
