"""The pendamping's day: schedule a meeting, take the roll, mark it held, see the grid change."""

from datetime import timedelta

from sqlmodel import select

from app.models import Attendance, AuditLog, Meeting, MeetingEvent
from tests.conftest import text_of
from tests.factories import days, meeting_make, topic_core, world_make


def test_schedule_take_roll_and_grid(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    page = web.get(f"/kelompok/{w.kelompok.id}/pertemuan/baru")
    assert page.status_code == 200
    assert "usulan" in page.text  # the next session is proposed
    response = web.post(
        f"/kelompok/{w.kelompok.id}/pertemuan",
        data={
            "topic_id": topic_core(session, 1).id,
            "date": w.today.isoformat(),
            "start_time": "09:00",
            "place": "Aula RW 05",
        },
    )
    assert response.status_code == 303, text_of(response.text)[:400]
    meeting = session.exec(select(Meeting).where(Meeting.kelompok_id == w.kelompok.id)).one()
    page = web.get(f"/pertemuan/{meeting.id}")
    assert "Semua hadir" in page.text and "Ani Suryani" in page.text

    # one tap: hadir; a second tap cycles to izin; the row fragment answers with confirmation
    target = f"kpm-{w.families[0].id}"
    r = web.post(f"/pertemuan/{meeting.id}/absensi/{w.families[0].id}", htmx_target=target)
    assert r.status_code == 200 and f'id="{target}"' in r.text and "Tersimpan" in r.text and "Hadir" in r.text
    assert 'id="roll-counts" hx-swap-oob="true"' in r.text
    r = web.post(f"/pertemuan/{meeting.id}/absensi/{w.families[0].id}", htmx_target=target)
    assert "Izin" in r.text
    # everyone not yet marked present in one action; the izin mark stays (issue 15)
    r = web.post(f"/pertemuan/{meeting.id}/semua-hadir", htmx_target="roll")
    page = text_of(r.text)
    assert r.status_code == 200 and "Hadir 3" in page and "Izin 1" in page
    assert "3 KPM ditandai hadir; 1 yang sudah bertanda izin/sakit/alpa tidak diubah." in page
    web.post(f"/pertemuan/{meeting.id}/absensi/{w.families[0].id}", data={"status": "hadir"}, htmx_target=target)
    marks = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    assert {a.status for a in marks} == {"hadir"} and len(marks) == 4
    # who attended
    r = web.post(
        f"/pertemuan/{meeting.id}/absensi/{w.families[1].id}",
        htmx_target=f"kpm-{w.families[1].id}",
        data={"attendee": "anggota_lain", "attendee_name": "Rina (anak)"},
    )
    assert "Rina (anak)" in r.text
    # mark held, then the grid shows session 1 done for everyone
    r = web.post(f"/pertemuan/{meeting.id}/terlaksana")
    assert r.status_code == 303
    grid = web.get(f"/kelompok/{w.kelompok.id}").text
    assert grid.count('data-state="selesai"') == 4
    kinds = [e.kind for e in session.exec(select(MeetingEvent).where(MeetingEvent.meeting_id == meeting.id)).all()]
    assert kinds == ["dijadwalkan", "terlaksana"]
    audit = session.exec(select(AuditLog).where(AuditLog.entity == "attendance")).all()
    assert len(audit) >= 6 and all(a.user_id == w.pendamping.id for a in audit)


def test_cannot_mark_held_with_missing_marks(web, session):
    w = world_make(session)
    m = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    web.login(w.pendamping.username)
    r = web.post(f"/pertemuan/{m.id}/terlaksana")
    assert r.status_code == 422 and "Masih ada 4 KPM tanpa status kehadiran" in text_of(r.text)


def test_makeup_in_another_kelompok_counts(web, session):
    w = world_make(session)
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=days(-30), status="terlaksana")
    for f in w.families:
        session.add(Attendance(meeting_id=held.id, family_id=f.id, status="alpa" if f is w.families[0] else "hadir"))
    session.flush()
    web.login(w.pendamping.username)
    grid = web.get(f"/kelompok/{w.kelompok.id}").text
    assert grid.count('data-state="terlewat"') == 1
    assert "Menjadi Orang Tua yang Lebih Baik" in web.get(f"/kpm/{w.families[0].id}").text  # to make up
    other = meeting_make(session, kelompok=w.second_kelompok, topic_no=1, day=w.today)
    r = web.post(f"/pertemuan/{other.id}/susulan", data={"family_id": w.families[0].id})
    assert r.status_code == 303
    web.post(f"/pertemuan/{other.id}/semua-hadir")
    assert web.post(f"/pertemuan/{other.id}/terlaksana").status_code == 303
    grid = web.get(f"/kelompok/{w.kelompok.id}").text
    assert grid.count('data-state="terlewat"') == 0 and grid.count('data-state="selesai"') == 4
    assert "susulan di" in web.get(f"/kpm/{w.families[0].id}").text


