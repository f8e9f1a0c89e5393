"""The monthly P2K2 report of a pendamping: per kelompok, printable and as XLSX, scoped, NIK masked."""

import io

from openpyxl import load_workbook
from sqlmodel import Session, select

from app.clock import today_local
from app.identity.rules import nik_make
from app.models import AccessLog, MeetingPhoto, Member
from tests.conftest import Browser, text_of
from tests.dashboard.fixtures import fixed_make


def _nik(session: Session, family_id: int) -> str:
    member = session.exec(select(Member).where(Member.family_id == family_id)).one()
    member.nik = nik_make(kecamatan_code="32.77.01", birth_date=member.birth_date, sex=member.sex, serial=1)
    session.add(member)
    session.flush()
    return member.nik


def test_pendamping_report_of_a_month(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    w = fx.world
    nik = _nik(session, w.families[0].id or 0)
    session.add(MeetingPhoto(meeting_id=fx.recent.id or 0, stored_name="a" * 64, content_type="image/jpeg", size=10))
    session.commit()
    month = fx.recent.date.strftime("%Y-%m")
    web.login(w.pendamping.username)
    page = web.get(f"/laporan/bulanan?bulan={month}")
    assert page.status_code == 200
    assert page.text.count('class="report-page"') == 2  # Mawar and Melati
    text = text_of(page.text)
    assert "Kelompok Mawar" in text and "Kelompok Melati" in text and "Siti Pendamping" in text
    assert "Sesi 1" in text and "Aula" in text and "2/4" in text  # Ani, Budi hadir of four
    assert nik in text  # the family's own pendamping sees the NIK
    assert f"/pertemuan/{fx.recent.id}/foto/" in page.text
    assert "Tidak ada pertemuan terlaksana pada bulan ini." in text  # Melati held nothing
    # Another pendamping's id in the URL is ignored: a pendamping reads only their own report.
    other = web.get(f"/laporan/bulanan?bulan={month}&pendamping={w.other_pendamping.id}")
    assert "Kelompok Anggrek" not in other.text and "Kelompok Mawar" in other.text
    xlsx = web.get(f"/laporan/bulanan.xlsx?bulan={month}")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Kelompok Mawar", "Kelompok Melati"]
    rows = [[c for c in r if c is not None] for r in book["Kelompok Mawar"].iter_rows(values_only=True)]
    assert rows[0][:4] == ["No", "Nama KPM (pengurus)", "NIK", "ID PKH"]
    assert [1, "Ani Suryani", nik] == rows[1][:3] and rows[1][-1] == "Hadir"
    assert any("Pertemuan" in r and "Hadir 2/4" in r for r in rows)
    logged = session.exec(select(AccessLog.action).where(AccessLog.entity == "report")).all()
    assert sorted(logged) == ["export", "print", "print"]


def test_supervisor_reads_any_pendamping_in_scope_with_nik_masked(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    w = fx.world
    nik = _nik(session, w.families[0].id or 0)
    session.commit()
    month = fx.older.date.strftime("%Y-%m")
    web.login(w.supervisor.username)
    form = web.get("/laporan/bulanan")
    assert form.status_code == 200 and w.pendamping.full_name in form.text and "report-page" not in form.text
    page = web.get(f"/laporan/bulanan?bulan={month}&pendamping={w.pendamping.id}")
    text = text_of(page.text)
    assert "Kelompok Mawar" in text and "4/4" in text
    assert nik not in page.text and nik[:4] + "••••••••" + nik[-4:] in text
    xlsx = web.get(f"/laporan/bulanan.xlsx?bulan={month}&pendamping={w.pendamping.id}")
    cells = [c for r in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in r]
    assert nik not in cells
    # Out of scope, unknown, not a pendamping, or a bad month.
    web.login(w.supervisor_utara.username)
    assert web.get(f"/laporan/bulanan?bulan={month}&pendamping={w.pendamping.id}").status_code == 404
    assert web.get(f"/laporan/bulanan.xlsx?bulan={month}&pendamping={w.pendamping.id}").status_code == 404
    web.login(w.supervisor.username)
    assert web.get(f"/laporan/bulanan?pendamping={w.supervisor.id}").status_code == 404
    assert web.get("/laporan/bulanan?pendamping=99999999").status_code == 404
    bad = web.get(f"/laporan/bulanan?pendamping={w.pendamping.id}&bulan=2026-13")
    assert bad.status_code == 422 and "Bulan tidak valid" in bad.text and 'value="2026-13"' in bad.text
    assert web.get("/laporan/bulanan?pendamping=abc").status_code == 422


def test_report_month_default_is_the_current_month(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    session.commit()
    web.login(fx.world.pendamping.username)
    page = web.get("/laporan/bulanan")
    month = today_local().strftime("%Y-%m")
    assert page.status_code == 200 and f'name="bulan" value="{month}"' in page.text
