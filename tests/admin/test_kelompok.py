"""Admin: kelompok — list with pendamping and KPM counts, assign a pendamping, create a kelompok."""

import json

from sqlmodel import select

from app.models import AuditLog, Kelompok
from tests.conftest import text_of
from tests.factories import family_make, kelompok_make, user_make, world_make


def test_list_shows_kelompok_with_pendamping_and_kpm(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    page = web.get("/admin/kelompok")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Kelompok Mawar Melong Cimahi Selatan 4" in text
    assert 'class="table-wrap"' in page.text
    row = page.text.split(f'id="kelompok-{w.kelompok.id}"')[1].split("</tr>")[0]
    assert f'<option value="{w.pendamping.id}" selected>' in row
    page = web.get(
        "/admin/kelompok", params={"q": "anggrek"}, headers={"HX-Request": "true", "HX-Target": "kelompok-table"}
    )
    assert "<h1>" not in page.text and "Kelompok Anggrek" in page.text and "Kelompok Mawar" not in page.text


def test_assign_pendamping_changes_kelompok_and_audits(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    target = f"kelompok-{w.kelompok.id}"
    response = web.post(
        f"/admin/kelompok/{w.kelompok.id}/pendamping",
        data={"pendamping_id": str(w.other_pendamping.id)},
        htmx_target=target,
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="{target}"') and "Tersimpan." in response.text
    assert f'<option value="{w.other_pendamping.id}" selected>' in response.text
    session.refresh(w.kelompok)
    assert w.kelompok.pendamping_id == w.other_pendamping.id
    audit = session.exec(
        select(AuditLog).where(AuditLog.entity == "kelompok", AuditLog.entity_id == str(w.kelompok.id))
    ).one()
    assert audit.user_id == w.admin.id and audit.action == "assign_pendamping"
    assert json.loads(audit.before or "{}")["pendamping_id"] == w.pendamping.id
    assert json.loads(audit.after or "{}")["pendamping_id"] == w.other_pendamping.id
    # the new pendamping now sees the kelompok, the old one no longer does
    web.login(w.other_pendamping.username)
    assert web.get(f"/kelompok/{w.kelompok.id}").status_code == 200
    web.login(w.pendamping.username)
    assert web.get(f"/kelompok/{w.kelompok.id}").status_code == 404


def test_assign_without_js_redirects_back_to_the_same_page(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    response = web.post(
        f"/admin/kelompok/{w.kelompok.id}/pendamping?q=mawar&halaman=1",
        data={"pendamping_id": str(w.other_pendamping.id)},
    )
    assert response.status_code == 303 and response.headers["location"].endswith("/admin/kelompok?q=mawar&halaman=1")


def test_assign_refuses_non_pendamping_and_inactive(web, session):
    w = world_make(session)
    retired = user_make(session, full_name="Pendamping Pensiun")
    retired.is_active = False
    session.add(retired)
    session.flush()
    web.login(w.admin.username)
    page = web.get("/admin/kelompok").text
    assert "Pendamping Pensiun" not in page and w.supervisor.full_name not in page
    for bad in (w.supervisor.id, retired.id, 999999):
        response = web.post(
            f"/admin/kelompok/{w.kelompok.id}/pendamping",
            data={"pendamping_id": str(bad)},
            htmx_target=f"kelompok-{w.kelompok.id}",
        )
        assert response.status_code == 422 and "Pilih pendamping yang aktif." in text_of(response.text)
    session.refresh(w.kelompok)
    assert w.kelompok.pendamping_id == w.pendamping.id
    assert web.post("/admin/kelompok/999999/pendamping", data={"pendamping_id": ""}).status_code == 404


def test_create_kelompok(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    page = web.get("/admin/kelompok")
    assert "Baros (32.77.02.1001)" in page.text
    response = web.post(
        "/admin/kelompok",
        data={
            "name": "Kelompok Kenanga",
            "village_code": "32.77.02.1001",
            "pendamping_id": str(w.other_pendamping.id),
            "default_place": "Balai RW 03",
        },
    )
    assert response.status_code == 303, text_of(response.text)[:400]
    created = session.exec(select(Kelompok).where(Kelompok.name == "Kelompok Kenanga")).one()
    assert (created.village_code, created.pendamping_id, created.default_place) == (
        "32.77.02.1001",
        w.other_pendamping.id,
        "Balai RW 03",
    )
    listing = text_of(web.get(response.headers["location"]).text)
    assert "Kelompok Kelompok Kenanga telah dibuat." in listing and "Kelompok Kenanga Baros Cimahi Tengah 0" in listing
    audit = session.exec(select(AuditLog).where(AuditLog.entity == "kelompok", AuditLog.action == "create")).one()
    assert audit.entity_id == str(created.id)


def test_create_kelompok_errors_round_trip(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    response = web.post(
        "/admin/kelompok",
        data={
            "name": "",
            "village_code": "32.77.01.1002",
            "pendamping_id": str(w.pendamping.id),
            "default_place": "Rumah Bu RT",
        },
    )
    assert response.status_code == 422
    assert "Wajib diisi." in text_of(response.text)
    assert '<option value="32.77.01.1002" selected>' in response.text and 'value="Rumah Bu RT"' in response.text
    # a kecamatan is not a kelurahan
    response = web.post(
        "/admin/kelompok",
        htmx_target="kelompok-form",
        data={"name": "Kelompok Salah", "village_code": "32.77.01", "pendamping_id": "", "default_place": ""},
    )
    assert response.status_code == 422 and "Pilih kelurahan/desa yang dikenal." in text_of(response.text)
    assert response.text.lstrip().startswith("<form") and 'value="Kelompok Salah"' in response.text


def test_admin_with_area_only_creates_inside_it(web, session):
    w = world_make(session)
    w.admin.area_code = "32.77.03"
    session.add(w.admin)
    session.flush()
    family_make(session, kelompok=kelompok_make(session, pendamping=None, village_code="32.77.03.1001"))
    web.login(w.admin.username)
    page = web.get("/admin/kelompok").text
    form = page.split('id="kelompok-form"')[1]
    assert "Pasirkaliki (32.77.03.1001)" in form and "Melong" not in form
    response = web.post(
        "/admin/kelompok",
        data={"name": "Kelompok Jauh", "village_code": "32.77.01.1001", "pendamping_id": "", "default_place": ""},
    )
    assert response.status_code == 422 and "Kelurahan/desa ini di luar wilayah Anda." in text_of(response.text)
