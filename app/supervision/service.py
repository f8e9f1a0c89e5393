"""Supervision writes: quality reviews of meetings, verifying and locking a month, correction requests.

Every write is audited with before/after snapshots and commits with its audit row.
"""

import json
from datetime import date, timedelta

from sqlmodel import Session, select

from app.access import SUPERVISING_ROLES, correction_require_requester, require_role
from app.attendance.queries import month_locked
from app.attendance.service import attendance_summaries_refresh, meeting_lock, meetings_lock
from app.audit import audit_record, snapshot
from app.errors import RuleViolation
from app.graduation.service import readiness_refresh_families
from app.i18n import N_
from app.models import (
    ATTENDANCE_CYCLE,
    Attendance,
    CorrectionRequest,
    CorrectionStatus,
    Family,
    Kelompok,
    Meeting,
    MeetingStatus,
    MonthLock,
    NotificationKind,
    QualityReview,
    User,
    utcnow,
)
from app.notifications.service import notification_add
from app.supervision.rules import CHECKLIST, MARK_MAX, checklist_score


def quality_review_create(
    *, session: Session, user: User, meeting: Meeting, marks: dict[str, int], notes: str
) -> QualityReview:
    require_role(user, *SUPERVISING_ROLES)
    if meeting.status != MeetingStatus.HELD:
        raise RuleViolation(N_("Penilaian kualitas hanya untuk pertemuan yang sudah terlaksana."))
    if set(marks) != {key for key, _ in CHECKLIST} or any(not 0 <= v <= MARK_MAX for v in marks.values()):
        raise RuleViolation(N_("Isi setiap butir daftar periksa."))
    review = QualityReview(
        meeting_id=meeting.id or 0,
        supervisor_id=user.id or 0,
        checklist=json.dumps(marks),
        score=checklist_score(marks),
        notes=notes.strip(),
    )
    session.add(review)
    session.flush()
    audit_record(
        session=session, user=user, entity="qualityreview", entity_id=review.id, action="create", after=snapshot(review)
    )
    session.commit()
    return review


def month_lock(*, session: Session, user: User, kelompok: Kelompok, month: date, today: date) -> MonthLock:
    """Verify a finished month of a kelompok: every meeting held or cancelled; its attendance becomes read-only."""
    require_role(user, *SUPERVISING_ROLES)
    month = month.replace(day=1)
    if month >= today.replace(day=1):
        raise RuleViolation(N_("Hanya bulan yang sudah berakhir yang dapat diverifikasi."), field="bulan")
    next_month = (month + timedelta(days=32)).replace(day=1)
    meetings_lock(session=session, kelompok_id=kelompok.id or 0, since=month, until=next_month)
    if month_locked(session=session, kelompok_id=kelompok.id or 0, day=month):
        raise RuleViolation(N_("Bulan ini sudah diverifikasi dan dikunci."), field="bulan")
    open_meetings = session.exec(
        select(Meeting.id).where(
            Meeting.kelompok_id == kelompok.id,
            Meeting.date >= month,
            Meeting.date < next_month,
            Meeting.status == MeetingStatus.SCHEDULED,
        )
    ).all()
    if open_meetings:
        raise RuleViolation(
            N_(
                "Masih ada %(n)s pertemuan berstatus dijadwalkan di bulan ini; pendamping perlu "
                "menandainya terlaksana atau membatalkannya."
            ),
            field="bulan",
            n=len(open_meetings),
        )
    lock = MonthLock(kelompok_id=kelompok.id or 0, month=month, verified_by_id=user.id or 0)
    session.add(lock)
    session.flush()
    audit_record(
        session=session, user=user, entity="monthlock", entity_id=lock.id, action="verify_lock", after=snapshot(lock)
    )
    session.commit()
    return lock


