"""The audit trail of a family, a member, a meeting and a mark: readable, scoped, paged, masked."""

from datetime import date, timedelta

from sqlmodel import Session, select

from app.audit import audit_record
from app.identity.rules import nik_make
from app.models import Attendance, CorrectionRequest, Member
from tests.conftest import Browser, text_of
from tests.dashboard.fixtures import fixed_make
from tests.factories import meeting_make, world_make


def test_family_and_member_trail_read_in_indonesian_with_nik_masked(session: Session, web: Browser) -> None:
    w = world_make(session)
    ani = w.families[0]
    nik = nik_make(kecamatan_code="32.77.01", birth_date=date(1950, 3, 2), sex="L", serial=7)
    web.login(w.pendamping.username)
    edited = web.post(
        f"/kpm/{ani.id}/ubah",
        data={"head_name": "Ani Suryani Putri", "kk_number": ani.kk_number, "address": "Jl. Baru 5", "version": "1"},
    )
    assert edited.status_code == 303, edited.text[:800]
    added = web.post(
        f"/kpm/{ani.id}/anggota",
        data={
            "name": "Engkos",
            "nik": nik,
            "birth_date": "1950-03-02",
            "sex": "L",
            "relationship": "orang_tua",
            "schooling": "tidak",
            "form_token": "t-1",
        },
    )
    assert added.status_code == 303, added.text[:800]
    member = session.exec(select(Member).where(Member.name == "Engkos")).one()

    page = web.get(f"/kpm/{ani.id}/riwayat")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Riwayat perubahan" in text and "Siti Pendamping" in text
    assert "Nama kepala keluarga Ani Suryani Ani Suryani Putri" in text
    assert "Alamat Jl. Melong RT 01/RW 02 Jl. Baru 5" in text
    # Codes are labels, not raw values; no JSON.
    assert "Hubungan – Orang tua" in text and "Sekolah – Tidak sekolah" in text and "Jenis kelamin – Laki-laki" in text
    assert "orang_tua" not in text and "{" not in text
    assert nik not in page.text and nik[:4] + "••••••••" + nik[-4:] in text

    # The member's own trail; the supervisor of the area reads it, masked; the other pendamping does not.
    web.login(w.supervisor.username)
    own = text_of(web.get(f"/kpm/{ani.id}/anggota/{member.id}/riwayat").text)
    assert "Engkos" in own and nik not in own and "Dibuat" in own
    web.login(w.other_pendamping.username)
    assert web.get(f"/kpm/{ani.id}/riwayat").status_code == 404
    assert web.get(f"/kpm/{ani.id}/anggota/{member.id}/riwayat").status_code == 404
    web.login(w.supervisor_utara.username)
    assert web.get(f"/kpm/{ani.id}/riwayat").status_code == 404
    # A member of another family through this family's URL is not found.
    web.login(w.pendamping.username)
    assert web.get(f"/kpm/{w.families[1].id}/anggota/{member.id}/riwayat").status_code == 404


def test_family_trail_in_english(session: Session, web: Browser) -> None:
    w = world_make(session)
    ani = w.families[0]
    web.login(w.pendamping.username)
    web.post(
        f"/kpm/{ani.id}/ubah", data={"head_name": "Ani S.", "kk_number": ani.kk_number, "address": "", "version": "1"}
    )
    web.post("/bahasa", data={"lang": "en", "next": "/"})
    text = text_of(web.get(f"/kpm/{ani.id}/riwayat").text)
    assert "Change history" in text and "Head of family" in text and "Changed" in text
    assert "Nama kepala keluarga" not in text


