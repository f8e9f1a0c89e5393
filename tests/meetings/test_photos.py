"""Photos of a held meeting: checked by content, size-capped, stored under generated names, served so they cannot run
script; a resend from the phone's queue (same client id) stores nothing twice."""

from sqlmodel import select

from app.meetings.service import PHOTO_MAX_BYTES, photo_path
from app.models import MeetingPhoto
from tests.factories import meeting_make, world_make

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000


def _upload(web, meeting_id: int, data: bytes, name: str = "x.jpg", **fields: str):  # type: ignore[no-untyped-def]
    return web.post(f"/pertemuan/{meeting_id}/foto", data=fields, files={"photo": (name, data, "image/jpeg")})


def test_a_held_meeting_takes_photos_and_the_supervisor_sees_them(web, session, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path)
    w = world_make(session)
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status="terlaksana")
    web.login(w.pendamping.username)
    r = _upload(web, held.id, JPEG, name="../../etc/passwd.html", taken_at="2026-11-30T09:15:00+07:00", client_id="c-1")
    assert r.status_code == 303, r.text[:300]
    again = _upload(web, held.id, JPEG, client_id="c-1")  # a resend from the queue
    assert again.status_code == 303
    assert _upload(web, held.id, PNG).status_code == 303
    photos = session.exec(select(MeetingPhoto).where(MeetingPhoto.meeting_id == held.id)).all()
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png"]
    assert photos[0].taken_at is not None and photos[0].taken_at.hour == 2  # stored in UTC
    assert all(".." not in p.stored_name and "passwd" not in p.stored_name for p in photos)
    assert photo_path(photos[0].stored_name).read_bytes() == JPEG

    web.login(w.supervisor.username)
    page = web.get(f"/pertemuan/{held.id}")
    assert f"/pertemuan/{held.id}/foto/{photos[0].id}" in page.text
    image = web.get(f"/pertemuan/{held.id}/foto/{photos[0].id}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.headers["x-content-type-options"] == "nosniff"
    assert (
        "sandbox" in image.headers["content-security-policy"]
        and "script" not in image.headers["content-security-policy"]
    )
    assert image.headers["content-disposition"].startswith('inline; filename="foto-pertemuan-')
    web.login(w.other_pendamping.username)
    assert web.get(f"/pertemuan/{held.id}/foto/{photos[0].id}").status_code == 404


def test_uploads_are_checked_by_content_size_and_meeting_state(web, session, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path)
    w = world_make(session)
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status="terlaksana")
    scheduled = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=w.today)
    web.login(w.pendamping.username)
    script = _upload(web, held.id, b"<svg onload=alert(1)></svg>" + b" " * 600, name="x.jpg")
    assert script.status_code == 422 and "hanya foto JPG atau PNG" in script.text
    big = _upload(web, held.id, JPEG[:12] + b"\x00" * PHOTO_MAX_BYTES)
    assert big.status_code == 422 and "terlalu besar" in big.text
    early = _upload(web, scheduled.id, JPEG)
    assert early.status_code == 422 and "setelah pertemuan terlaksana" in early.text
    assert session.exec(select(MeetingPhoto)).all() == []
    assert not (tmp_path / "photos").exists() or list((tmp_path / "photos").iterdir()) == []
