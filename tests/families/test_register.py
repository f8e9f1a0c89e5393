"""The KPM register by hand: add a KPM with members, add and end members, transfer, exit; forms round-trip at 422
with Indonesian messages and typed values kept; every change audited; derived counts still equal a recount."""

import re
from datetime import date

from sqlmodel import col, select

from app.attendance.service import attendance_set
from app.check import derived_check
from app.families.rules import date_check, nik_duplicates
from app.identity.rules import nik_make
from app.kelompok.queries import progress_grid
from app.meetings.queries import roll_families
from app.models import AuditLog, Family, FamilyStatus, FamilyTransfer, Member
from tests.conftest import text_of
from tests.factories import days, meeting_make, world_make

KK = "3277011506200001"


def nik(born: date, sex: str, serial: int, kecamatan: str = "32.77.01") -> str:
    return nik_make(kecamatan_code=kecamatan, birth_date=born, sex=sex, serial=serial)


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name}"
    return found.group(1)


def new_family_form(token: str, **changes: str) -> dict[str, str]:
    return {
        "form_token": token,
        "kk_number": KK,
        "programme_id": "",
        "enrolled_on": days(-30).isoformat(),
        "address": "Jl. Melong Asih RT 03",
        "m0_name": "Sítí Ásih",
        "m0_nik": nik(date(1985, 3, 12), "P", 71),
        "m0_birth_date": "1985-03-12",
        "m0_sex": "P",
        "m0_relationship": "istri",
        "m0_schooling": "lulus",
        "m1_name": "Ujang Asih",
        "m1_nik": nik(date(2012, 7, 1), "L", 72),
        "m1_birth_date": "2012-07-01",
        "m1_sex": "L",
        "m1_relationship": "anak",
        "m1_schooling": "smp",
        **changes,
    }


def audits(session, entity: str, action: str) -> list[AuditLog]:
    return list(session.exec(select(AuditLog).where(AuditLog.entity == entity, AuditLog.action == action)).all())


def test_pendamping_adds_a_kpm_with_members(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    page = web.get(f"/kelompok/{w.kelompok.id}/kpm/baru")
    assert page.status_code == 200
    response = web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(hidden(page.text, "form_token")))
    assert response.status_code == 303, text_of(response.text)[:400]
    family = session.exec(select(Family).where(Family.kk_number == KK)).one()
    assert family.kelompok_id == w.kelompok.id and family.village_code == w.kelompok.village_code
    members = session.exec(select(Member).where(Member.family_id == family.id).order_by(col(Member.id))).all()
    assert [m.name for m in members] == ["Sítí Ásih", "Ujang Asih"]
    assert members[0].is_pengurus and members[0].name_key == "siti asih"
    assert family.head_name == "Sítí Ásih"
    assert len(audits(session, "family", "create")) == 1 and len(audits(session, "member", "create")) == 2
    # The new KPM is on its kelompok's progress grid at once.
    assert family.id in {f.id for f, _ in progress_grid(session=session, kelompok_id=w.kelompok.id).rows}


def test_add_kpm_form_round_trips_with_messages_per_field(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    token = hidden(web.get(f"/kelompok/{w.kelompok.id}/kpm/baru").text, "form_token")
    bad = new_family_form(token, m0_nik="3.27701E+15", m1_birth_date="2012-02-31", address="Jl. Dikétik")
    r = web.post(f"/kelompok/{w.kelompok.id}/kpm", data=bad)
    assert r.status_code == 422
    assert "Tanggal tidak valid" in text_of(r.text)
    assert 'value="Jl. Dikétik"' in r.text and 'value="3.27701E+15"' in r.text
    # The NIK rules speak once the dates parse: spreadsheet damage is named.
    r = web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(token, m0_nik="3.27701E+15"))
    assert r.status_code == 422 and "notasi ilmiah" in text_of(r.text)
    assert 'aria-invalid="true" aria-describedby="m0_nik-error"' in r.text
    r = web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(token, kk_number="9999011506200001"))
    assert r.status_code == 422 and "Kode wilayah 99.99.01" in text_of(r.text)
    r = web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(token, m1_nik=bad["m0_nik"].replace(".", "")))
    assert r.status_code == 422
    r = web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(token, m0_name=""))
    assert r.status_code == 422 and "Wajib diisi" in text_of(r.text)
    assert session.exec(select(Family).where(Family.kk_number == KK)).first() is None
    assert audits(session, "family", "create") == []


