"""Quality review, verify and lock, correction request accepted or refused — in the browser, audited."""

import json

from sqlmodel import Session, col, select

from app.clock import today_local
from app.models import Attendance, AuditLog, CorrectionRequest, MonthLock
from tests.conftest import Browser, text_of
from tests.dashboard.fixtures import fixed_make

MARKS = {"pembukaan": 2, "review": 2, "kegiatan_lk": 1, "tugas_rumah": 2, "waktu": 1, "partisipasi": 2, "materi": 2}


def test_quality_review_filled_by_supervisor_shown_to_pendamping(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    page = web.get(f"/pertemuan/{fx.recent.id}")
    assert "Isi penilaian kualitas" in page.text
    missing = web.post(f"/pertemuan/{fx.recent.id}/penilaian", data={"pembukaan": "2", "notes": "Bagus"})
    assert missing.status_code == 422 and 'value="2" checked' in missing.text and "Bagus" in missing.text
    saved = web.post(f"/pertemuan/{fx.recent.id}/penilaian", data={**MARKS, "notes": "Peserta aktif"})
    assert saved.status_code == 303
    web.login(fx.world.pendamping.username)
    text = text_of(web.get(f"/pertemuan/{fx.recent.id}").text)
    assert "Skor 86/100" in text and "Peserta aktif" in text
    assert "Isi penilaian kualitas" not in text
    assert web.get(f"/pertemuan/{fx.recent.id}/penilaian/baru").status_code == 403
    audit = session.exec(select(AuditLog).where(AuditLog.entity == "qualityreview")).all()
    assert len(audit) == 1 and json.loads(audit[0].after or "{}")["score"] == 86


def _lock(web: Browser, fx: object) -> None:
    kelompok = fx.world.kelompok  # type: ignore[attr-defined]
    month = fx.older.date.strftime("%Y-%m")  # type: ignore[attr-defined]
    response = web.post(f"/kelompok/{kelompok.id}/kunci", data={"bulan": month})
    assert response.status_code == 303, response.text[:500]


def test_lock_then_correction_accepted(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    w = fx.world
    dewi = w.families[3]
    web.login(w.supervisor.username)
    _lock(web, fx)
    assert session.exec(select(MonthLock).where(MonthLock.kelompok_id == w.kelompok.id)).one()
    again = web.post(f"/kelompok/{w.kelompok.id}/kunci", data={"bulan": fx.older.date.strftime("%Y-%m")})
    assert again.status_code == 422 and "sudah diverifikasi" in again.text
    # The pendamping's tap on the locked month is refused; the mark stays.
    web.login(w.pendamping.username)
    tap = web.post(f"/pertemuan/{fx.older.id}/absensi/{dewi.id}", htmx_target=f"kpm-{dewi.id}")
    assert tap.status_code == 422
    mark = session.exec(
        select(Attendance).where(Attendance.meeting_id == fx.older.id, Attendance.family_id == dewi.id)
    ).one()
    assert mark.status == "hadir"
    page = web.get(f"/pertemuan/{fx.older.id}")
    assert "Ajukan koreksi" in page.text
    no_reason = web.post(
        f"/pertemuan/{fx.older.id}/koreksi", data={"family_id": str(dewi.id), "requested_status": "sakit", "reason": ""}
    )
    assert no_reason.status_code == 422 and 'id="correction-form"' in no_reason.text
    asked = web.post(
        f"/pertemuan/{fx.older.id}/koreksi",
        data={"family_id": str(dewi.id), "requested_status": "sakit", "reason": "Salah ketuk, Bu Dewi sakit"},
    )
    assert asked.status_code == 303
    request = session.exec(select(CorrectionRequest)).one()
    assert request.status == "menunggu"
    # The supervisor accepts: the mark changes despite the lock, with before/after in the audit log.
    web.login(w.supervisor.username)
    listing = text_of(web.get("/supervisi/koreksi").text)
    assert "Dewi Lestari" in listing and "Salah ketuk" in listing
    decided = web.post(f"/koreksi/{request.id}/keputusan", data={"keputusan": "terima", "decision_note": ""})
    assert decided.status_code == 303
    session.refresh(mark)
    session.refresh(request)
    assert mark.status == "sakit" and request.status == "diterima" and request.decided_by_id == w.supervisor.id
    change = session.exec(
        select(AuditLog).where(AuditLog.entity == "attendance", AuditLog.action == "correction")
    ).one()
    assert json.loads(change.before or "{}")["status"] == "hadir"
    assert json.loads(change.after or "{}")["status"] == "sakit"
    actions = set(
        session.exec(select(AuditLog.action).where(col(AuditLog.entity).in_(["monthlock", "correctionrequest"]))).all()
    )
    assert {"verify_lock", "create", "accept"} <= actions
    twice = web.post(f"/koreksi/{request.id}/keputusan", data={"keputusan": "terima"})
    assert twice.status_code == 422


def test_correction_refused_keeps_the_mark(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    w = fx.world
    ani = w.families[0]
    web.login(w.supervisor.username)
    _lock(web, fx)
    web.login(w.pendamping.username)
    asked = web.post(
        f"/pertemuan/{fx.older.id}/koreksi",
        data={"family_id": str(ani.id), "requested_status": "alpa", "reason": "Tidak datang"},
    )
    assert asked.status_code == 303
    request = session.exec(select(CorrectionRequest)).one()
    # Another pendamping cannot see the meeting, let alone ask.
    web.login(w.other_pendamping.username)
    assert (
        web.post(
            f"/pertemuan/{fx.older.id}/koreksi",
            data={"family_id": str(ani.id), "requested_status": "izin", "reason": "x"},
        ).status_code
        == 404
    )
    web.login(w.supervisor_utara.username)
    assert web.post(f"/koreksi/{request.id}/keputusan", data={"keputusan": "terima"}).status_code == 404
    web.login(w.supervisor.username)
    no_note = web.post(f"/koreksi/{request.id}/keputusan", data={"keputusan": "tolak", "decision_note": ""})
    assert no_note.status_code == 422 and "alasan penolakan" in no_note.text
    refused = web.post(
        f"/koreksi/{request.id}/keputusan",
        data={"keputusan": "tolak", "decision_note": "Foto absensi menunjukkan hadir"},
    )
    assert refused.status_code == 303
    session.refresh(request)
    assert request.status == "ditolak"
    mark = session.exec(
        select(Attendance).where(Attendance.meeting_id == fx.older.id, Attendance.family_id == ani.id)
    ).one()
    assert mark.status == "hadir"
    web.login(w.pendamping.username)
    assert "Foto absensi menunjukkan hadir" in web.get(f"/pertemuan/{fx.older.id}").text


def test_unfinished_month_and_open_meetings_cannot_be_locked(session: Session, web: Browser) -> None:

    from tests.factories import meeting_make

    fx = fixed_make(session)
    w = fx.world
    web.login(w.supervisor.username)
    this_month = web.post(f"/kelompok/{w.kelompok.id}/kunci", data={"bulan": today_local().strftime("%Y-%m")})
    assert this_month.status_code == 422
    meeting_make(session, kelompok=w.kelompok, topic_no=4, day=fx.older.date)
    open_meeting = web.post(f"/kelompok/{w.kelompok.id}/kunci", data={"bulan": fx.older.date.strftime("%Y-%m")})
    assert open_meeting.status_code == 422 and "dijadwalkan" in open_meeting.text
    web.login(w.pendamping.username)
    assert (
        web.post(f"/kelompok/{w.kelompok.id}/kunci", data={"bulan": fx.older.date.strftime("%Y-%m")}).status_code == 403
    )
