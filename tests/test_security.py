"""Cross-cutting security: every unsafe route needs CSRF; every scoped ID of another pendamping answers 404."""

import re
from collections.abc import Iterator

from fastapi.routing import APIRoute
from sqlmodel import select

from app.main import app
from app.models import Attendance, AuditLog, LoginSession, Member
from tests.conftest import text_of
from tests.factories import PASSWORD, meeting_make, world_make

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Routes gated by role before any lookup: another pendamping is refused with 403 by design.
ROLE_GATED_PREFIXES = ("/admin", "/kurikulum/", "/dasbor", "/graduasi/berita-acara")


def all_routes(routes: list[object] | None = None) -> Iterator[APIRoute]:
    for route in routes if routes is not None else app.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from all_routes(route.original_router.routes)  # type: ignore[attr-defined]


def fill(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(ids.get(m.group(1), 1)), path)


def test_every_unsafe_route_refuses_without_csrf(web, session):
    world_make(session)
    web.login(world_make(session).pendamping.username)
    unsafe = [(r, m) for r in all_routes() for m in r.methods if m in UNSAFE]
    assert len(unsafe) >= 10
    for route, method in unsafe:
        response = web.client.request(method, fill(route.path, {}), data={"x": "1"})
        assert response.status_code == 403, (method, route.path, response.status_code)
        assert "Formulir kedaluwarsa" in response.text, route.path
        wrong = web.client.request(method, fill(route.path, {}), data={"csrf_token": "forged"})
        assert wrong.status_code == 403, route.path


def test_every_scoped_route_answers_404_for_another_pendamping(web, session):
    w = world_make(session)
    foreign_meeting = meeting_make(session, kelompok=w.other_kelompok, topic_no=1, day=w.today)
    foreign_member = session.exec(select(Member).where(Member.family_id == w.other_family.id)).first()
    ids = {
        "kelompok_id": w.other_kelompok.id,
        "meeting_id": foreign_meeting.id,
        "family_id": w.other_family.id,
        "member_id": foreign_member.id,
    }
    web.login(w.pendamping.username)
    checked = 0
    for route in all_routes():
        params = set(re.findall(r"\{(\w+)", route.path))
        if not params & set(ids):
            continue
        for method in route.methods:
            url = fill(route.path, ids)
            response = web.client.get(url) if method == "GET" else web.post(url, data={"status": "hadir"})
            expected = {403, 404} if route.path.startswith(ROLE_GATED_PREFIXES) else {404}
            assert response.status_code in expected, (method, route.path, response.status_code)
            checked += 1
    assert checked >= 15
    assert session.exec(select(Attendance).where(Attendance.meeting_id == foreign_meeting.id)).first() is None


def test_supervisor_sees_only_their_area(web, session):
    w = world_make(session)
    web.login(w.supervisor_utara.username)
    assert web.get(f"/kelompok/{w.kelompok.id}").status_code == 404
    assert "Kelompok Mawar" not in web.get("/kelompok").text
    web.login(w.supervisor.username)
    page = web.get(f"/kelompok/{w.kelompok.id}")
    assert page.status_code == 200 and "Kelompok Mawar" in page.text
    # a supervisor reads, but does not take the roll
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
    assert web.post(f"/pertemuan/{meeting.id}/absensi/{w.families[0].id}").status_code == 403


def test_nik_masked_for_supervisor_full_for_own_pendamping(web, session):
    w = world_make(session)
    member = session.exec(select(Member).where(Member.family_id == w.families[0].id)).first()
    member.nik = "3277014505880001"
    session.add(member)
    session.flush()
    web.login(w.pendamping.username)
    assert "3277014505880001" in web.get(f"/kpm/{w.families[0].id}").text
    web.login(w.supervisor.username)
    page = web.get(f"/kpm/{w.families[0].id}").text
    assert "3277014505880001" not in page and "3277••••••••0001" in page


