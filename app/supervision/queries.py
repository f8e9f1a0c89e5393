"""Supervision reads: the panel on a meeting page, a kelompok's months, correction and quality lists."""

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access import correction_can_request, kelompok_can_supervise, kelompok_clause
from app.attendance.queries import month_locked
from app.dashboard.queries import Scope, kelompok_filter
from app.db import rows_select
from app.models import (
    Attendance,
    AttendanceStatus,
    CorrectionRequest,
    CorrectionStatus,
    Family,
    FamilyStatus,
    Kelompok,
    Meeting,
    MeetingStatus,
    MonthLock,
    QualityReview,
    User,
)
from app.supervision.rules import CHECKLIST


@dataclass
class ReviewView:
    review: QualityReview
    supervisor: str
    marks: dict[str, int]


@dataclass
class CorrectionView:
    request: CorrectionRequest
    family: str
    current: str | None
    requested_by: str


@dataclass
class SupervisionPanel:
    meeting: Meeting
    reviews: list[ReviewView]
    corrections: list[CorrectionView]
    locked: bool
    can_review: bool
    can_decide: bool
    can_request: bool
    roll: list[tuple[int, str, str | None]] = field(default_factory=list)  # family id, name, current mark
    checklist: tuple[tuple[str, str], ...] = CHECKLIST


def corrections_of_meeting(*, session: Session, meeting_id: int) -> list[CorrectionView]:
    rows = session.exec(
        select(CorrectionRequest, Family.head_name, Attendance.status, User.full_name)
        .join(Family, col(Family.id) == CorrectionRequest.family_id)
        .join(User, col(User.id) == CorrectionRequest.requested_by_id)
        .outerjoin(
            Attendance,
            (col(Attendance.meeting_id) == CorrectionRequest.meeting_id)
            & (col(Attendance.family_id) == CorrectionRequest.family_id),
        )
        .where(CorrectionRequest.meeting_id == meeting_id)
        .order_by(col(CorrectionRequest.requested_at).desc())
    ).all()
    return [CorrectionView(request=r, family=f, current=s, requested_by=u) for r, f, s, u in rows]


def supervision_panel(*, session: Session, user: User, meeting: Meeting) -> SupervisionPanel:
    """What the meeting page shows below the roll: quality reviews, corrections, the actions this user may take."""
    kelompok = session.get(Kelompok, meeting.kelompok_id)
    assert kelompok is not None
    locked = month_locked(session=session, kelompok_id=kelompok.id or 0, day=meeting.date)
    reviews = [
        ReviewView(review=r, supervisor=name, marks=json.loads(r.checklist or "{}"))
        for r, name in session.exec(
            select(QualityReview, User.full_name)
            .join(User, col(User.id) == QualityReview.supervisor_id)
            .where(QualityReview.meeting_id == meeting.id)
            .order_by(col(QualityReview.created_at).desc())
        ).all()
    ]
    can_request = locked and correction_can_request(user, kelompok)
    roll: list[tuple[int, str, str | None]] = []
    if can_request:
        roll = [
            (i or 0, name, status)
            for i, name, status in session.exec(
                select(Family.id, Family.head_name, Attendance.status)
                .outerjoin(
                    Attendance, (col(Attendance.family_id) == Family.id) & (col(Attendance.meeting_id) == meeting.id)
                )
                .where(
                    (col(Family.kelompok_id) == kelompok.id) & (col(Family.status) == FamilyStatus.AKTIF)
                    | col(Attendance.id).is_not(None)
                )
                .order_by(col(Family.head_name))
            ).all()
        ]
    return SupervisionPanel(
        meeting=meeting,
        reviews=reviews,
        corrections=corrections_of_meeting(session=session, meeting_id=meeting.id or 0),
        locked=locked,
        can_review=kelompok_can_supervise(user, kelompok) and meeting.status == MeetingStatus.HELD,
        can_decide=kelompok_can_supervise(user, kelompok),
        can_request=can_request,
        roll=roll,
    )


@dataclass
class MonthRow:
    month: date
    planned: int
    held: int
    cancelled: int
    open: int
    marks: int
    present: int
    locked_at: object | None
    pending: int

    @property
    def rate(self) -> float | None:
        return self.present / self.marks if self.marks else None