def correction_request_create(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok,
    meeting: Meeting,
    family_id: int,
    requested_status: str,
    reason: str,
) -> CorrectionRequest:
    """The pendamping asks to change one mark of a locked month; the supervisor decides."""
    correction_require_requester(user, kelompok)
    if not month_locked(session=session, kelompok_id=kelompok.id or 0, day=meeting.date):
        raise RuleViolation(N_("Bulan ini belum dikunci; ubah absensinya langsung."))
    if requested_status not in ATTENDANCE_CYCLE:
        raise RuleViolation(N_("Pilih status kehadiran yang benar."), field="requested_status")
    if not reason.strip():
        raise RuleViolation(N_("Tuliskan alasan koreksi."), field="reason")
    mark = session.exec(
        select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.family_id == family_id)
    ).first()
    family = session.get(Family, family_id)
    if family is None or (mark is None and family.kelompok_id != kelompok.id):
        raise RuleViolation(N_("KPM ini tidak terdaftar pada pertemuan ini."), field="family_id")
    if mark is not None and mark.status == requested_status:
        raise RuleViolation(N_("Status yang diminta sama dengan yang tercatat."), field="requested_status")
    pending = session.exec(
        select(CorrectionRequest.id).where(
            CorrectionRequest.meeting_id == meeting.id,
            CorrectionRequest.family_id == family_id,
            CorrectionRequest.status == CorrectionStatus.MENUNGGU,
        )
    ).first()
    if pending is not None:
        raise RuleViolation(N_("Sudah ada permintaan koreksi yang menunggu untuk KPM ini."), field="family_id")
    request = CorrectionRequest(
        meeting_id=meeting.id or 0,
        family_id=family_id,
        requested_status=requested_status,
        original_status=mark.status if mark is not None else None,
        reason=reason.strip(),
        requested_by_id=user.id or 0,
    )
    session.add(request)
    session.flush()
    audit_record(
        session=session,
        user=user,
        entity="correctionrequest",
        entity_id=request.id,
        action="create",
        after=snapshot(request),
    )
    session.commit()
    return request


def correction_decide(
    *, session: Session, user: User, request: CorrectionRequest, meeting: Meeting, accept: bool, note: str
) -> CorrectionRequest:
    """Accepting applies the requested mark despite the lock; both the decision and the mark are audited."""
    require_role(user, *SUPERVISING_ROLES)
    meeting_lock(session=session, meeting=meeting)
    session.refresh(request, with_for_update=True)
    if request.status != CorrectionStatus.MENUNGGU:
        raise RuleViolation(N_("Permintaan ini sudah diputuskan."))
    if not accept and not note.strip():
        raise RuleViolation(N_("Tuliskan alasan penolakan."), field="decision_note")
    before = snapshot(request)
    request.status = CorrectionStatus.DITERIMA if accept else CorrectionStatus.DITOLAK
    request.decided_by_id, request.decided_at, request.decision_note = user.id, utcnow(), note.strip()
    session.add(request)
    if accept:
        mark = session.exec(
            select(Attendance).where(Attendance.meeting_id == meeting.id, Attendance.family_id == request.family_id)
        ).first()
        mark_before = snapshot(mark)
        if mark is None:
            mark = Attendance(
                meeting_id=meeting.id or 0,
                family_id=request.family_id,
                year=meeting.date.year,
                status=request.requested_status,
            )
        else:
            # The original stays beside the corrected value (a second correction keeps the first original).
            request.original_status = mark.status
            mark.corrected_from = mark.corrected_from or mark.status
        mark.status, mark.recorded_by_id, mark.recorded_at = request.requested_status, user.id, utcnow()
        session.add(mark)
        session.flush()
        audit_record(
            session=session,
            user=user,
            entity="attendance",
            entity_id=mark.id,
            action="correction",
            before=mark_before,
            after=snapshot(mark),
        )
    session.flush()
    audit_record(
        session=session,
        user=user,
        entity="correctionrequest",
        entity_id=request.id,
        action="accept" if accept else "refuse",
        before=before,
        after=snapshot(request),
    )
    family = session.get(Family, request.family_id)
    notification_add(
        session=session,
        user_id=request.requested_by_id,
        kind=NotificationKind.CORRECTION_ACCEPTED if accept else NotificationKind.CORRECTION_REFUSED,
        actor=user,
        subject=family.head_name if family is not None else "",
        note=request.decision_note,
        meeting_id=meeting.id,
    )
    if accept:
        attendance_summaries_refresh(session=session, meeting_ids=[meeting.id or 0], family_ids=[request.family_id])
    if accept and meeting.status == MeetingStatus.HELD:
        readiness_refresh_families(session=session, family_ids=[request.family_id], commit=False)
    session.commit()
    return request