def test_login_logout_session_renewal_and_throttle(web, session):
    w = world_make(session)
    assert web.get("/").status_code == 303  # anonymous → login
    r = web.client.post(
        "/masuk", data={"username": w.pendamping.username, "password": "salah", "csrf_token": web.csrf()}
    )
    assert r.status_code == 422 and "Nama pengguna atau kata sandi salah" in r.text
    assert f'value="{w.pendamping.username}"' in r.text  # what the user typed is kept
    web.login(w.pendamping.username)
    first = web.client.cookies["p2k2_session"]
    web.login(w.pendamping.username)
    assert web.client.cookies["p2k2_session"] != first  # a fresh session at every login
    assert web.get("/").status_code == 200
    open_sessions = len(session.exec(select(LoginSession).where(LoginSession.user_id == w.pendamping.id)).all())
    r = web.post("/keluar")
    assert r.status_code in (204, 303)
    assert web.get("/").status_code == 303
    after = len(session.exec(select(LoginSession).where(LoginSession.user_id == w.pendamping.id)).all())
    assert after == open_sessions - 1  # logout ends this session on the server, not just in the browser
    for _ in range(5):
        web.client.post("/masuk", data={"username": w.supervisor.username, "password": "x", "csrf_token": web.csrf()})
    r = web.client.post(
        "/masuk", data={"username": w.supervisor.username, "password": PASSWORD, "csrf_token": web.csrf()}
    )
    assert r.status_code == 422 and "Terlalu banyak percobaan gagal" in text_of(r.text)


def test_a_hash_made_with_older_argon2_settings_is_remade_at_login(web, session):
    from argon2 import PasswordHasher

    from app.auth.security import password_outdated, password_verify

    w = world_make(session)
    w.pendamping.password_hash = PasswordHasher().hash(PASSWORD)  # the library's default: 64 MiB, 4 lanes
    session.add(w.pendamping)
    session.commit()
    assert password_outdated(w.pendamping.password_hash)
    r = web.client.post(
        "/masuk", data={"username": w.pendamping.username, "password": "salah", "csrf_token": web.csrf()}
    )
    assert r.status_code == 422
    session.refresh(w.pendamping)
    assert password_outdated(w.pendamping.password_hash)  # a wrong password changes nothing
    web.login(w.pendamping.username, PASSWORD)
    session.refresh(w.pendamping)
    assert not password_outdated(w.pendamping.password_hash)
    assert "m=19456,t=2,p=1" in w.pendamping.password_hash
    assert password_verify(w.pendamping.password_hash, PASSWORD)
    assert web.login(w.pendamping.username, PASSWORD).get("/").status_code == 200


def test_session_cookie_flags(web, session):
    w = world_make(session)
    web.csrf()
    r = web.client.post(
        "/masuk", data={"username": w.pendamping.username, "password": PASSWORD, "csrf_token": web.csrf()}
    )
    cookie = r.headers["set-cookie"].lower()
    assert "p2k2_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_open_redirect_refused(web, session):
    w = world_make(session)
    r = web.client.post(
        "/masuk",
        data={
            "username": w.pendamping.username,
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": web.csrf(),
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_output_is_escaped(web, session):
    w = world_make(session)
    w.families[0].head_name = "<script>alert(1)</script>"
    session.add(w.families[0])
    session.flush()
    web.login(w.pendamping.username)
    page = web.get(f"/kelompok/{w.kelompok.id}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_audit_written_for_family_change(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    r = web.post(
        f"/kpm/{w.families[0].id}/ubah",
        data={"head_name": "Ani S.", "kk_number": "3277011201000001", "address": "Jl. Baru"},
    )
    assert r.status_code == 303, text_of(r.text)[:300]
    log = session.exec(select(AuditLog).where(AuditLog.entity == "family")).one()
    assert '"head_name": "Ani Suryani"' in log.before and '"head_name": "Ani S."' in log.after
    assert log.user_id == w.pendamping.id
