"""Exports: streamed CSV and XLSX, scoped like every report, valid when empty; the printable absensi."""

import csv
import io

from openpyxl import load_workbook
from sqlmodel import Session

from tests.conftest import Browser
from tests.dashboard.fixtures import fixed_make


def rows_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def rows_xlsx(content: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_attendance_month_csv_and_xlsx(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    month = fx.recent.date.strftime("%Y-%m")
    response = web.get(f"/ekspor/absensi.csv?wilayah=32.77&bulan={month}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = rows_csv(response.content)
    names = {r[8]: r[9] for r in rows[1:]}
    assert names["Ani Suryani"] == "hadir" and names["Cucu Rohaeti"] == "alpa"
    xlsx = web.get(f"/ekspor/absensi.xlsx?kelompok={fx.world.kelompok.id}&bulan={month}")
    assert xlsx.status_code == 200
    sheet = rows_xlsx(xlsx.content)
    assert sheet[0][8] == "Nama KPM" and {r[8] for r in sheet[1:]} >= {"Ani Suryani", "Dewi Lestari"}


def test_empty_selection_gives_a_valid_empty_file(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    assert len(rows_csv(web.get("/ekspor/absensi.csv?bulan=2001-01").content)) == 1
    assert len(rows_xlsx(web.get("/ekspor/absensi.xlsx?bulan=2001-01").content)) == 1
    web.login(fx.world.supervisor_utara.username)
    empty = rows_xlsx(web.get("/ekspor/absensi.xlsx?bulan=" + fx.recent.date.strftime("%Y-%m")).content)
    assert len(empty) == 1
    assert web.get("/ekspor/absensi.csv").status_code == 422  # no month chosen: a message, not a 500


def test_completion_matrix_and_dashboard_tables(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor.username)
    matrix = rows_csv(web.get("/ekspor/penyelesaian.csv?wilayah=32.77").content)
    header, body = matrix[0], {r[3]: r for r in matrix[1:]}
    assert header[4] == "Sesi 1" and header[-1] == "Jumlah sesi selesai"
    assert body["Ani Suryani"][4:6] == ["1", "1"] and body["Ani Suryani"][-1] == "2"
    assert body["Cucu Rohaeti"][4:6] == ["0", "1"]
    assert body["Euis Komariah"][-1] == "0"
    book = load_workbook(io.BytesIO(web.get("/ekspor/dasbor.xlsx?wilayah=32.77").content), read_only=True)
    assert [ws.title for ws in book.worksheets] == ["Per wilayah", "Per pendamping", "Per bulan"]
    by_area = {r[0]: r for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert by_area["32.77.01"][3] == 6  # KPM in Cimahi Selatan
    pendamping = rows_csv(web.get("/ekspor/dasbor.csv?wilayah=32.77&tabel=pendamping").content)
    assert any(r[0] == "Siti Pendamping" for r in pendamping)


def test_every_export_is_scoped(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.supervisor_utara.username)
    month = fx.recent.date.strftime("%Y-%m")
    for url in (
        f"/ekspor/absensi.csv?wilayah=32.77.01&bulan={month}",
        f"/ekspor/absensi.xlsx?kelompok={fx.world.kelompok.id}&bulan={month}",
        "/ekspor/penyelesaian.csv?wilayah=32.77",
        f"/ekspor/penyelesaian.xlsx?kelompok={fx.world.kelompok.id}",
        "/ekspor/dasbor.xlsx?wilayah=32.77.01",
        "/ekspor/dasbor.csv?wilayah=32.77",
        f"/pertemuan/{fx.recent.id}/cetak",
    ):
        assert web.get(url).status_code == 404, url
    for url in (
        f"/ekspor/absensi.csv?bulan={month}",
        "/ekspor/penyelesaian.csv",
        "/ekspor/dasbor.csv?tabel=wilayah",
        "/ekspor/dasbor.csv?tabel=pendamping",
    ):
        content = web.get(url).content.decode("utf-8-sig")
        assert "Ani Suryani" not in content and "Siti Pendamping" not in content and "Cimahi Selatan" not in content
    assert "Gita Utara" in web.get("/ekspor/penyelesaian.csv").content.decode("utf-8-sig")
    web.login(fx.world.pendamping.username)
    own = web.get(f"/ekspor/absensi.csv?kelompok={fx.world.kelompok.id}&bulan={month}")
    assert own.status_code == 200 and "Ani Suryani" in own.content.decode("utf-8-sig")
    assert web.get(f"/ekspor/absensi.csv?kelompok={fx.world.other_kelompok.id}&bulan={month}").status_code == 404
    assert web.get(f"/ekspor/absensi.csv?bulan={month}").status_code == 403


def test_printable_absensi_sheet(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    web.login(fx.world.pendamping.username)
    page = web.get(f"/pertemuan/{fx.recent.id}/cetak")
    assert page.status_code == 200
    assert "Tanda tangan" in page.text and "print.css" in page.text and "Dewi Lestari" in page.text
    assert "<script" not in page.text
    assert f"/pertemuan/{fx.recent.id}/cetak" in web.get(f"/pertemuan/{fx.recent.id}").text
