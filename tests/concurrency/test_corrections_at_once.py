"""One correction decided by several supervisors at the same instant: one decision wins, the original mark is kept
beside the corrected one exactly once, and the others are told (422), never 5xx."""

from datetime import timedelta

from sqlmodel import Session, select

from app.attendance.service import attendance_summaries_refresh
from app.clock import today_local
from app.models import Attendance, AuditLog, CorrectionRequest, MonthLock, User
from tests.concurrency.conftest import Person, Scene, server_errors, together
from tests.factories import family_make, kelompok_make, meeting_make


def test_one_correction_decided_at_once(scene: Scene) -> None:
    day = (today_local().replace(day=1) - timedelta(days=40)).replace(day=12)
    with Session(scene.engine) as session:
        pendamping = session.exec(select(User).where(User.username == scene.pendamping)).one()
        supervisor = session.exec(select(User).where(User.username == scene.supervisor)).one()
        kelompok = kelompok_make(session, pendamping=pendamping, name="Kelompok Koreksi Serentak")
        family = family_make(session, kelompok=kelompok, head_name="Ibu Koreksi")
        meeting = meeting_make(session, kelompok=kelompok, topic_no=4, day=day, status="terlaksana")
        session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status="alpa"))
        session.add(
            MonthLock(kelompok_id=kelompok.id or 0, month=day.replace(day=1), verified_by_id=supervisor.id or 0)
        )
        request = CorrectionRequest(
            meeting_id=meeting.id or 0,
            family_id=family.id or 0,
            requested_status="hadir",
            original_status="alpa",
            reason="Datang terlambat",
            requested_by_id=pendamping.id or 0,
        )
        session.add(request)
        session.flush()  # the mark was written beside the service: its meeting's and family's counts follow it
        attendance_summaries_refresh(session=session, meeting_ids=[meeting.id or 0], family_ids=[family.id or 0])
        session.commit()
        request_id, meeting_id, family_id = request.id, meeting.id, family.id
    people = [Person(scene.base, address=f"10.7.0.{i}").login(scene.supervisor) for i in range(3)]

    def decide(i: int):  # type: ignore[no-untyped-def]
        choice = {"keputusan": "terima"} if i < 2 else {"keputusan": "tolak", "decision_note": "Tidak ada bukti"}
        return people[i].post(f"/koreksi/{request_id}/keputusan", choice)

    results = together(3, decide)
    for person in people:
        person.close()
    assert server_errors(results) == []
    assert sorted(r.status_code for r in results) == [303, 422, 422], [r.status_code for r in results]
    with Session(scene.engine) as session:
        decided = session.get(CorrectionRequest, request_id)
        mark = session.exec(
            select(Attendance).where(Attendance.meeting_id == meeting_id, Attendance.family_id == family_id)
        ).one()
        corrections = session.exec(
            select(AuditLog).where(
                AuditLog.entity == "attendance", AuditLog.entity_id == str(mark.id), AuditLog.action == "correction"
            )
        ).all()
    assert decided is not None and decided.original_status == "alpa"
    if decided.status == "diterima":
        assert (mark.status, mark.corrected_from, len(corrections)) == ("hadir", "alpa", 1)
    else:
        assert (mark.status, mark.corrected_from, len(corrections)) == ("alpa", None, 0)
