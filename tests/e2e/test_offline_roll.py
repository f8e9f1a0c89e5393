"""The roll call in a hall with no signal, in chromium at 360 px: the page opens from the phone's cache, every
change is queued in IndexedDB and survives a reload and a closed tab, then is stored exactly once; a change the
server refuses (the month was locked meanwhile) is shown with both values until the pendamping chooses."""

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.models import Attendance, AttendanceChange, AuditLog, Meeting, MonthLock
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, World, meeting_make, world_make

CACHED_JS = """path => caches.open('p2k2-pages').then(c => c.match(path, {ignoreVary: true})).then(r => !!r)"""


def _world(e2e_engine) -> tuple[World, int]:  # type: ignore[no-untyped-def]
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
        session.commit()
    return w, meeting.id or 0


def _open_and_keep(page: Page, url: str, path: str) -> None:
    """Open the roll page online and wait until the service worker runs and the page is kept for no signal."""
    page.goto(url)
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(CACHED_JS, arg=path)


def _row(page: Page, n: int):  # type: ignore[no-untyped-def]
    return page.locator("li.roll-row").nth(n)


def test_whole_roll_offline_survives_reload_and_closed_tab_then_stored_once(phone, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    w, meeting_id = _world(e2e_engine)
    sign_in(phone, live_server, w.pendamping.username, PASSWORD)
    path = f"/pertemuan/{meeting_id}"
    page = phone.new_page()
    _open_and_keep(page, live_server + path, path)

    phone.set_offline(True)
    page.reload()
    expect(page.locator("#offline-bar")).to_be_visible()
    expect(page.locator("#offline-bar")).to_contain_text("offline")
    expect(page.locator("li.roll-row")).to_have_count(4)

    # every row cycles offline as online: 1 tap hadir, 2 izin, 3 sakit, 4 alpa
    wanted = ["hadir", "izin", "sakit", "alpa"]
    for n, status in enumerate(wanted):
        for _ in range(n + 1):
            _row(page, n).locator("button.tap").click()
        expect(_row(page, n)).to_have_class(re.compile(rf"\b{status}\b.*\bpending\b"))
    expect(page.locator("#roll-counts")).to_contain_text("Alpa 1")
    expect(page.locator("#offline-bar")).to_contain_text("4 perubahan menunggu")
    page.get_by_role("button", name="Tandai pertemuan terlaksana").click()
    expect(page.locator("#meeting-status")).to_have_text("Terlaksana")
    expect(page.locator("#offline-bar")).to_contain_text("5 perubahan menunggu")

    page.reload()  # still no signal: the page and the queue come back from the phone
    for n, status in enumerate(wanted):
        expect(_row(page, n)).to_have_class(re.compile(rf"\b{status}\b.*\bpending\b"))
    expect(page.locator("#offline-bar")).to_contain_text("5 perubahan menunggu")
    page.close(run_before_unload=False)

    phone.set_offline(False)
    page = phone.new_page()
    page.goto(live_server + path)
    expect(page.locator("#offline-bar")).to_be_hidden(timeout=15_000)
    for n, status in enumerate(wanted):
        expect(_row(page, n)).to_have_class(re.compile(rf"^roll-row {status}$"))

    with Session(e2e_engine) as session:
        marks = session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
        assert sorted((m.family_id, m.status) for m in marks) == sorted(
            (f.id, s) for f, s in zip(w.families, wanted, strict=True)
        )
        ids = [str(m.id) for m in marks]
        audits = session.exec(select(AuditLog).where(AuditLog.entity == "attendance")).all()
        assert sorted(a.entity_id for a in audits if a.entity_id in ids) == sorted(ids)  # each stored once
        assert len(session.exec(select(AttendanceChange).where(AttendanceChange.meeting_id == meeting_id)).all()) == 4
        assert session.get(Meeting, meeting_id).status == "terlaksana"  # type: ignore[union-attr]


def test_month_locked_while_offline_is_shown_with_both_values_and_resolved(phones, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    w, meeting_id = _world(e2e_engine)
    phone = phones(w.pendamping.username)
    path = f"/pertemuan/{meeting_id}"
    page = phone.new_page()
    _open_and_keep(page, live_server + path, path)

    phone.set_offline(True)
    _row(page, 0).locator("button.tap").click()
    expect(_row(page, 0)).to_have_class(re.compile(r"\bhadir\b.*\bpending\b"))
    with Session(e2e_engine) as session:  # meanwhile the supervisor verifies and locks the month
        session.add(
            MonthLock(kelompok_id=w.kelompok.id or 0, month=w.today.replace(day=1), verified_by_id=w.supervisor.id)
        )
        session.commit()

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    conflict = _row(page, 0).locator(".conflict-box")
    expect(conflict).to_contain_text("dikunci")
    expect(conflict).to_contain_text("Di server: belum diisi · Di ponsel: Hadir")
    expect(_row(page, 0)).to_have_class("roll-row kosong conflict")  # the button shows the server's value
    expect(page.locator("#offline-bar")).to_contain_text("1 perubahan menunggu")

    page.reload()  # the refusal is kept until the pendamping chooses
    expect(_row(page, 0).locator(".conflict-box")).to_contain_text("Di ponsel: Hadir")
    _row(page, 0).get_by_role("button", name=re.compile("Pakai yang di server")).click()
    expect(_row(page, 0).locator(".conflict-box")).to_have_count(0)
    expect(_row(page, 0)).to_have_class("roll-row kosong")  # the server's value: no mark, the month is locked
    expect(page.locator("#offline-bar")).to_be_hidden()
    with Session(e2e_engine) as session:
        assert session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all() == []


def test_a_quick_double_tap_online_advances_twice(phones, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    w, meeting_id = _world(e2e_engine)
    page = phones(w.pendamping.username).new_page()
    page.goto(f"{live_server}/pertemuan/{meeting_id}")
    page.evaluate("() => { const b = document.querySelector('li.roll-row button.tap'); b.click(); b.click(); }")
    expect(_row(page, 0)).to_have_class("roll-row izin", timeout=10_000)
    expect(_row(page, 0).get_by_role("status")).to_contain_text("Tersimpan")
    with Session(e2e_engine) as session:
        marks = session.exec(select(Attendance).where(Attendance.meeting_id == meeting_id)).all()
        assert [(m.family_id, m.status) for m in marks] == [(w.families[0].id, "izin")]


def _big_png(width: int = 2400, height: int = 1800) -> bytes:
    """A camera-sized PNG (a few MB) with enough detail that a plain JPEG of it is well over 200 KB."""
    import random
    import struct
    import zlib

    rng = random.Random(12)
    noise = bytes(rng.randrange(256) for _ in range(width * 3))
    rows = b"".join(b"\x00" + noise[(y * 7) % 97 :] + noise[: (y * 7) % 97] for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b"")


def test_a_photo_taken_offline_is_shrunk_queued_and_uploaded_later(phone, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    from app.meetings.service import photo_path
    from app.models import MeetingPhoto

    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status="terlaksana")
        session.commit()
    sign_in(phone, live_server, w.pendamping.username, PASSWORD)
    path = f"/pertemuan/{held.id}"
    page = phone.new_page()
    _open_and_keep(page, live_server + path, path)
    picture = _big_png()
    assert len(picture) > 1_000_000

    phone.set_offline(True)
    page.reload()
    page.locator("#photo-form input[type=file]").set_input_files(
        files=[{"name": "IMG_0001.png", "mimeType": "image/png", "buffer": picture}]
    )
    page.get_by_role("button", name="Unggah foto").click()
    expect(page.locator("#photos li.pending img")).to_have_count(1, timeout=15_000)
    expect(page.locator("#offline-bar")).to_contain_text("1 perubahan menunggu")
    page.close(run_before_unload=False)

    phone.set_offline(False)
    page = phone.new_page()
    page.goto(live_server + path)
    # The bar starts hidden until the queue has been read: wait for the upload itself (at most 20 s).
    photos: list[MeetingPhoto] = []
    for _ in range(80):
        with Session(e2e_engine) as session:
            photos = list(session.exec(select(MeetingPhoto).where(MeetingPhoto.meeting_id == held.id)).all())
        if photos:
            break
        page.wait_for_timeout(250)
    expect(page.locator("#offline-bar")).to_be_hidden(timeout=15_000)
    expect(page.locator("#photos li.pending")).to_have_count(0)
    assert len(photos) == 1 and photos[0].content_type == "image/jpeg" and photos[0].taken_at is not None
    stored = photo_path(photos[0].stored_name)
    # the server wrote it under the upload folder the live server was given; the size is what the phone sent
    assert photos[0].size <= 200_000, photos[0].size
    page.reload()
    expect(page.locator("#photos img")).to_have_count(1)
    assert stored.name.endswith(".jpg")
