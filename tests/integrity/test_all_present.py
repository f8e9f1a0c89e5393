"""“Semua hadir” fills only the KPM without a mark and says what it left as it was."""

from sqlmodel import select

from app.attendance.service import attendance_all_present
from app.models import Attendance, AuditLog
from tests.conftest import text_of
from tests.factories import meeting_make, world_make


def test_all_present_keeps_izin_sakit_alpa_and_says_so(web, session):
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    web.login(w.pendamping.username)
    for family, status in zip(w.families[:3], ("izin", "sakit", "alpa"), strict=True):
        web.post(
            f"/pertemuan/{meeting.id}/absensi/{family.id}", data={"status": status}, htmx_target=f"kpm-{family.id}"
        )
    audits_before = len(session.exec(select(AuditLog).where(AuditLog.entity == "attendance")).all())
    r = web.post(f"/pertemuan/{meeting.id}/semua-hadir", htmx_target="roll")
    page = text_of(r.text)
    assert r.status_code == 200
    assert "1 KPM ditandai hadir; 3 yang sudah bertanda izin/sakit/alpa tidak diubah." in page
    marks = {a.family_id: a.status for a in session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id))}
    assert [marks[f.id] for f in w.families] == ["izin", "sakit", "alpa", "hadir"]
    audits_after = len(session.exec(select(AuditLog).where(AuditLog.entity == "attendance")).all())
    assert audits_after == audits_before + 1  # one new mark, nothing overwritten
    # Pressed again (or the request resent): nothing changes, and the page says so.
    r = web.post(f"/pertemuan/{meeting.id}/semua-hadir")
    assert r.status_code == 200 and "0 KPM ditandai hadir; 3 yang sudah bertanda" in text_of(r.text)
    assert len(session.exec(select(AuditLog).where(AuditLog.entity == "attendance")).all()) == audits_after


def test_all_present_on_an_empty_roll_marks_everyone(session):
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    result = attendance_all_present(
        session=session, user=w.pendamping, kelompok=w.kelompok, meeting=meeting, today=w.today
    )
    assert (result.marked, result.kept) == (4, 0)
