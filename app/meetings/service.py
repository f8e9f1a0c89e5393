"""Writing meetings: schedule, plan the rest, reschedule, cancel, mark held. Every change is audited."""

import uuid
from datetime import date, datetime, time
from pathlib import Path

from sqlmodel import Session, col, func, select

from app.access import kelompok_require_editor, meeting_require_editor
from app.attendance.service import attendance_summaries_refresh
from app.audit import audit_record, snapshot
from app.curriculum.queries import topic_label, topics_active
from app.errors import RuleViolation
from app.graduation.service import readiness_refresh_families
from app.i18n import N_, fmt_date
from app.kelompok.queries import (
    kelompok_roster,
    pendamping_meetings_on,
)
from app.meetings import rules
from app.meetings.queries import completed_by_all, plan_rest_preview
from app.models import Attendance, Kelompok, Meeting, MeetingEvent, MeetingPhoto, MeetingStatus, User, utcnow
from app.settings import get_settings


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
    clash = rules.first_overlap(day=day, start=start, minutes=minutes, others=others)  # type: ignore[arg-type]
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
) -> Meeting:
    kelompok_require_editor(user, kelompok)
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
    )
    session.add(meeting)
    session.flush()
    _event(session, meeting, user, "dijadwalkan", f"{fmt_date(day)} {start.strftime('%H:%M')}")
    audit_record(
        session=session, user=user, entity="meeting", entity_id=meeting.id, action="create", after=snapshot(meeting)
    )
    if commit:
        session.commit()
    return meeting


def meeting_plan_rest(
    *, session: Session, user: User, kelompok: Kelompok, first: date, start: time, place: str, today: date
) -> list[Meeting]:
    """Create the whole plan in one transaction: all meetings or none."""
    kelompok_require_editor(user, kelompok)
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
        )
        for p in plan
    ]
    session.commit()
    return created


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
) -> Meeting:
    meeting_require_editor(user, meeting, kelompok)
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
    detail = (
        f"{fmt_date(meeting.date)} {meeting.start_time.strftime('%H:%M')} → {fmt_date(day)} {start.strftime('%H:%M')}"
    )
    meeting.date, meeting.start_time, meeting.place, meeting.updated_at = day, start, place or meeting.place, utcnow()
    session.add(meeting)
    _event(session, meeting, user, "dijadwal_ulang", detail, reason)
    audit_record(
        session=session,
        user=user,
        entity="meeting",
        entity_id=meeting.id,
        action="reschedule",
        before=before,
        after=snapshot(meeting),
    )
    session.commit()
    return meeting


def meeting_cancel(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, reason: str) -> Meeting:
    meeting_require_editor(user, meeting, kelompok)
    _require_scheduled(meeting)
    reason = _require_reason(reason)
    before = snapshot(meeting)
    meeting.status, meeting.updated_at = MeetingStatus.CANCELLED, utcnow()
    session.add(meeting)
    _event(session, meeting, user, "dibatalkan", "", reason)
    audit_record(
        session=session,
        user=user,
        entity="meeting",
        entity_id=meeting.id,
        action="cancel",
        before=before,
        after=snapshot(meeting),
    )
    session.commit()
    return meeting


def meeting_mark_held(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, today: date) -> Meeting:
    meeting_require_editor(user, meeting, kelompok)
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
    meeting.status, meeting.updated_at = MeetingStatus.HELD, utcnow()
    session.add(meeting)
    present = session.exec(
        select(func.count()).where(Attendance.meeting_id == meeting.id, col(Attendance.status) == "hadir")
    ).one()
    _event(session, meeting, user, "terlaksana", f"{present}/{len(marked)} hadir")
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
    session.commit()
    readiness_refresh_families(session=session, family_ids=list(marked))
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
