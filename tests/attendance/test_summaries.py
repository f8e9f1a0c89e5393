"""The counts kept beside the marks (per meeting, per family) follow every writer of marks, and equal a recount."""

from datetime import timedelta

from sqlmodel import Session, select

from app.attendance.service import (
    attendance_all_present,
    attendance_makeup_add,
    attendance_set,
    attendance_summaries_refresh,
)
from app.clock import today_local
from app.meetings.service import meeting_mark_held
from app.models import Family, Meeting
from app.supervision.service import correction_decide, correction_request_create, month_lock
from tests.factories import meeting_make, world_make


def kept(session: Session) -> dict[str, object]:
    session.expire_all()
    return {
        "meetings": sorted(session.exec(select(Meeting.id, Meeting.marks_count, Meeting.present_count)).all()),
        "families": sorted(session.exec(select(Family.id, Family.sessions_done, Family.alpa_streak)).all()),
    }


def test_counts_follow_roll_calls_make_ups_held_meetings_and_corrections(session):
    w = world_make(session)
    ani, budi, cucu, dewi = w.families
    today = today_local()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    first = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=last_month - timedelta(days=5))
    second = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=last_month)
    marks = {"session": session, "user": w.pendamping, "kelompok": w.kelompok, "today": today}

    attendance_all_present(meeting=first, **marks)
    attendance_set(meeting=first, family_id=cucu.id, status="alpa", **marks)
    first = session.get(Meeting, first.id)
    assert (first.marks_count, first.present_count) == (4, 3)
    assert session.get(Family, ani.id).sessions_done == 0  # not held yet: nothing completed
    meeting_mark_held(meeting=first, **marks)
    bit1 = 1 << first.topic_id
    assert session.get(Family, ani.id).sessions_done == bit1
    assert (session.get(Family, cucu.id).sessions_done, session.get(Family, cucu.id).alpa_streak) == (0, 1)

    attendance_all_present(meeting=second, **marks)
    attendance_set(meeting=second, family_id=cucu.id, status="alpa", **marks)
    w.other_kelompok.pendamping_id = w.pendamping.id  # the make-up guest comes from the pendamping's other group
    attendance_makeup_add(meeting=second, family_id=w.other_family.id, **marks)
    meeting_mark_held(meeting=second, **marks)
    bit2 = 1 << second.topic_id
    assert session.get(Family, budi.id).sessions_done == bit1 | bit2
    assert session.get(Family, w.other_family.id).sessions_done == bit2  # a make-up completes the session
    assert session.get(Family, cucu.id).alpa_streak == 2
    second = session.get(Meeting, second.id)
    assert (second.marks_count, second.present_count) == (5, 4)

    month_lock(session=session, user=w.supervisor, kelompok=w.kelompok, month=last_month, today=today)
    request = correction_request_create(
        session=session,
        user=w.pendamping,
        kelompok=w.kelompok,
        meeting=second,
        family_id=cucu.id,
        requested_status="hadir",
        reason="Salah ketuk: Ibu Cucu hadir, tanda tangan ada di daftar.",
    )
    correction_decide(session=session, user=w.supervisor, request=request, meeting=second, accept=True, note="")
    assert (session.get(Family, cucu.id).sessions_done, session.get(Family, cucu.id).alpa_streak) == (bit2, 0)
    assert session.get(Meeting, second.id).present_count == 5

    before = kept(session)
    attendance_summaries_refresh(session=session)
    assert kept(session) == before
    assert session.get(Family, dewi.id).alpa_streak == 0
