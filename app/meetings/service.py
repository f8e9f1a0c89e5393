"""Writing meetings: schedule, plan the rest, reschedule, cancel, mark held. Every change is audited."""

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.access import kelompok_require_editor
from app.attendance.service import attendance_summaries_refresh
from app.audit import audit_record, snapshot
from app.curriculum.queries import TopicRef, topic_label, topics_active
from app.errors import RuleViolation
from app.graduation.service import readiness_refresh_families
from app.i18n import N_, fmt_date
from app.kelompok.queries import (
    completions,
    kelompok_roster,
    pendamping_meetings_on,
    topics_by_status,
)
from app.meetings import rules
from app.models import Attendance, Kelompok, Meeting, MeetingEvent, MeetingStatus, User, utcnow


@dataclass
class PlannedMeeting:
    topic: TopicRef
    day: date
    conflict: bool


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


def completed_by_all(*, session: Session, kelompok_id: int) -> set[int]:
    """Topics every active KPM of the group has completed (make-ups included)."""
    roster = [f.id or 0 for f in kelompok_roster(session=session, kelompok_id=kelompok_id)]
    if not roster:
        return set()
    done = completions(session=session, family_ids=roster)
    per_topic: dict[int, int] = {}
    for _family, topic in done:
        per_topic[topic] = per_topic.get(topic, 0) + 1
    return {t for t, n in per_topic.items() if n >= len(roster)}


def topic_proposed(*, session: Session, kelompok: Kelompok, today: date) -> TopicRef | None:
    topics = topics_active(session=session, core_only=True)
    topic_id = rules.next_topic_id(
        ordered_topic_ids=[t.id for t in topics],
        held=topics_by_status(session=session, kelompok_id=kelompok.id or 0, status=MeetingStatus.HELD),
        scheduled=topics_by_status(
            session=session, kelompok_id=kelompok.id or 0, status=MeetingStatus.SCHEDULED, from_day=today
        ),
        completed_by_all=completed_by_all(session=session, kelompok_id=kelompok.id or 0),
    )
    return next((t for t in topics if t.id == topic_id), None)


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


def plan_rest_preview(
    *, session: Session, kelompok: Kelompok, first: date, start: time, today: date
) -> list[PlannedMeeting]:
    """One meeting a month for every core session the group has not held or scheduled yet."""
    topics = topics_active(session=session, core_only=True)
    remaining = rules.remaining_topic_ids(
        ordered_topic_ids=[t.id for t in topics],
        held=topics_by_status(session=session, kelompok_id=kelompok.id or 0, status=MeetingStatus.HELD),
        scheduled=topics_by_status(
            session=session, kelompok_id=kelompok.id or 0, status=MeetingStatus.SCHEDULED, from_day=today
        ),
        completed_by_all=completed_by_all(session=session, kelompok_id=kelompok.id or 0),
    )
    by_id = {t.id: t for t in topics}
    days = rules.monthly_dates(first=first, count=len(remaining))
    plan = []
    for topic_id, day in zip(remaining, days, strict=True):
        topic = by_id[topic_id]
        others = (
            pendamping_meetings_on(session=session, pendamping_id=kelompok.pendamping_id, day=day)
            if kelompok.pendamping_id
            else []
        )
        clash = rules.first_overlap(day=day, start=start, minutes=topic.duration_minutes, others=others)  # type: ignore[arg-type]
        plan.append(PlannedMeeting(topic=topic, day=day, conflict=clash is not None))
    return plan


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
) -> Meeting:
    kelompok_require_editor(user, kelompok)
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
    kelompok_last_held_refresh(session=session, kelompok_ids=[meeting.kelompok_id])
    session.commit()
    return meeting


def meeting_cancel(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, reason: str) -> Meeting:
    kelompok_require_editor(user, kelompok)
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
    kelompok_last_held_refresh(session=session, kelompok_ids=[meeting.kelompok_id])
    session.commit()
    return meeting


def meeting_mark_held(*, session: Session, user: User, kelompok: Kelompok, meeting: Meeting, today: date) -> Meeting:
    kelompok_require_editor(user, kelompok)
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
    kelompok_last_held_refresh(session=session, kelompok_ids=[meeting.kelompok_id])
    session.commit()
    readiness_refresh_families(session=session, family_ids=list(marked))
    return meeting