def kelompok_months(*, session: Session, kelompok_id: int, dialect: str) -> list[MonthRow]:
    """Each month of a kelompok with meetings: counts, attendance, lock and pending corrections (newest first)."""
    month = func.to_char(Meeting.date, "YYYY-MM") if dialect == "postgresql" else func.strftime("%Y-%m", Meeting.date)
    meetings = session.exec(
        select(month, Meeting.status, func.count())
        .where(Meeting.kelompok_id == kelompok_id)
        .group_by(month, col(Meeting.status))
    ).all()
    marks = session.exec(
        select(month, func.count(), func.sum(case((col(Attendance.status) == AttendanceStatus.HADIR, 1), else_=0)))
        .join(Attendance, col(Attendance.meeting_id) == Meeting.id)
        .where(Meeting.kelompok_id == kelompok_id, Meeting.status == MeetingStatus.HELD)
        .group_by(month)
    ).all()
    pending = session.exec(
        select(month, func.count())
        .select_from(CorrectionRequest)
        .join(Meeting, col(Meeting.id) == CorrectionRequest.meeting_id)
        .where(Meeting.kelompok_id == kelompok_id, CorrectionRequest.status == CorrectionStatus.MENUNGGU)
        .group_by(month)
    ).all()
    locks = {
        m.strftime("%Y-%m"): at
        for m, at in session.exec(
            rows_select(MonthLock.month, MonthLock.verified_at).where(MonthLock.kelompok_id == kelompok_id)
        ).all()
    }
    rows: dict[str, MonthRow] = {}
    for key, status, n in meetings:
        row = rows.setdefault(
            key,
            MonthRow(
                month=date(int(key[:4]), int(key[5:7]), 1),
                planned=0,
                held=0,
                cancelled=0,
                open=0,
                marks=0,
                present=0,
                locked_at=locks.get(key),
                pending=0,
            ),
        )
        row.planned += n
        row.held += n if status == MeetingStatus.HELD else 0
        row.cancelled += n if status == MeetingStatus.CANCELLED else 0
        row.open += n if status == MeetingStatus.SCHEDULED else 0
    for key, n, present in marks:
        if key in rows:
            rows[key].marks, rows[key].present = int(n), int(present or 0)
    for key, n in pending:
        if key in rows:
            rows[key].pending = n
    return sorted(rows.values(), key=lambda r: r.month, reverse=True)


def corrections_pending(
    *, session: Session, user: User, limit: int = 200
) -> list[tuple[CorrectionRequest, str, str, Meeting, Kelompok, str]]:
    """Correction requests awaiting a decision in the user's scope (a pendamping: their own), oldest first."""
    query = (
        rows_select(
            CorrectionRequest, Family.head_name, User.full_name, Meeting, Kelompok, func.coalesce(Attendance.status, "")
        )
        .join(Meeting, col(Meeting.id) == CorrectionRequest.meeting_id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .join(Family, col(Family.id) == CorrectionRequest.family_id)
        .join(User, col(User.id) == CorrectionRequest.requested_by_id)
        .outerjoin(
            Attendance,
            (col(Attendance.meeting_id) == CorrectionRequest.meeting_id)
            & (col(Attendance.family_id) == CorrectionRequest.family_id),
        )
        .where(kelompok_clause(user), CorrectionRequest.status == CorrectionStatus.MENUNGGU)
        .order_by(col(CorrectionRequest.requested_at))
        .limit(limit)
    )
    return [tuple(row) for row in session.exec(query).all()]


def quality_reviews(
    *, session: Session, scope: Scope, pendamping_id: int | None, limit: int = 200
) -> list[tuple[QualityReview, Meeting, Kelompok, str, str]]:
    """Quality reviews of meetings in the area and period, newest first, with pendamping and supervisor names."""
    pendamping = aliased(User)
    query = (
        rows_select(QualityReview, Meeting, Kelompok, func.coalesce(pendamping.full_name, "–"), User.full_name)
        .join(Meeting, col(Meeting.id) == QualityReview.meeting_id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .join(User, col(User.id) == QualityReview.supervisor_id)
        .outerjoin(pendamping, col(pendamping.id) == Kelompok.pendamping_id)
        .where(
            *kelompok_filter(scope), col(Meeting.date) >= scope.period.start, col(Meeting.date) <= scope.period.last_day
        )
        .order_by(col(Meeting.date).desc(), col(QualityReview.id).desc())
        .limit(limit)
    )
    if pendamping_id is not None:
        query = query.where(Kelompok.pendamping_id == pendamping_id)
    return [tuple(row) for row in session.exec(query).all()]