def test_add_kpm_refuses_a_nik_or_kk_already_registered(web, session):
    w = world_make(session)
    taken = session.exec(select(Member).where(Member.family_id == w.families[0].id)).first()
    assert taken is not None
    taken.nik = nik(date(1985, 3, 12), "P", 71)
    session.add(taken)
    session.commit()
    web.login(w.pendamping.username)
    token = hidden(web.get(f"/kelompok/{w.kelompok.id}/kpm/baru").text, "form_token")
    r = web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(token))
    assert r.status_code == 422 and "NIK ini sudah terdaftar" in text_of(r.text)
    r = web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(token, kk_number=w.families[1].kk_number))
    assert r.status_code == 422 and "No. KK ini sudah terdaftar" in text_of(r.text)
    twice = new_family_form(token, m0_nik=nik(date(1985, 3, 12), "P", 90), m1_nik=nik(date(1985, 3, 12), "P", 90))
    r = web.post(f"/kelompok/{w.kelompok.id}/kpm", data={**twice, "m1_birth_date": "1985-03-12", "m1_sex": "P"})
    assert r.status_code == 422 and "lebih dari sekali" in text_of(r.text)


def test_add_kpm_sent_twice_adds_one_family(web, session):
    w = world_make(session)
    web.login(w.supervisor.username)  # a supervisor of the area may add too
    token = hidden(web.get(f"/kelompok/{w.kelompok.id}/kpm/baru").text, "form_token")
    assert web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(token)).status_code == 303
    assert web.post(f"/kelompok/{w.kelompok.id}/kpm", data=new_family_form(token)).status_code == 303
    assert len(session.exec(select(Family).where(Family.kk_number == KK)).all()) == 1


def test_member_joins_by_birth_and_leaves_by_marriage_history_kept(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    token = hidden(web.get(f"/kpm/{family.id}/anggota/baru").text, "form_token")
    baby = {
        "form_token": token,
        "name": "Dede Bayi",
        "birth_date": days(-10).isoformat(),
        "sex": "L",
        "relationship": "anak",
        "schooling": "belum",
        "join_reason": "lahir",
        "joined_on": days(-20).isoformat(),
    }
    r = web.post(f"/kpm/{family.id}/anggota", data=baby)
    assert r.status_code == 422 and "sebelum tanggal lahir" in text_of(r.text)
    assert 'value="Dede Bayi"' in r.text
    assert web.post(f"/kpm/{family.id}/anggota", data={**baby, "joined_on": days(-10).isoformat()}).status_code == 303
    member = session.exec(select(Member).where(Member.name == "Dede Bayi")).one()
    assert member.join_reason == "lahir" and member.joined_on == days(-10)

    head = session.exec(select(Member).where(Member.family_id == family.id, Member.is_pengurus)).one()
    form = web.get(f"/kpm/{family.id}/anggota/{head.id}/berakhir").text
    end = {"version": hidden(form, "version"), "reason": "", "left_on": days(1).isoformat()}
    r = web.post(f"/kpm/{family.id}/anggota/{head.id}/berakhir", data=end)
    assert r.status_code == 422 and "Pilih alasan" in text_of(r.text)
    r = web.post(f"/kpm/{family.id}/anggota/{head.id}/berakhir", data={**end, "reason": "menikah_keluar"})
    assert r.status_code == 422 and "masa depan" in text_of(r.text)
    ok = {**end, "reason": "menikah_keluar", "left_on": days(-1).isoformat()}
    assert web.post(f"/kpm/{family.id}/anggota/{head.id}/berakhir", data=ok).status_code == 303
    session.refresh(head)
    assert not head.active and head.leave_reason == "menikah_keluar" and head.left_on == days(-1)
    assert session.get(Member, head.id) is not None  # nothing deleted
    assert len(audits(session, "member", "end")) == 1
    page = text_of(web.get(f"/kpm/{family.id}").text)
    assert "Menikah keluar" in page and "Kelahiran" in page
    # Ended once: a second end is refused, not a 500.
    again = web.post(f"/kpm/{family.id}/anggota/{head.id}/berakhir", data={**ok, "version": str(head.version)})
    assert again.status_code == 422 and "sudah berakhir" in text_of(again.text)


def test_transfer_moves_the_family_with_its_history(web, session):
    w = world_make(session)
    family = w.families[0]
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=days(-7), status="terlaksana")
    attendance_set(
        session=session, user=w.pendamping, kelompok=w.kelompok, meeting=held, family_id=family.id or 0,
        today=days(0), status="hadir",
    )  # fmt: skip
    session.commit()
    web.login(w.supervisor.username)
    form = web.get(f"/kpm/{family.id}/pindah")
    assert form.status_code == 200 and "Kelompok Anggrek" in form.text
    data = {
        "version": hidden(form.text, "version"),
        "to_kelompok_id": str(w.other_kelompok.id),
        "transferred_on": days(1).isoformat(),
        "reason": "Pindah RT",
    }
    r = web.post(f"/kpm/{family.id}/pindah", data=data)
    assert r.status_code == 422 and "masa depan" in text_of(r.text) and 'value="Pindah RT"' in r.text
    r = web.post(f"/kpm/{family.id}/pindah", data={**data, "to_kelompok_id": str(w.kelompok.id)})
    assert r.status_code == 422 and "sudah berada" in text_of(r.text)
    r = web.post(f"/kpm/{family.id}/pindah", data={**data, "transferred_on": days(0).isoformat()})
    assert r.status_code == 303, text_of(r.text)[:300]
    session.refresh(family)
    assert family.kelompok_id == w.other_kelompok.id
    move = session.exec(select(FamilyTransfer).where(FamilyTransfer.family_id == family.id)).one()
    assert (move.from_kelompok_id, move.to_kelompok_id, move.user_id) == (
        w.kelompok.id,
        w.other_kelompok.id,
        w.supervisor.id,
    )
    assert len(audits(session, "family", "transfer")) == 1
    # Rolls and counts: the old kelompok's next meeting no longer lists it; the new kelompok's does.
    later_old = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=days(3))
    later_new = meeting_make(session, kelompok=w.other_kelompok, topic_no=2, day=days(3))
    assert family.id not in {f.id for f in roll_families(session=session, meeting=later_old)}
    assert family.id in {f.id for f in roll_families(session=session, meeting=later_new)}
    # The attendance history and progress follow the family.
    grid = progress_grid(session=session, kelompok_id=w.other_kelompok.id)
    assert family.id in {f.id for f, _ in grid.rows}
    assert family.sessions_done != 0
    # Both pendamping see the move: the new one on the family, the old one on their kelompok page.
    web.login(w.other_pendamping.username)
    assert "Pindah RT" in text_of(web.get(f"/kpm/{family.id}").text)
    web.login(w.pendamping.username)
    assert web.get(f"/kpm/{family.id}").status_code == 404
    old_page = text_of(web.get(f"/kelompok/{w.kelompok.id}").text)
    assert "Kelompok Mawar → Kelompok Anggrek" in old_page
    assert all(drift.count == 0 for drift in derived_check(session=session))