def test_meeting_and_mark_trails_show_who_when_before_after(session: Session, web: Browser) -> None:
    w = world_make(session)
    ani = w.families[0]
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=3, day=w.today)
    session.commit()
    web.login(w.pendamping.username)
    url = f"/pertemuan/{meeting.id}/absensi/{ani.id}"
    assert web.post(url, data={"status": "hadir"}, htmx_target=f"kpm-{ani.id}").status_code == 200
    assert web.post(url, data={"status": "alpa"}, htmx_target=f"kpm-{ani.id}").status_code == 200
    moved = web.post(
        f"/pertemuan/{meeting.id}/ubah",
        data={
            "date": (w.today + timedelta(days=1)).isoformat(),
            "start_time": "10:00",
            "place": "Balai RW",
            "reason": "Hujan",
            "version": str(meeting.version),
        },
    )
    assert moved.status_code == 303, moved.text[:800]
    mark_text = text_of(web.get(f"/pertemuan/{meeting.id}/absensi/{ani.id}/riwayat").text)
    assert "Tanda kehadiran" in mark_text and "Kehadiran Hadir Alpa" in mark_text and "Siti Pendamping" in mark_text
    meeting_text = text_of(web.get(f"/pertemuan/{meeting.id}/riwayat").text)
    assert "Pertemuan" in meeting_text
    assert (
        "Dijadwal ulang" in meeting_text
        and "Tempat Aula Balai RW" in meeting_text
        and "Jam mulai 09:00 10:00" in meeting_text
    )
    # No mark and no correction for this KPM on that meeting: nothing to show.
    assert web.get(f"/pertemuan/{meeting.id}/absensi/{w.other_family.id}/riwayat").status_code == 404
    web.login(w.other_pendamping.username)
    assert web.get(f"/pertemuan/{meeting.id}/riwayat").status_code == 404
    assert web.get(f"/pertemuan/{meeting.id}/absensi/{ani.id}/riwayat").status_code == 404


def test_trail_is_paged(session: Session, web: Browser) -> None:
    w = world_make(session)
    ani = w.families[0]
    for n in range(35):
        audit_record(
            session=session,
            user=w.pendamping,
            entity="family",
            entity_id=ani.id,
            action="update",
            before={"address": f"Jl. {n}"},
            after={"address": f"Jl. {n + 1}"},
        )
    session.commit()
    web.login(w.pendamping.username)
    first = web.get(f"/kpm/{ani.id}/riwayat")
    assert first.text.count('class="trail-entry"') == 30 and "halaman=2" in first.text
    second = web.get(f"/kpm/{ani.id}/riwayat?halaman=2")
    assert second.text.count('class="trail-entry"') == 5 and "halaman=1" in second.text
    assert web.get(f"/kpm/{ani.id}/riwayat?halaman=abc").status_code == 404


def test_roll_shows_recorder_and_a_correction_keeps_the_original(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    w = fx.world
    dewi = w.families[3]
    session.commit()
    web.login(w.pendamping.username)
    # Marks taken through the roll carry who and when.
    today = meeting_make(session, kelompok=w.kelompok, topic_no=4, day=w.today)
    session.commit()
    web.post(f"/pertemuan/{today.id}/absensi/{dewi.id}", data={"status": "sakit"}, htmx_target=f"kpm-{dewi.id}")
    roll = text_of(web.get(f"/pertemuan/{today.id}").text)
    assert "dicatat Siti Pendamping" in roll
    # Lock the older month, ask for a correction, accept it: the original stays beside the corrected value.
    web.login(w.supervisor.username)
    assert (
        web.post(f"/kelompok/{w.kelompok.id}/kunci", data={"bulan": fx.older.date.strftime("%Y-%m")}).status_code == 303
    )
    web.login(w.pendamping.username)
    asked = web.post(
        f"/pertemuan/{fx.older.id}/koreksi",
        data={"family_id": str(dewi.id), "requested_status": "sakit", "reason": "Salah ketuk"},
    )
    assert asked.status_code == 303
    request = session.exec(select(CorrectionRequest)).one()
    assert request.original_status == "hadir"
    web.login(w.supervisor.username)
    assert web.post(f"/koreksi/{request.id}/keputusan", data={"keputusan": "terima"}).status_code == 303
    mark = session.exec(
        select(Attendance).where(Attendance.meeting_id == fx.older.id, Attendance.family_id == dewi.id)
    ).one()
    session.refresh(mark)
    assert mark.status == "sakit" and mark.corrected_from == "hadir"
    roll = text_of(web.get(f"/pertemuan/{fx.older.id}").text)
    assert "Semula Hadir → Sakit (dikoreksi)" in roll
    assert f"dicatat {w.supervisor.full_name}" in roll
    family = text_of(web.get(f"/kpm/{dewi.id}").text)
    assert "Sakit Semula Hadir (dikoreksi)" in family
    trail = text_of(web.get(f"/pertemuan/{fx.older.id}/absensi/{dewi.id}/riwayat").text)
    assert "Dikoreksi supervisor" in trail and "Koreksi diterima" in trail and "Kehadiran Hadir Sakit" in trail
