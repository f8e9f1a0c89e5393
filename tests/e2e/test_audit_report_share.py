"""In chromium: the audit trail behind a roll-call mark, the monthly report printed to PDF (one A4 page per
kelompok) and downloaded by the supervisor, and "Bagikan" on a held meeting (share sheet, else clipboard)."""

import re

from playwright.sync_api import expect
from sqlmodel import Session

from app.attendance.service import attendance_summaries_refresh
from app.models import Attendance, MeetingPhoto
from tests.factories import family_make, meeting_make, world_make

A4_POINTS = (595, 842)


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points, read from its /MediaBox (Chromium writes one per page object)."""
    boxes = re.findall(
        rb"/Type\s*/Page\b(?!s).*?/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf, re.S
    )
    if not boxes:  # MediaBox written before /Type
        boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def held_month_make(session: Session):  # type: ignore[no-untyped-def]
    """Kelompok Mawar grown to 30 KPM, held this month with photos; Melati held nothing."""
    w = world_make(session)
    families = list(w.families) + [
        family_make(session, kelompok=w.kelompok, head_name=f"Ibu Peserta Nomor {n:02d} Binti Fulan") for n in range(26)
    ]
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=5, day=w.today.replace(day=1), status="terlaksana")
    for i, family in enumerate(families):
        session.add(
            Attendance(
                meeting_id=meeting.id or 0,
                family_id=family.id or 0,
                status="alpa" if i % 7 == 3 else "hadir",
                recorded_by_id=w.pendamping.id,
            )
        )
    for n in range(3):
        session.add(
            MeetingPhoto(meeting_id=meeting.id or 0, stored_name=f"{n}" * 64, content_type="image/jpeg", size=1)
        )
    session.flush()
    attendance_summaries_refresh(session=session, meeting_ids=[meeting.id or 0])
    session.commit()
    return w, meeting, families


def test_monthly_report_prints_one_a4_page_per_kelompok_and_supervisor_downloads_it(phones, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    with Session(e2e_engine, expire_on_commit=False) as session:
        w, meeting, families = held_month_make(session)
    month = meeting.date.strftime("%Y-%m")
    page = phones(w.pendamping.username).new_page()
    page.goto(f"{live_server}/laporan/bulanan?bulan={month}")
    expect(page.locator("article.report-page")).to_have_count(2)
    mawar = page.locator("article.report-page").first
    expect(mawar).to_contain_text("Kelompok Mawar")
    expect(mawar.locator("table.roll-report tbody tr")).to_have_count(30)
    expect(mawar.locator("table.meetings")).to_contain_text("26/30")
    expect(mawar.locator(".photos img")).to_have_count(3)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    sizes = pdf_pages(pdf)
    assert len(sizes) == 2, sizes
    assert all(abs(w_ - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w_, h in sizes), sizes

    supervisor = phones(w.supervisor.username).new_page()
    supervisor.goto(f"{live_server}/laporan/bulanan")
    supervisor.get_by_label("Pendamping").select_option(value=str(w.pendamping.id))
    supervisor.get_by_label("Bulan").fill(month)
    supervisor.get_by_role("button", name="Tampilkan").click()
    expect(supervisor.locator("article.report-page")).to_have_count(2)
    # NIK column shown masked to the supervisor (the demo KPM have none: a dash either way, never a full number)
    with supervisor.expect_download() as download:
        supervisor.get_by_role("link", name="Unduh XLSX").click()
    assert download.value.suggested_filename == f"laporan-p2k2-{w.pendamping.id}-{month}.xlsx"


def test_mark_history_from_the_roll(phones, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        meeting = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=w.today)
        session.commit()
    ani = w.families[0]
    page = phones(w.pendamping.username).new_page()
    page.goto(f"{live_server}/pertemuan/{meeting.id}")
    row = page.locator(f"#kpm-{ani.id}")
    row.locator("button.tap").click()
    expect(row).to_have_class(re.compile(r"\bhadir\b"))
    row.locator("button.tap").click()
    expect(row).to_have_class(re.compile(r"\bizin\b"))
    expect(row.locator(".mark-note")).to_contain_text(f"dicatat {w.pendamping.full_name}")
    row.get_by_role("link", name="Riwayat").click()
    expect(page.get_by_role("heading", name=re.compile("Riwayat perubahan"))).to_be_visible()
    first = page.locator("li.trail-entry").first
    expect(first).to_contain_text("Diubah")
    expect(first.locator("table.changes tr", has_text="Kehadiran")).to_contain_text("Hadir")
    expect(first.locator("table.changes tr", has_text="Kehadiran")).to_contain_text("Izin")
    expect(page.locator("li.trail-entry")).to_have_count(2)


def _held(session: Session):  # type: ignore[no-untyped-def]
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status="terlaksana")
    for i, family in enumerate(w.families):
        session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status="hadir" if i else "sakit"))
    session.flush()
    attendance_summaries_refresh(session=session, meeting_ids=[meeting.id or 0])
    session.commit()
    return w, meeting


def test_share_a_held_meeting_by_share_sheet_or_clipboard(phones, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    with Session(e2e_engine, expire_on_commit=False) as session:
        w, meeting = _held(session)
    context = phones(w.pendamping.username)
    page = context.new_page()
    page.add_init_script("navigator.share = function (data) { window.__shared = data; return Promise.resolve(); };")
    page.goto(f"{live_server}/pertemuan/{meeting.id}")
    page.get_by_role("button", name="Bagikan").click()
    page.wait_for_function("window.__shared !== undefined")
    shared = page.evaluate("window.__shared")
    assert shared["text"].startswith("P2K2 Kelompok Mawar · Sesi 1 · ")
    assert shared["text"].endswith("hadir 3/4"), shared

    # No Web Share API (a desktop browser): the summary goes to the clipboard and the page says so.
    plain = phones(w.pendamping.username)
    plain.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = plain.new_page()
    page.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
    page.goto(f"{live_server}/pertemuan/{meeting.id}")
    assert page.evaluate("typeof navigator.share") == "undefined"
    page.get_by_role("button", name="Bagikan").click()
    expect(page.locator(".share-status")).to_contain_text("Ringkasan disalin")
    assert page.evaluate("navigator.clipboard.readText()").endswith("hadir 3/4")
