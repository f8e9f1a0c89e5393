"""Changes sent from a phone's offline queue: a resend with the same client id is a no-op, a mark changed on the
server since the phone saw it is refused with both values shown, and a target status is set as sent."""

from sqlmodel import select

from app.models import Attendance, AttendanceChange, AuditLog
from tests.factories import meeting_make, world_make


def _tap(web, meeting_id: int, family_id: int, **data: str):  # type: ignore[no-untyped-def]
    return web.post(f"/pertemuan/{meeting_id}/absensi/{family_id}", data=data, htmx_target=f"kpm-{family_id}")


def test_resending_a_change_is_a_no_op(web, session):  # type: ignore[no-untyped-def]
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    family = w.families[0]
    web.login(w.pendamping.username)
    first = _tap(web, meeting.id, family.id, status="izin", base="kosong", client_id="phone-1-a")
    assert first.status_code == 200 and 'data-status="izin"' in first.text
    again = _tap(web, meeting.id, family.id, status="izin", base="kosong", client_id="phone-1-a")
    assert again.status_code == 200 and 'data-status="izin"' in again.text
    marks = session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    assert [(m.family_id, m.status) for m in marks] == [(family.id, "izin")]
    audits = session.exec(select(AuditLog).where(AuditLog.entity == "attendance")).all()
    assert len(audits) == 1
    assert session.get(AttendanceChange, "phone-1-a") is not None


def test_a_change_on_a_mark_corrected_meanwhile_is_refused_with_the_server_value(web, session):  # type: ignore[no-untyped-def]
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    family = w.families[0]
    session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status="sakit"))
    session.flush()
    web.login(w.pendamping.username)
    # the phone saw no mark and sets hadir; the server has sakit now
    refused = _tap(web, meeting.id, family.id, status="hadir", base="kosong", client_id="phone-2-a")
    assert refused.status_code == 422
    assert 'data-status="sakit"' in refused.text and "diubah di server" in refused.text
    assert session.exec(select(Attendance.status).where(Attendance.meeting_id == meeting.id)).one() == "sakit"
    # the pendamping keeps their value: sent again with the server's value as the base
    kept = _tap(web, meeting.id, family.id, status="hadir", base="sakit", client_id="phone-2-b")
    assert kept.status_code == 200 and 'data-status="hadir"' in kept.text
    # the same target as the server holds is no conflict
    same = _tap(web, meeting.id, family.id, status="hadir", base="izin", client_id="phone-2-c")
    assert same.status_code == 200


def test_a_plain_form_without_client_id_still_cycles(web, session):  # type: ignore[no-untyped-def]
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    family = w.families[1]
    web.login(w.pendamping.username)
    assert _tap(web, meeting.id, family.id).status_code == 200
    assert _tap(web, meeting.id, family.id).status_code == 200
    assert session.exec(select(Attendance.status).where(Attendance.family_id == family.id)).one() == "izin"
    assert session.exec(select(AttendanceChange)).all() == []


def test_offline_list_names_this_week_roll_pages(web, session):  # type: ignore[no-untyped-def]
    from tests.factories import days

    w = world_make(session)
    today = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    soon = meeting_make(session, kelompok=w.second_kelompok, topic_no=2, day=days(6))
    later = meeting_make(session, kelompok=w.kelompok, topic_no=3, day=days(20))
    other = meeting_make(session, kelompok=w.other_kelompok, topic_no=1, day=w.today)
    web.login(w.pendamping.username)
    pages = web.get("/luring/pertemuan.json").json()["pages"]
    assert pages == [f"/pertemuan/{today.id}", f"/pertemuan/{soon.id}"]
    assert f"/pertemuan/{later.id}" not in pages and f"/pertemuan/{other.id}" not in pages


def test_service_worker_is_served_from_the_root(web) -> None:  # type: ignore[no-untyped-def]
    response = web.get("/sw.js")
    assert response.status_code == 200 and response.headers["service-worker-allowed"] == "/"
    assert response.headers["content-type"].startswith("text/javascript") and "addEventListener" in response.text