def test_reschedule_and_cancel_need_reason_and_keep_history(web, session):
    w = world_make(session)
    m = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=days(10))
    web.login(w.pendamping.username)
    r = web.post(
        f"/pertemuan/{m.id}/ubah",
        data={"date": days(12).isoformat(), "start_time": "10:00", "place": "Masjid", "reason": ""},
    )
    assert r.status_code == 422 and "Alasan wajib diisi" in r.text and days(12).isoformat() in r.text
    r = web.post(
        f"/pertemuan/{m.id}/ubah",
        data={
            "date": days(12).isoformat(),
            "start_time": "10:00",
            "place": "Masjid",
            "reason": "Aula dipakai posyandu",
        },
    )
    assert r.status_code == 303
    r = web.post(f"/pertemuan/{m.id}/batal", data={"reason": ""})
    assert r.status_code == 422 and "Alasan wajib diisi" in r.text
    assert web.post(f"/pertemuan/{m.id}/batal", data={"reason": "Banjir"}).status_code == 303
    page = text_of(web.get(f"/pertemuan/{m.id}").text)
    assert "Dibatalkan" in page and "Aula dipakai posyandu" in page and "Banjir" in page
    # attendance on a cancelled meeting is refused
    r = web.post(f"/pertemuan/{m.id}/absensi/{w.families[0].id}")
    assert r.status_code == 422 and "dibatalkan" in r.text


def test_double_booking_refused_with_values_kept(web, session):
    w = world_make(session)
    meeting_make(session, kelompok=w.second_kelompok, topic_no=1, day=days(7))
    web.login(w.pendamping.username)
    r = web.post(
        f"/kelompok/{w.kelompok.id}/pertemuan",
        data={
            "topic_id": topic_core(session, 1).id,
            "date": days(7).isoformat(),
            "start_time": "10:30",
            "place": "Aula X",
        },
    )
    assert r.status_code == 422
    assert "Bentrok dengan pertemuan lain" in r.text and "Aula X" in r.text and 'value="10:30"' in r.text
    assert session.exec(select(Meeting).where(Meeting.kelompok_id == w.kelompok.id)).first() is None


def test_impossible_date_and_completed_session_refused(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    r = web.post(
        f"/kelompok/{w.kelompok.id}/pertemuan",
        data={"topic_id": topic_core(session, 1).id, "date": "2026-02-30", "start_time": "09:00", "place": "Aula"},
    )
    assert r.status_code == 422 and "Tanggal tidak valid: 2026-02-30" in r.text
    held = meeting_make(session, kelompok=w.kelompok, topic_no=3, day=days(-20), status="terlaksana")
    for f in w.families:
        session.add(Attendance(meeting_id=held.id, family_id=f.id, status="hadir"))
    session.flush()
    r = web.post(
        f"/kelompok/{w.kelompok.id}/pertemuan",
        data={
            "topic_id": topic_core(session, 3).id,
            "date": days(3).isoformat(),
            "start_time": "09:00",
            "place": "Aula",
        },
    )
    assert r.status_code == 422 and "sudah menyelesaikan sesi" in r.text


def test_plan_the_rest_proposes_one_meeting_a_month(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    start = days(7)
    page = web.get(f"/kelompok/{w.kelompok.id}/rencana?date={start.isoformat()}&start_time=09:00")
    assert page.status_code == 200 and "Simpan 14 pertemuan" in page.text
    r = web.post(
        f"/kelompok/{w.kelompok.id}/rencana", data={"date": start.isoformat(), "start_time": "09:00", "place": "Aula"}
    )
    assert r.status_code == 303
    meetings = session.exec(select(Meeting).where(Meeting.kelompok_id == w.kelompok.id).order_by(Meeting.date)).all()
    assert len(meetings) == 14
    gaps = [(b.date - a.date) for a, b in zip(meetings, meetings[1:], strict=False)]
    assert all(timedelta(days=26) <= g <= timedelta(days=34) for g in gaps)
    assert all(m.date.weekday() < 5 for m in meetings)


def test_tap_with_explicit_status_is_idempotent(web, session):
    """A tap resent after a lost connection sets the same status again instead of skipping a step."""
    w = world_make(session)
    m = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    web.login(w.pendamping.username)
    page = web.get(f"/pertemuan/{m.id}").text
    assert 'name="status" value="hadir"' in page  # an empty mark's button sets hadir
    target = f"kpm-{w.families[0].id}"
    for _ in range(2):
        r = web.post(f"/pertemuan/{m.id}/absensi/{w.families[0].id}", data={"status": "izin"}, htmx_target=target)
        assert "Izin" in r.text and 'name="status" value="sakit"' in r.text
    row = session.exec(select(Attendance).where(Attendance.meeting_id == m.id)).one()
    assert row.status == "izin"
