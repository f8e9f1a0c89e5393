"""Dashboard figures against hand-computed ones, drill-down, scoping and the period filter."""

from datetime import date

from sqlmodel import Session

from app.clock import today_local
from app.dashboard.forms import period_default
from app.dashboard.queries import Scope, dashboard_build
from app.models import Area
from app.supervision.service import quality_review_create
from tests.conftest import Browser, text_of
from tests.dashboard.fixtures import fixed_make


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def test_kota_figures_match_hand_count(session: Session) -> None:
    fx = fixed_make(session)
    w = fx.world
    quality_review_create(
        session=session,
        user=w.supervisor,
        meeting=fx.recent,
        marks=dict.fromkeys(("pembukaan", "review", "kegiatan_lk", "tugas_rumah", "waktu", "partisipasi", "materi"), 2),
        notes="",
    )
    quality_review_create(
        session=session,
        user=w.supervisor,
        meeting=fx.older,
        marks=dict.fromkeys(("pembukaan", "review", "kegiatan_lk", "tugas_rumah", "waktu", "partisipasi", "materi"), 1),
        notes="",
    )
    today = today_local()
    scope = Scope(user=w.supervisor, area=session.get(Area, "32.77"), period=period_default(today))
    board = dashboard_build(session=session, scope=scope, today=today)
    card = dashboard_build(session=session, scope=scope, today=today, completion=True)
    assert card.total.kpm == board.total.kpm and card.total.held == board.total.held
    t = board.total
    # Kelompok Mawar, Melati, Anggrek (Cimahi Selatan) and Utara: 4 kelompok, 4 + 1 + 1 + 1 KPM.
    assert (t.kelompok, t.kpm) == (4, 7)
    # Meetings: Mawar ×3 (one cancelled) and Anggrek ×1; three held.
    assert (t.planned, t.held, t.cancelled) == (4, 3, 1)
    # Marks of held meetings: 2 of 4 + 4 of 4 + 1 of 1 = 7 of 9.
    assert (t.present, t.marks) == (7, 9)
    # No meeting in 45 days: Melati and Utara never met; Anggrek last met 80 days ago.
    assert t.overdue == 3
    assert (t.reviews, t.quality) == (2, 75.0)
    by_month = {m.strftime("%Y-%m"): tally for m, tally in board.months}
    recent, older = by_month[month_of(fx.recent.date)], by_month[month_of(fx.older.date)]
    if month_of(fx.recent.date) != month_of(fx.older.date):
        assert (recent.present, recent.marks) == (2, 4)
    assert older.present >= 5
    # Completion: session 1 by Ani, Budi (Mawar) and Fitri (Anggrek); session 2 by all
    # four of Mawar.
    t = card.total
    assert t.kpm == 7
    topic = {tp.no: tp.id for tp in card.topics}
    assert t.topic_done[topic[1]] == 3
    assert t.topic_done[topic[2]] == 4
    assert t.topic_done[topic[3]] == 0
    assert t.completion(t.topic_done[topic[2]]) == 4 / 7
    assert t.all_done == 0
    # Drill-down children of the kota are its kecamatan.
    children = {c.key: c.tally for c in board.children}
    assert set(children) == {"32.77.01", "32.77.03"}
    assert (children["32.77.01"].kpm, children["32.77.01"].held) == (6, 3)
    assert (children["32.77.03"].kpm, children["32.77.03"].held) == (1, 0)
    people = {p.user_id: p.tally for p in board.pendamping}
    p1, p2 = people[w.pendamping.id or 0], people[w.other_pendamping.id or 0]
    assert (p1.kelompok, p1.kpm, p1.held, p1.planned, p1.present, p1.marks) == (2, 5, 2, 3, 6, 8)
    assert (p2.kelompok, p2.kpm, p2.held, p2.present, p2.marks) == (2, 2, 1, 1, 1)
    assert p1.quality == 75.0 and p2.quality is None


def test_dashboard_page_shows_figures_and_drills_down(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    page = web.get("/dasbor")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Kota Cimahi" in text and "Cimahi Selatan" in text
    assert "78 %" in text  # 7 of 9 marks
    assert 'id="completion-card"' in page.text and 'id="module-table"' in page.text  # completion on the page
    assert "57 %" in text_of(page.text.split('id="topic-table"')[1])  # session 2: 4 of 7 KPM
    assert "<svg" in page.text
    kecamatan = web.get("/dasbor?wilayah=32.77.01")
    assert kecamatan.status_code == 200 and "Melong" in kecamatan.text
    kelurahan = web.get("/dasbor?wilayah=32.77.01.1001")
    assert kelurahan.status_code == 200 and "Kelompok Mawar" in kelurahan.text
    full = web.get("/dasbor/penyelesaian?wilayah=32.77")
    assert "<html" in full.text and 'id="module-table"' in full.text  # also a page of its own


def test_lists_behind_numbers(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    overdue = text_of(web.get("/dasbor/kelompok?wilayah=32.77&terlambat=true").text)
    assert "Kelompok Melati" in overdue and "Kelompok Utara" in overdue and "Kelompok Mawar" not in overdue
    held = text_of(web.get(f"/dasbor/pertemuan?wilayah=32.77&status=terlaksana&bulan={month_of(fx.recent.date)}").text)
    assert "Kelompok Mawar" in held
    assert web.get("/supervisi/penilaian?wilayah=32.77").status_code == 200


def test_supervisor_of_another_area_sees_only_their_area(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor_utara.username)
    page = web.get("/dasbor")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Cimahi Utara" in text and "Kelompok Utara" in text
    assert "Cimahi Selatan" not in text and "Mawar" not in text and "Siti Pendamping" not in text
    for url in (
        "/dasbor?wilayah=32.77.01",
        "/dasbor?wilayah=32.77",
        "/dasbor/penyelesaian?wilayah=32.77.01",
        "/dasbor/kelompok?wilayah=32.77.01",
        "/dasbor/pertemuan?wilayah=32.77.01",
        "/supervisi/penilaian?wilayah=32.77.01",
        "/dasbor?wilayah=99.99",
    ):
        assert web.get(url).status_code == 404, url
    listing = text_of(web.get("/dasbor/kelompok").text)
    assert "Kelompok Utara" in listing and "Mawar" not in listing


def test_pendamping_has_no_area_dashboard(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.pendamping.username)
    assert web.get("/dasbor").status_code == 403


def test_period_upside_down_or_too_long_is_refused_in_place(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    upside = web.get("/dasbor?dari=2026-05&sampai=2025-01")
    assert upside.status_code == 422
    assert 'value="2026-05"' in upside.text and 'value="2025-01"' in upside.text
    assert "sebelum bulan awal" in upside.text
    too_long = web.get("/dasbor?dari=2020-01&sampai=2026-01")
    assert too_long.status_code == 422 and "36 bulan" in too_long.text
    garbage = web.get("/dasbor?dari=kemarin")
    assert garbage.status_code == 422 and "Bulan tidak valid" in garbage.text
    assert web.get("/dasbor?dari=2024-02&sampai=2027-01").status_code == 200  # exactly 36 months
