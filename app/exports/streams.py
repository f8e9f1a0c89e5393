"""Streaming table writers: CSV line by line, XLSX through openpyxl's write-only mode and a spooled file."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

CHUNK_BYTES = 64 * 1024
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: Iterable[list[Any]]


def csv_stream(sheet: Sheet) -> Iterator[bytes]:
    """UTF-8 with BOM (Excel opens it right), flushed every ~64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(sheet.header)
    for row in sheet.rows:
        writer.writerow(["" if v is None else v for v in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_stream(sheets: list[Sheet]) -> Iterator[bytes]:
    """Rows go to openpyxl's write-only sheets (spilled to temp files), the zip to a spooled file, then out."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet.title[:31])
        header = []
        for label in sheet.header:
            cell = WriteOnlyCell(ws, value=label)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append(row)
    with SpooledTemporaryFile(max_size=SPOOL_BYTES) as fh:
        workbook.save(fh)
        fh.seek(0)
        while chunk := fh.read(CHUNK_BYTES):
            yield chunk
