"""Roster files built in the test: good rows, then each damage a real spreadsheet shows."""

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import Session

from app.identity.rules import nik_make
from app.models import RosterImport, User
from app.roster import service
from app.roster.rules import HEADERS
from tests.factories import World, world_make

Row = dict[str, object]


@pytest.fixture(autouse=True)
def roster_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    store = tmp_path / "roster"
    store.mkdir()
    monkeypatch.setattr(service, "storage_dir", lambda: store)
    yield store


@pytest.fixture
def world(session: Session) -> World:
    return world_make(session)


def kk_of(n: int) -> str:
    return f"327701150190{n:04d}"


def nik_of(n: int, *, born: date = date(1988, 5, 4), sex: str = "P") -> str:
    return nik_make(kecamatan_code="32.77.01", birth_date=born, sex=sex, serial=n)


def family_rows(
    n: int, *, kelompok: str = "Kelompok Mawar", area: str = "32.77.01.1001", members: int = 3
) -> list[Row]:
    """A family of `members`: the mother (pengurus), the father, children."""
    rows: list[Row] = [
        {
            "No. KK": kk_of(n),
            "ID PKH": f"PKH-{n:05d}",
            "Kode Wilayah": area,
            "Alamat": f"Jl. Uji {n}",
            "Kelompok": kelompok,
            "NIK": nik_of(n * 10 + 1),
            "Nama": f"Ibu Uji {n}",
            "Tanggal Lahir": "04/05/1988",
            "Jenis Kelamin": "P",
            "Hubungan Keluarga": "Istri",
            "Pengurus": "Ya",
            "Desil": "2",
        },
        {
            "No. KK": kk_of(n),
            "Kode Wilayah": area,
            "NIK": nik_of(n * 10 + 2, born=date(1985, 3, 2), sex="L"),
            "Nama": f"Bapak Uji {n}",
            "Tanggal Lahir": "02/03/1985",
            "Jenis Kelamin": "L",
            "Hubungan Keluarga": "Kepala Keluarga",
        },
    ]
    for child in range(members - 2):
        born = date(2015 + child, 7, 9)
        rows.append(
            {
                "No. KK": kk_of(n),
                "Kode Wilayah": area,
                "NIK": nik_of(n * 10 + 3 + child, born=born, sex="L"),
                "Nama": f"Anak {child + 1} Uji {n}",
                "Tanggal Lahir": born.strftime("%d/%m/%Y"),
                "Jenis Kelamin": "L",
                "Hubungan Keluarga": "Anak",
                "Sekolah": "SD",
            }
        )
    return rows


def good_rows(families: int = 3) -> list[Row]:
    return [row for n in range(1, families + 1) for row in family_rows(n)]


def csv_bytes(
    rows: list[Row],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    above: list[list[str]] | None = None,
    headers: list[str] | None = None,
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for line in above or []:
        writer.writerow(line)
    names = headers or list(HEADERS)
    writer.writerow(names)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    first = True
    for title, lines in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        first = False
        for line in lines:
            sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table(rows: list[Row], headers: list[str] | None = None) -> list[list[object]]:
    names = headers or list(HEADERS)
    return [list(names), *[[row.get(h, None) for h in HEADERS] for row in rows]]


def dry_run(session: Session, user: User, data: bytes, tmp_path: Path, name: str = "kpm.csv") -> RosterImport:
    path = tmp_path / f"upload-{name}"
    path.write_bytes(data)
    record = service.roster_import_create(session=session, user=user, filename=name, path=path)
    service.roster_imports_process(session=session)
    session.refresh(record)
    return record


def apply(session: Session, user: User, record: RosterImport) -> RosterImport:
    service.roster_apply_request(session=session, user=user, record=record)
    service.roster_imports_process(session=session)
    session.refresh(record)
    return record


def problems_of(session: Session, record: RosterImport) -> dict[int, list[tuple[str, str]]]:
    from app.roster.queries import refusals_of

    return {r.row_no: r.problems for r in refusals_of(session=session, import_id=record.id or 0)}