def test_pendamping_cannot_move_a_kpm_to_someone_elses_kelompok(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    form = web.get(f"/kpm/{family.id}/pindah").text
    assert "Kelompok Anggrek" not in form and "Kelompok Melati" in form
    data = {"version": "1", "to_kelompok_id": str(w.other_kelompok.id), "transferred_on": days(0).isoformat()}
    r = web.post(f"/kpm/{family.id}/pindah", data=data)
    assert r.status_code == 422 and "Pilih kelompok tujuan" in text_of(r.text)
    session.refresh(family)
    assert family.kelompok_id == w.kelompok.id


def test_exit_from_pkh_keeps_the_family_readable_and_off_the_rolls(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    form = web.get(f"/kpm/{family.id}/keluar").text
    data = {"version": hidden(form, "version"), "reason": "lainnya", "exited_on": days(0).isoformat(), "note": ""}
    r = web.post(f"/kpm/{family.id}/keluar", data=data)
    assert r.status_code == 422 and "Tuliskan alasannya" in text_of(r.text)
    r = web.post(f"/kpm/{family.id}/keluar", data={**data, "reason": "ganda", "exited_on": "1999-01-01"})
    assert r.status_code == 422 and "sebelum tanggal terdaftar" in text_of(r.text)
    assert web.post(f"/kpm/{family.id}/keluar", data={**data, "reason": "ganda"}).status_code == 303
    session.refresh(family)
    assert (family.status, family.exit_reason, family.exited_on) == (FamilyStatus.KELUAR, "ganda", days(0))
    page = web.get(f"/kpm/{family.id}")
    assert page.status_code == 200 and "Data ganda" in text_of(page.text)
    upcoming = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=days(2))
    assert family.id not in {f.id for f in roll_families(session=session, meeting=upcoming)}
    assert family.id not in {f.id for f, _ in progress_grid(session=session, kelompok_id=w.kelompok.id).rows}
    assert len(audits(session, "family", "exit")) == 1
    again = web.post(f"/kpm/{family.id}/keluar", data={**data, "reason": "ganda", "version": str(family.version)})
    assert again.status_code == 422 and "sudah tidak aktif" in text_of(again.text)


def test_rules_are_plain_functions():
    today = date(2026, 11, 30)
    assert date_check(date(2026, 12, 1), today=today) == ["Tanggal tidak boleh di masa depan."]
    assert date_check(date(2020, 1, 1), today=today, not_before=[(date(2021, 1, 1), "tanggal lahir")])
    assert date_check(date(2022, 1, 1), today=today, not_before=[(None, "x"), (date(2021, 1, 1), "y")]) == []
    assert nik_duplicates(["3277014101850001", " 3277014101850001", None, ""]) == [
        "NIK 3277014101850001 tercantum lebih dari sekali."
    ]
