"""Personal data: every view of full NIK / No. KK and every export is logged and listed for admins; the audit log
never stores a full NIK or No. KK but still shows that it changed."""

import json
from datetime import timedelta

from sqlmodel import col, select

from app.audit import audit_record, values_mask
from app.families.forms import FamilyInput
from app.families.service import family_update
from app.models import AccessLog, AuditLog
from tests.conftest import text_of
from tests.dashboard.fixtures import fixed_make
from tests.factories import world_make


def logs(session, **where: object) -> list[AccessLog]:
    query = select(AccessLog).order_by(col(AccessLog.id))
    for key, value in where.items():
        query = query.where(getattr(AccessLog, key) == value)
    return list(session.exec(query).all())


def test_full_nik_views_are_logged_masked_views_are_not(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)  # the family's own pendamping sees the full numbers
    assert family.kk_number in web.get(f"/kpm/{family.id}").text
    web.get(f"/kpm/{family.id}/ubah")
    views = logs(session, action="nik_view")
    assert [(v.user_id, v.entity, v.entity_id) for v in views] == [
        (w.pendamping.id, "family", str(family.id)),
        (w.pendamping.id, "family", str(family.id)),
    ]
    web.login(w.supervisor.username)  # a supervisor sees them masked: nothing to log
    page = web.get(f"/kpm/{family.id}").text
    assert family.kk_number not in page and family.kk_number[-4:] in page
    assert len(logs(session, action="nik_view")) == 2


def test_exports_prints_and_document_downloads_are_logged(web, session):
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    month = fx.recent.date.strftime("%Y-%m")
    urls = [
        f"/ekspor/absensi.csv?wilayah=32.77&bulan={month}",
        f"/ekspor/absensi.xlsx?wilayah=32.77&bulan={month}",
        "/ekspor/penyelesaian.csv?wilayah=32.77",
        "/ekspor/dasbor.xlsx?wilayah=32.77",
        "/graduasi/kandidat.xlsx",
        f"/pertemuan/{fx.recent.id}/cetak",
        "/graduasi/berita-acara",
    ]
    for url in urls:
        assert web.get(url).status_code == 200, url
    entries = logs(session, user_id=fx.world.supervisor.id)
    assert [e.action for e in entries] == ["export"] * 5 + ["print"] * 2
    assert entries[0].detail == f"/ekspor/absensi.csv?wilayah=32.77&bulan={month}"
    assert entries[-1].entity == "berita_acara"


def test_admin_lists_the_access_log_with_filters_and_pages(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    for _ in range(3):
        web.get(f"/kpm/{family.id}")
    web.login(w.admin.username)
    web.get(f"/kpm/{family.id}")  # the admin's own view is logged too
    assert "Log akses" in web.get("/admin/pengguna").text  # linked from the admin navigation
    page = web.get(f"/admin/akses?pengguna={w.pendamping.username}&aksi=nik_view")
    assert page.status_code == 200
    assert page.text.count(f'href="http://testserver/kpm/{family.id}"') == 3  # the pendamping's three, not the admin's
    assert text_of(page.text).count(w.pendamping.full_name) == 3
    today = w.today.isoformat()
    assert page.text.count("Lihat NIK/No. KK") >= 3
    empty = web.get(f"/admin/akses?aksi=export&dari={today}&sampai={today}")
    assert "Belum ada akses yang cocok" in empty.text
    later = (w.today + timedelta(days=1)).isoformat()
    assert "Belum ada akses yang cocok" in web.get(f"/admin/akses?dari={later}").text
    # Pages of 50.
    for _ in range(51):
        session.add(AccessLog(user_id=w.admin.id, action="export", entity="export", detail="/ekspor/x"))
    session.flush()
    first = web.get("/admin/akses?aksi=export")
    assert first.text.count("/ekspor/x") == 50 and "halaman=2" in first.text
    assert web.get("/admin/akses?aksi=export&halaman=2").text.count("/ekspor/x") == 1
    # Bad filters answer a message, not a 500; other roles are refused.
    assert web.get("/admin/akses?dari=9999-12-31").status_code == 422
    assert web.get("/admin/akses?halaman=99999999999999999999").status_code == 404  # beyond any page: app.params
    assert web.get("/admin/akses?dari=kemarin").status_code == 422
    assert web.get("/admin/akses?halaman=²").status_code == 200
    web.login(w.supervisor.username)
    assert web.get("/admin/akses").status_code == 403


def test_audit_values_mask_nik_and_kk_but_show_they_changed(web, session):
    w = world_make(session)
    family = w.families[0]
    old_kk = family.kk_number
    new_kk = old_kk[:7] + ("3" if old_kk[7] != "3" else "4") + old_kk[8:]  # same first and last four digits
    family_update(
        session=session,
        user=w.pendamping,
        kelompok=w.kelompok,
        family=family,
        data=FamilyInput(head_name=family.head_name, kk_number=new_kk, address=family.address),
        version=1,
    )
    row = session.exec(select(AuditLog).where(AuditLog.entity == "family")).one()
    assert old_kk not in (row.before or "") and new_kk not in (row.after or "")
    before, after = json.loads(row.before or "{}"), json.loads(row.after or "{}")
    assert before["kk_number"] == old_kk[:4] + "••••••••" + old_kk[-4:]
    assert after["masked_changed"] == ["kk_number"]
    # NIK of a member, and any 16-digit number anywhere in a value.
    audit_record(
        session=session,
        user=w.admin,
        entity="member",
        entity_id=1,
        action="update",
        before={"nik": "3277014509880002", "note": "KK 3277011201000001 lama"},
        after={"nik": "3277015509880002", "note": "no 16 digits: 12345"},
    )
    session.flush()
    last = session.exec(select(AuditLog).order_by(col(AuditLog.id).desc())).first()
    assert (
        last is not None
        and "3277014509880002" not in (last.before or "")
        and "3277011201000001" not in (last.before or "")
    )
    masked = json.loads(last.after or "{}")
    assert masked["nik"] == "3277••••••••0002" and masked["note"] == "no 16 digits: 12345"
    assert masked["masked_changed"] == ["nik"]
    assert json.loads(last.before or "{}")["note"] == "KK 3277••••••••0001 lama"


def test_values_mask_leaves_unchanged_numbers_unflagged():
    before, after = values_mask({"nik": "3277014509880002", "name": "A"}, {"nik": "3277014509880002", "name": "B"})
    assert after == {"nik": "3277••••••••0002", "name": "B"} and before == {"nik": "3277••••••••0002", "name": "A"}
    assert values_mask(None, {"kk_number": ""}) == (None, {"kk_number": ""})


def test_users_are_not_logged_for_pages_without_full_numbers(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    web.get(f"/kelompok/{w.kelompok.id}")
    assert logs(session) == []
