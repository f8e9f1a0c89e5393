"""Each way a real spreadsheet is damaged, caught and explained per row and column (fixtures built here)."""

import io
import re
import zipfile
from datetime import date

import pytest
from sqlmodel import func, select

from app.models import Family, Member, RosterImportStatus
from app.roster.parsing import RosterFileRefused
from app.roster.rules import HEADERS
from tests.factories import family_make
from tests.roster.conftest import (
    apply,
    csv_bytes,
    dry_run,
    family_rows,
    good_rows,
    kk_of,
    nik_of,
    problems_of,
    table,
    xlsx_bytes,
)


def _messages(problems, column):  # type: ignore[no-untyped-def]
    return " | ".join(m for c, m in problems if c == column)


def test_scientific_notation_and_lost_digits(session, world, tmp_path):
    rows = good_rows(3)
    rows[0]["NIK"] = "3.27701E+15"
    rows[3]["No. KK"] = "3,27701E+15"
    rows[6]["NIK"] = nik_of(9)[:12] + "0000"  # a number that lost its last digits
    record = dry_run(session, world.admin, csv_bytes(rows), tmp_path)
    problems = problems_of(session, record)
    assert "notasi ilmiah" in _messages(problems[2], "NIK")
    assert "notasi ilmiah" in _messages(problems[5], "No. KK")
    assert "digit terakhir" in _messages(problems[8], "NIK")
    # A family is refused whole, its other rows saying why; the row whose No. KK is broken stands alone.
    assert record.refused == 7
    assert "ditolak bersama keluarganya" in _messages(problems[3], "No. KK")


def test_numbers_stored_as_numbers_in_xlsx(session, world, tmp_path):
    rows = good_rows(1)
    sheet = table(rows)
    sheet[1][HEADERS.index("NIK")] = int(nik_of(11)[:15] + "0")  # Excel kept 15 significant digits
    sheet[2][HEADERS.index("NIK")] = float(nik_of(12))
    record = dry_run(session, world.admin, xlsx_bytes({"KPM": sheet}), tmp_path, "kpm.xlsx")
    problems = problems_of(session, record)
    assert "tersimpan sebagai angka" in _messages(problems[2], "NIK")


def test_stray_spaces_apostrophes_and_dots_are_cleaned(session, world, tmp_path):
    rows = good_rows(1)
    rows[0]["NIK"] = " '" + nik_of(11)[:4] + " " + nik_of(11)[4:] + " "
    father = str(rows[1]["NIK"])
    rows[1]["NIK"] = ".".join([father[:4], father[4:8], father[8:12], father[12:]])
    rows[2]["No. KK"] = "'" + kk_of(1)
    record = dry_run(session, world.admin, csv_bytes(rows), tmp_path)
    assert (record.refused, record.new_members) == (0, 3), problems_of(session, record)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-8"])
def test_indonesian_excel_csv(session, world, tmp_path, encoding):
    rows = good_rows(2)
    rows[0]["Nama"] = "Andréa Suryani"
    rows[0]["Desil"] = "2,0"
    record = dry_run(session, world.admin, csv_bytes(rows, delimiter=";", encoding=encoding), tmp_path)
    assert (record.new_families, record.refused) == (2, 0), problems_of(session, record)
    apply(session, world.admin, record)
    names = set(session.exec(select(Member.name)).all())
    assert "Andréa Suryani" in names


def test_comma_delimited_csv(session, world, tmp_path):
    record = dry_run(session, world.admin, csv_bytes(good_rows(2), delimiter=","), tmp_path)
    assert (record.new_families, record.refused) == (2, 0)


