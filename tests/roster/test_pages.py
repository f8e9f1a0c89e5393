"""The import pages over HTTP: templates, upload, the polled status block, the refused rows download."""

import io

from openpyxl import load_workbook
from sqlmodel import select

from app.models import Job, JobKind, RosterImport, RosterImportStatus
from app.roster import service
from app.roster.rules import HEADERS, REFUSAL_HEADER
from tests.conftest import text_of
from tests.roster.conftest import csv_bytes, good_rows


def test_templates_have_the_indonesian_headers(web, world):
    web.login(world.supervisor.username)
    xlsx = web.get("/impor-kpm/templat.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    assert next(sheet.iter_rows(values_only=True)) == HEADERS
    csv = web.get("/impor-kpm/templat.csv")
    assert csv.content.startswith(b"\xef\xbb\xbf" + ";".join(HEADERS).encode())
    page = text_of(web.get("/impor-kpm").text)
    assert "NIK ART" in page and "Nomor KK" in page and "Kode Wilayah" in page


def test_upload_dry_run_and_refused_rows_download(web, world, session):
    web.login(world.admin.username)
    rows = good_rows(2)
    rows[0]["NIK"] = "3.27701E+15"
    response = web.post("/impor-kpm", files={"file": ("kpm.csv", csv_bytes(rows), "text/csv")})
    assert response.status_code == 303, response.text[:300]
    record = session.exec(select(RosterImport)).one()
    assert session.exec(select(Job).where(Job.kind == JobKind.ROSTER_IMPORT)).first() is not None
    polled = web.get(f"/impor-kpm/{record.id}/status", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in polled.text
    service.roster_imports_process(session=session)
    page = web.get(f"/impor-kpm/{record.id}").text
    session.refresh(record)
    assert record.status == RosterImportStatus.SIAP, (record.status, record.error)
    assert "notasi ilmiah" in page and "Uji coba selesai" in page and 'hx-trigger="every' not in page
    download = web.get(f"/impor-kpm/{record.id}/ditolak.xlsx")
    sheet = load_workbook(io.BytesIO(download.content), read_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == (*HEADERS, REFUSAL_HEADER) and len(lines) == 4
    assert "notasi ilmiah" in lines[1][-1]
    applied = web.post(f"/impor-kpm/{record.id}/terapkan", htmx_target="result")
    assert applied.status_code == 200 and 'hx-trigger="every 1s"' in applied.text
    service.roster_imports_process(session=session)
    session.refresh(record)
    assert (record.status, record.new_families) == (RosterImportStatus.DITERAPKAN, 1)


def test_refused_upload_is_explained_on_the_form(web, world):
    web.login(world.admin.username)
    response = web.post("/impor-kpm", files={"file": ("kpm.xlsx", b"%PDF-1.4", "application/pdf")})
    assert response.status_code == 422
    assert "bukan CSV atau XLSX" in text_of(response.text)
    response = web.post("/impor-kpm", data={})
    assert response.status_code == 422
