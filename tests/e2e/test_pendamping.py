"""A pendamping on a 360 px phone: log in, schedule a meeting, take the roll, see the grid change."""

import re

from playwright.sync_api import expect
from sqlmodel import Session

from tests.e2e.conftest import login
from tests.factories import PASSWORD, world_make


def test_pendamping_schedules_takes_roll_and_sees_grid(phone, live_server, e2e_engine):
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        session.commit()
    page = phone.new_page()
    login(page, live_server, w.pendamping.username, PASSWORD)
    expect(page.get_by_role("heading", name="Beranda")).to_be_visible()
    expect(page.locator("#my-kelompok")).to_contain_text("Kelompok Mawar")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Kelompok Mawar").first.click()
    expect(page.get_by_role("heading", name="Kelompok Mawar")).to_be_visible()
    expect(page.locator("#progress-grid td[data-state=selesai]")).to_have_count(0)
    page.get_by_role("button", name="Jadwalkan pertemuan").click()
    expect(page.locator("select[name=topic_id] option:checked")).to_contain_text("usulan")
    page.fill("input[name=date]", w.today.isoformat())
    page.fill("input[name=start_time]", "09:00")
    page.fill("input[name=place]", "Aula RW 05")
    page.get_by_role("button", name="Simpan jadwal").click()
    expect(page.get_by_text("Menjadi Orang Tua yang Lebih Baik")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    first = page.locator("li.roll-row").first
    first.locator("button.tap").click()
    expect(page.locator("li.roll-row").first).to_have_class(re.compile(r"\bhadir\b"))
    expect(page.locator("li.roll-row").first.get_by_role("status")).to_contain_text("Tersimpan")
    page.locator("li.roll-row").first.locator("button.tap").click()
    expect(page.locator("li.roll-row").first).to_have_class(re.compile(r"\bizin\b"))
    expect(page.locator("#roll-counts")).to_contain_text("Izin 1")

    page.get_by_role("button", name="Semua hadir").click()  # fills the unmarked rows; the izin mark stays
    expect(page.locator("#all-present-notice")).to_contain_text("3 KPM ditandai hadir; 1 yang sudah bertanda")
    expect(page.locator("li.roll-row.hadir")).to_have_count(3)
    expect(page.locator("#roll-counts")).to_contain_text("Hadir 3")
    page.get_by_role("button", name="Tandai pertemuan terlaksana").click()
    expect(page.locator("#meeting-status")).to_have_text("Terlaksana")
    # shown at once, then confirmed by the server: leave the page only once it is stored
    expect(page.locator("#meeting-status")).not_to_have_class(re.compile(r"\bpending\b"), timeout=15_000)

    page.get_by_role("link", name="Kelompok Mawar").first.click()
    expect(page.locator("#progress-grid td[data-state=selesai]")).to_have_count(3)


def test_bad_input_keeps_what_was_typed(phone, live_server, e2e_engine):
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        session.commit()
    page = phone.new_page()
    login(page, live_server, w.pendamping.username, PASSWORD)
    page.goto(f"{live_server}/kelompok/{w.kelompok.id}/pertemuan/baru")
    page.fill("input[name=date]", "2019-01-01")
    page.fill("input[name=place]", "Balai Warga")
    page.get_by_role("button", name="Simpan jadwal").click()
    expect(page.locator("#date-error")).to_contain_text("lebih dari 90 hari")
    expect(page.locator("input[name=place]")).to_have_value("Balai Warga")


def test_tap_without_signal_is_sent_when_back_online(phone, live_server, e2e_engine):
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        from tests.factories import meeting_make

        meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
        session.commit()
    page = phone.new_page()
    login(page, live_server, w.pendamping.username, PASSWORD)
    page.goto(f"{live_server}/pertemuan/{meeting.id}")
    phone.set_offline(True)
    page.locator("li.roll-row").first.locator("button.tap").click()
    expect(page.locator("li.roll-row").first).to_have_class(re.compile(r"\bpending\b"))
    expect(page.locator("li.roll-row").first.locator(".pending-note")).to_be_visible()
    phone.set_offline(False)
    expect(page.locator("li.roll-row").first).to_have_class(re.compile(r"\bhadir\b"), timeout=15000)
    expect(page.locator("#roll-counts")).to_contain_text("Hadir 1")