def test_dates_serial_text_and_impossible(session, world, tmp_path):
    rows = good_rows(2)
    rows[2]["Tanggal Lahir"] = "45123"  # Excel serial (2023-07-16) typed into a CSV
    rows[2]["NIK"] = nik_of(13, born=date(2023, 7, 16), sex="L")
    rows[3]["Tanggal Lahir"] = "31/02/1985"
    rows[4]["Tanggal Lahir"] = "1985/13/40"
    record = dry_run(session, world.admin, csv_bytes(rows), tmp_path)
    problems = problems_of(session, record)
    assert 4 not in problems
    assert "tidak ada di kalender" in _messages(problems[5], "Tanggal Lahir")
    assert "tidak dikenali" in _messages(problems[6], "Tanggal Lahir")
    sheet = table(good_rows(1))
    sheet[3][HEADERS.index("Tanggal Lahir")] = 42194  # a real Excel date cell is a serial with a date format
    sheet[3][HEADERS.index("NIK")] = nik_of(13, born=date(2015, 7, 9), sex="L")
    record = dry_run(session, world.admin, xlsx_bytes({"KPM": sheet}), tmp_path, "kpm.xlsx")
    assert record.refused == 0, problems_of(session, record)


def test_header_below_title_rows_with_synonyms(session, world, tmp_path):
    synonyms = {"No. KK": "nomor  kk", "NIK": "NIK ART", "Nama": "NAMA ANGGOTA", "Hubungan Keluarga": "Hub. Keluarga"}
    headers = [synonyms.get(h, h.upper()) for h in HEADERS]
    above = [["DAFTAR KPM PKH KOTA CIMAHI"], ["KABUPATEN:", "Kota Cimahi"], ["BULAN:", "November 2026"], []]
    record = dry_run(session, world.admin, csv_bytes(good_rows(2), above=above, headers=headers), tmp_path)
    assert (record.new_families, record.refused) == (2, 0), (record.error, problems_of(session, record))


def test_xlsx_title_rows_merged_two_level_header_and_several_sheets(session, world, tmp_path):
    two_level = [h if i < 8 else None for i, h in enumerate(HEADERS)]  # a merged parent cell above, names below
    lower = [None] * 8 + list(HEADERS[8:])
    mawar = [["REKAP KPM"], ["KABUPATEN:", "Kota Cimahi"], two_level, lower] + table(family_rows(1))[1:]
    melati = table(family_rows(2, kelompok="Kelompok Melati", area="32.77.01.1002"))
    workbook = xlsx_bytes({"Petunjuk": [["Isi satu baris per anggota"]], "Mawar": mawar, "Melati": melati})
    record = dry_run(session, world.admin, workbook, tmp_path, "kpm.xlsx")
    assert (record.new_families, record.new_members, record.refused) == (2, 6, 0), (
        record.error,
        problems_of(session, record),
    )
    assert record.sheets == "Mawar, Melati"


