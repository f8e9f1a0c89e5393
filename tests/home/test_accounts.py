"""Accounts: a user changes their own password; an admin edits a user; deactivating a pendamping hands over."""

import json

from sqlmodel import Session, select

from app.auth.security import password_verify
from app.models import AuditLog, Kelompok, LoginSession, User
from tests.conftest import Browser, text_of
from tests.factories import PASSWORD, user_make, world_make

NEW = "sandi-baru-2026"


def test_password_change_needs_the_current_password_and_ends_other_sessions(web: Browser, session: Session) -> None:
    w = world_make(session)
    session.add(
        LoginSession(
            token="elsewhere", user_id=w.pendamping.id or 0, expires_at=w.pendamping.created_at.replace(year=2999)
        )
    )
    session.commit()
    web.login(w.pendamping.username)
    assert web.get("/akun/sandi").status_code == 200
    r = web.post("/akun/sandi", data={"current_password": "salah", "new_password": NEW, "confirm_password": NEW})
    assert r.status_code == 422 and "Kata sandi sekarang salah." in text_of(r.text)
    assert NEW not in r.text and 'salah"' not in r.text  # never echoed
    r = web.post(
        "/akun/sandi", data={"current_password": PASSWORD, "new_password": "pendek", "confirm_password": "pendek"}
    )
    assert r.status_code == 422 and "Kata sandi minimal 8 karakter." in text_of(r.text)
    r = web.post("/akun/sandi", data={"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW + "x"})
    assert r.status_code == 422 and "Ulangi kata sandi baru" in text_of(r.text)
    part = web.post(
        "/akun/sandi",
        data={"current_password": PASSWORD, "new_password": NEW, "confirm_password": ""},
        htmx_target="password-form",
    )
    assert part.status_code == 422 and "<h1>" not in part.text and 'id="password-form"' in part.text
    session.expire_all()
    assert password_verify(session.get(User, w.pendamping.id).password_hash, PASSWORD)  # type: ignore[union-attr]
    r = web.post("/akun/sandi", data={"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW})
    assert r.status_code == 303
    session.expire_all()
    assert password_verify(session.get(User, w.pendamping.id).password_hash, NEW)  # type: ignore[union-attr]
    tokens = session.exec(select(LoginSession.token).where(LoginSession.user_id == w.pendamping.id)).all()
    assert "elsewhere" not in tokens and len(tokens) == 1  # this browser stays signed in
    assert web.get("/akun/sandi?tersimpan=1").status_code == 200
    audit = session.exec(select(AuditLog).where(AuditLog.action == "password_change")).one()
    assert "password_hash" not in (audit.after or "") and NEW not in (audit.after or "")
    web.login(w.pendamping.username, NEW)


def test_admin_edits_name_role_and_area(web: Browser, session: Session) -> None:
    w = world_make(session)
    target = user_make(session, role="supervisor", area_code="32.77.03", full_name="Sup Lama")
    session.commit()
    web.login(w.admin.username)
    form = web.get(f"/admin/pengguna/{target.id}/ubah")
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    r = web.post(
        f"/admin/pengguna/{target.id}/ubah", data={"full_name": "", "role": "peninjau", "area_code": "", "version": "1"}
    )
    assert r.status_code == 422
    assert "Wajib diisi." in text_of(r.text)
    r = web.post(
        f"/admin/pengguna/{target.id}/ubah",
        data={"full_name": "Sup Baru", "role": "peninjau", "area_code": "", "version": "1"},
    )
    assert r.status_code == 422 and "Wilayah wajib diisi untuk peran ini." in text_of(r.text) and "Sup Baru" in r.text
    r = web.post(
        f"/admin/pengguna/{target.id}/ubah",
        data={"full_name": "Sup Baru", "role": "peninjau", "area_code": "32.77", "version": "1"},
    )
    assert r.status_code == 303
    session.refresh(target)
    assert (target.full_name, target.role, target.area_code, target.version) == ("Sup Baru", "peninjau", "32.77", 2)
    audit = session.exec(select(AuditLog).where(AuditLog.action == "update", AuditLog.entity == "user")).one()
    assert (
        json.loads(audit.before or "{}")["role"] == "supervisor"
        and json.loads(audit.after or "{}")["role"] == "peninjau"
    )
    # the same stale form again is refused, nothing overwritten
    r = web.post(
        f"/admin/pengguna/{target.id}/ubah",
        data={"full_name": "Tertimpa", "role": "supervisor", "area_code": "32.77", "version": "1"},
    )
    assert r.status_code == 422 and "baru saja diubah oleh admin lain" in text_of(r.text)
    session.refresh(target)
    assert target.full_name == "Sup Baru"
    # a pendamping who holds kelompok keeps the role until they are moved
    r = web.post(
        f"/admin/pengguna/{w.pendamping.id}/ubah",
        data={"full_name": "Siti", "role": "supervisor", "area_code": "32.77", "version": "1"},
    )
    assert r.status_code == 422 and "masih memegang kelompok" in text_of(r.text)
    r = web.post(
        f"/admin/pengguna/{w.admin.id}/ubah",
        data={"full_name": "A", "role": "peninjau", "area_code": "32.77", "version": "1"},
    )
    assert r.status_code == 422 and "peran akun Anda sendiri" in text_of(r.text)
    web.login(w.supervisor.username)
    assert web.get(f"/admin/pengguna/{target.id}/ubah").status_code == 403


def test_deactivating_a_pendamping_with_kelompok_asks_where_they_go(web: Browser, session: Session) -> None:
    w = world_make(session)
    web.login(w.admin.username)
    r = web.post(f"/admin/pengguna/{w.pendamping.id}/aktif", data={"aktif": "0"})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/admin/pengguna/{w.pendamping.id}/nonaktifkan")
    session.refresh(w.pendamping)
    assert w.pendamping.is_active
    page = text_of(web.get(f"/admin/pengguna/{w.pendamping.id}/nonaktifkan").text)
    assert "Kelompok Mawar" in page and "Kelompok Melati" in page and "Dede Pendamping" in page
    r = web.post(f"/admin/pengguna/{w.pendamping.id}/nonaktifkan", data={"successor_id": ""})
    assert r.status_code == 422 and "Pilih pendamping pengganti." in text_of(r.text)
    r = web.post(f"/admin/pengguna/{w.pendamping.id}/nonaktifkan", data={"successor_id": str(w.supervisor.id)})
    assert r.status_code == 422 and "Pilih pendamping lain yang aktif." in text_of(r.text)
    r = web.post(f"/admin/pengguna/{w.pendamping.id}/nonaktifkan", data={"successor_id": str(w.other_pendamping.id)})
    assert r.status_code == 303
    session.expire_all()
    assert not session.get(User, w.pendamping.id).is_active  # type: ignore[union-attr]
    held = session.exec(select(Kelompok.name).where(Kelompok.pendamping_id == w.other_pendamping.id)).all()
    assert set(held) == {"Kelompok Mawar", "Kelompok Melati", "Kelompok Anggrek"}
    moves = session.exec(select(AuditLog).where(AuditLog.action == "assign_pendamping")).all()
    assert len(moves) == 2
    assert session.exec(select(LoginSession).where(LoginSession.user_id == w.pendamping.id)).first() is None
