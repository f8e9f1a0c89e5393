"""Files the import page hands out: the template (XLSX and CSV) and the refused rows with a "Kesalahan" column."""

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.roster.rules import COLUMNS, HEADERS, REFUSAL_HEADER


def _text_columns(sheet: object, count: int) -> None:
    """Every column formatted as Text, so Excel keeps NIK and No. KK digits as typed."""
    for index in range(1, count + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 20  # type: ignore[attr-defined]
        sheet.column_dimensions[letter].number_format = "@"  # type: ignore[attr-defined]


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "KPM"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([c.example for c in COLUMNS])
    for cell in sheet[2]:
        cell.number_format = "@"
    _text_columns(sheet, len(HEADERS))
    guide = workbook.create_sheet("Petunjuk")
    guide.append(["Kolom", "Wajib", "Isi"])
    for column in COLUMNS:
        guide.append([column.header, "Ya" if column.required else "Tidak", column.help or column.example])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """UTF-8 with BOM and `;`: what Excel in an Indonesian locale opens straight into columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerow([c.example for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def refused_xlsx(rows: Iterable[tuple[list[str], str]]) -> bytes:
    """The refused rows in template columns, each with its problems in "Kesalahan": fix them and import again."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ditolak")
    sheet.append([*HEADERS, REFUSAL_HEADER])
    for cells, problems in rows:
        sheet.append([*cells, problems])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