def _with_formula(data: bytes, placeholder: str, formula: str, cached: str | None) -> bytes:
    """Replace an inline string cell by a formula (with or without the value Excel stores beside it)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = content.decode()
                start = text.index(f"<t>{placeholder}</t>")
                cell_start = text.rindex("<c ", 0, start)
                cell_end = text.index("</c>", start) + 4
                ref = text[cell_start:].split('r="', 1)[1].split('"', 1)[0]
                value = f"<v>{cached}</v>" if cached is not None else ""
                text = text[:cell_start] + f'<c r="{ref}" t="str"><f>{formula}</f>{value}</c>' + text[cell_end:]
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_formulas(session, world, tmp_path):
    rows = good_rows(2)
    rows[0]["Nama"] = "RUMUS1"
    rows[3]["Nama"] = "RUMUS2"
    data = xlsx_bytes({"KPM": table(rows)})
    data = _with_formula(data, "RUMUS1", 'CONCAT("Ibu ","Uji 1")', "Ibu Uji 1")
    data = _with_formula(data, "RUMUS2", 'CONCAT("Ibu ","Uji 2")', None)
    record = dry_run(session, world.admin, data, tmp_path, "kpm.xlsx")
    problems = problems_of(session, record)
    assert 2 not in problems
    assert "rumus" in _messages(problems[5], "Nama")


def test_areas_kelompok_pendamping_and_duplicates(session, world, tmp_path):
    taken = family_make(
        session,
        kelompok=world.other_kelompok,
        members=[
            {
                "name": "Sudah Ada",
                "nik": nik_of(71),
                "birth_date": date(1988, 5, 4),
                "sex": "P",
                "relationship": "istri",
            }
        ],
    )
    session.commit()
    rows = [
        *family_rows(1, area="32.77.09.9999"),  # unknown area
        *family_rows(2, kelompok="Kelompok Tidak Ada"),
        *family_rows(3),
        *family_rows(4),
        *family_rows(5),
        *family_rows(6),
    ]
    rows[6]["Pendamping"] = "Orang Lain"  # family 3: not the kelompok's pendamping
    rows[9]["NIK"] = rows[12]["NIK"]  # families 4 and 5 share a NIK
    rows[15]["NIK"] = nik_of(71)  # family 6: a NIK of another family's member in the database
    rows[16]["Nama"] = ""  # missing required cell
    record = dry_run(session, world.admin, csv_bytes(rows), tmp_path)
    problems = problems_of(session, record)
    assert "32.77.09.9999 tidak dikenal" in _messages(problems[2], "Kode Wilayah")
    assert "Kelompok Tidak Ada tidak ada di wilayah Anda" in _messages(problems[5], "Kelompok")
    assert "bukan pendamping kelompok" in _messages(problems[8], "Pendamping")
    assert "NIK ganda dalam berkas" in _messages(problems[11], "NIK")
    assert "NIK ganda dalam berkas" in _messages(problems[14], "NIK")
    assert "keluarga lain" in _messages(problems[17], "NIK")
    assert "wajib diisi" in _messages(problems[18], "Nama")
    assert record.refused == 18 and record.new_families == 0
    assert taken.id


def test_nik_already_in_database_is_matched_not_duplicated(session, world, tmp_path):
    record = apply(session, world.admin, dry_run(session, world.admin, csv_bytes(good_rows(1)), tmp_path))
    assert record.status == RosterImportStatus.DITERAPKAN
    rows = good_rows(1)
    rows[2]["Sekolah"] = "SMP"
    again = dry_run(session, world.admin, csv_bytes(rows), tmp_path)
    assert (again.new_members, again.updated, again.unchanged) == (0, 1, 2)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"%PDF-1.4 not a roster", "bukan CSV atau XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"\x89PNG\r\n\x1a\n\0\0", "bukan CSV atau XLSX"),
    ],
)
def test_files_refused_by_content(session, world, tmp_path, data, needle):
    path = tmp_path / "kpm.csv"
    path.write_bytes(data)
    from app.roster import service

    with pytest.raises(RosterFileRefused) as refused:
        service.roster_import_create(session=session, user=world.admin, filename="kpm.csv", path=path)
    assert needle in refused.value.message


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_zip_bombs_and_absurd_dimensions_refused(session, world, tmp_path):
    from app.roster import service

    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"<row>" + b" " * (50 << 20)})
    huge = xlsx_bytes({"KPM": table(good_rows(1))})
    source = zipfile.ZipFile(io.BytesIO(huge))
    parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', parts["xl/worksheets/sheet1.xml"]
    )
    assert b"XFD1048576" in parts["xl/worksheets/sheet1.xml"]
    for data, needle in ((bomb, "jauh lebih besar"), (_zip(parts), "terlalu besar")):
        path = tmp_path / "kpm.xlsx"
        path.write_bytes(data)
        with pytest.raises(RosterFileRefused) as refused:
            service.roster_import_create(session=session, user=world.admin, filename="kpm.xlsx", path=path)
        assert needle in refused.value.message


def test_file_over_the_size_limit_refused(session, world, tmp_path):
    from app.roster import service

    path = tmp_path / "kpm.csv"
    path.write_bytes(csv_bytes(good_rows(2)))
    with pytest.raises(RosterFileRefused):
        service.roster_import_create(session=session, user=world.admin, filename="kpm.csv", path=path, max_bytes=100)
    assert session.exec(select(func.count()).select_from(Family)).one() == 6
