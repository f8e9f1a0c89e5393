"""Admin: user accounts — create, list, filter, deactivate, reset a password; only admins get in."""

import json

import pytest
from sqlmodel import select

from app.auth.security import password_verify
from app.models import AuditLog, LoginSession, Role, User
from tests.conftest import text_of
from tests.factories import PASSWORD, kelompok_make, world_make

ADMIN_GETS = ["/admin/pengguna", "/admin/kelompok"]


def test_admin_creates_user_who_appears_in_list(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    page = web.get("/admin/pengguna")
    assert page.status_code == 200
    assert 'id="user-form"' in page.text and "Cimahi Selatan (32.77.01)" in page.text
    response = web.post(
        "/admin/pengguna",
        data={
            "username": "Pendamping_Baru",
            "full_name": "Rina Marlina",
            "role": "pendamping",
            "area_code": "32.77.01",
            "password": "sandiBaru99",
        },
    )
    assert response.status_code == 303, text_of(response.text)[:400]
    listing = web.get(response.headers["location"])
    text = text_of(listing.text)
    assert "Pengguna pendamping_baru telah dibuat." in text
    assert "pendamping_baru Rina Marlina Pendamping Cimahi Selatan 32.77.01 Aktif" in text
    created = session.exec(select(User).where(User.username == "pendamping_baru")).one()
    assert created.role == Role.PENDAMPING and password_verify(created.password_hash, "sandiBaru99")
    audit = session.exec(select(AuditLog).where(AuditLog.entity == "user", AuditLog.entity_id == str(created.id))).one()
    assert audit.user_id == w.admin.id and "password_hash" not in (audit.after or "")
    # the new pendamping can sign in
    web.login("pendamping_baru", "sandiBaru99")


def test_duplicate_username_keeps_values_at_422(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    response = web.post(
        "/admin/pengguna",
        data={
            "username": w.pendamping.username,
            "full_name": "Nama Ketik Ulang",
            "role": "supervisor",
            "area_code": "32.77.02",
            "password": "rahasiaSekali",
        },
    )
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Nama pengguna sudah dipakai." in text
    assert f'value="{w.pendamping.username}"' in response.text and 'value="Nama Ketik Ulang"' in response.text
    assert '<option value="supervisor" selected>' in response.text
    assert '<option value="32.77.02" selected>' in response.text
    assert "rahasiaSekali" not in response.text
    assert session.exec(select(User).where(User.full_name == "Nama Ketik Ulang")).first() is None


def test_htmx_create_error_answers_with_the_form_only(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    response = web.post(
        "/admin/pengguna",
        htmx_target="user-form",
        data={
            "username": "orang.baru",
            "full_name": "Orang Baru",
            "role": "supervisor",
            "area_code": "",
            "password": "pendek",
        },
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<form method="post"') and 'id="user-form"' in response.text
    assert "Wilayah wajib diisi untuk peran ini." in text_of(response.text)
    response = web.post(
        "/admin/pengguna",
        htmx_target="user-form",
        data={
            "username": "orang.baru",
            "full_name": "Orang Baru",
            "role": "pendamping",
            "area_code": "99.99",
            "password": "cukupPanjang",
        },
    )
    assert response.status_code == 422 and "Kode wilayah 99.99 tidak dikenal." in text_of(response.text)
    response = web.post(
        "/admin/pengguna",
        htmx_target="user-form",
        data={
            "username": "orang.baru",
            "full_name": "Orang Baru",
            "role": "pendamping",
            "area_code": "32.77",
            "password": "pendek",
        },
    )
    assert response.status_code == 422 and "Kata sandi minimal 8 karakter." in text_of(response.text)
    response = web.post(
        "/admin/pengguna",
        htmx_target="user-form",
        data={
            "username": "orang.baru",
            "full_name": "Orang Baru",
            "role": "pendamping",
            "area_code": "32.77",
            "password": "cukupPanjang",
        },
    )
    assert response.status_code == 204 and "dibuat=orang.baru" in response.headers["HX-Location"]


def test_filter_by_role_and_search(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    text = text_of(web.get("/admin/pengguna", params={"peran": "supervisor"}).text)
    assert w.supervisor.username in text and w.pendamping.username not in text
    page = web.get("/admin/pengguna", params={"q": "siti"}, headers={"HX-Request": "true", "HX-Target": "users-table"})
    assert page.status_code == 200 and "<h1>" not in page.text
    assert "Siti Pendamping" in page.text and "Dede Pendamping" not in page.text


def test_deactivate_and_reactivate_user(web, session):
    w = world_make(session)
    for kelompok in (w.kelompok, w.second_kelompok):  # one holding kelompok is asked for a successor instead
        kelompok.pendamping_id = w.other_pendamping.id
        session.add(kelompok)
    session.add(
        LoginSession(
            token="t-" + w.pendamping.username,
            user_id=w.pendamping.id,
            expires_at=w.pendamping.created_at.replace(year=2999),
        )
    )
    session.flush()
    web.login(w.admin.username)
    response = web.post(
        f"/admin/pengguna/{w.pendamping.id}/aktif", data={"aktif": "0"}, htmx_target=f"user-{w.pendamping.id}"
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="user-{w.pendamping.id}"')
    assert "Nonaktif" in text_of(response.text) and "Aktifkan" in text_of(response.text)
    session.refresh(w.pendamping)
    assert w.pendamping.is_active is False
    assert session.exec(select(LoginSession).where(LoginSession.user_id == w.pendamping.id)).first() is None
    audit = session.exec(select(AuditLog).where(AuditLog.action == "deactivate")).one()
    assert json.loads(audit.before or "{}") == {"is_active": True}
    # a deactivated user can no longer sign in
    other = web.client.post(
        "/masuk", data={"username": w.pendamping.username, "password": PASSWORD, "csrf_token": web.csrf()}
    )
    assert other.status_code == 422
    web.login(w.admin.username)
    response = web.post(f"/admin/pengguna/{w.pendamping.id}/aktif", data={"aktif": "1"})
    assert response.status_code == 303
    session.refresh(w.pendamping)
    assert w.pendamping.is_active is True


def test_admin_cannot_deactivate_self(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    response = web.post(f"/admin/pengguna/{w.admin.id}/aktif", data={"aktif": "0"})
    assert response.status_code == 422
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in text_of(response.text)
    session.refresh(w.admin)
    assert w.admin.is_active is True
    assert web.post("/admin/pengguna/999999/aktif", data={"aktif": "0"}).status_code == 404
    assert web.post("/admin/pengguna/999999/sandi", data={"password": "rahasia1234"}).status_code == 404


def test_password_reset_is_audited_without_the_hash(web, session):
    w = world_make(session)
    web.login(w.admin.username)
    short = web.post(
        f"/admin/pengguna/{w.pendamping.id}/sandi", data={"password": "1234567"}, htmx_target=f"user-{w.pendamping.id}"
    )
    assert short.status_code == 422 and "Kata sandi minimal 8 karakter." in text_of(short.text)
    old_hash = w.pendamping.password_hash
    response = web.post(
        f"/admin/pengguna/{w.pendamping.id}/sandi",
        data={"password": "sandiBaru123"},
        htmx_target=f"user-{w.pendamping.id}",
    )
    assert response.status_code == 200 and "Kata sandi telah diganti." in text_of(response.text)
    session.refresh(w.pendamping)
    assert password_verify(w.pendamping.password_hash, "sandiBaru123")
    audit = session.exec(select(AuditLog).where(AuditLog.action == "password_reset")).one()
    assert audit.user_id == w.admin.id and audit.entity_id == str(w.pendamping.id)
    assert old_hash not in (audit.after or "") and w.pendamping.password_hash not in (audit.after or "")
    assert "argon2" not in (audit.before or "") + (audit.after or "")
    web.login(w.pendamping.username, "sandiBaru123")


@pytest.mark.parametrize("who", ["pendamping", "supervisor", "peninjau"])
def test_non_admins_get_403_everywhere(web, session, who):
    w = world_make(session)
    kelompok = kelompok_make(session, pendamping=None, name="Kelompok Tanpa Pendamping")
    web.login(getattr(w, who).username)
    for url in ADMIN_GETS:
        response = web.get(url)
        assert response.status_code == 403, url
        assert "Peran Anda tidak berwenang melakukan tindakan ini." in text_of(response.text)
    posts = {
        "/admin/pengguna": {
            "username": "penyusup",
            "full_name": "X",
            "role": "admin",
            "area_code": "",
            "password": "rahasia1234",
        },
        f"/admin/pengguna/{w.admin.id}/aktif": {"aktif": "0"},
        f"/admin/pengguna/{w.admin.id}/sandi": {"password": "rahasia1234"},
        "/admin/kelompok": {
            "name": "Kelompok Liar",
            "village_code": "32.77.01.1001",
            "pendamping_id": "",
            "default_place": "",
        },
        f"/admin/kelompok/{kelompok.id}/pendamping": {"pendamping_id": str(getattr(w, who).id)},
    }
    for url, data in posts.items():
        response = web.post(url, data=data)
        assert response.status_code == 403, url
    session.refresh(w.admin)
    session.refresh(kelompok)
    assert w.admin.is_active and kelompok.pendamping_id is None
    assert session.exec(select(User).where(User.username == "penyusup")).first() is None
    assert session.exec(select(AuditLog).where(AuditLog.user_id == getattr(w, who).id)).first() is None
