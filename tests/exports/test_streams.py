"""The XLSX writer streams: bytes leave before the rows are all read, and the file opens with every value."""

import io
import zipfile

from openpyxl import load_workbook

from app.exports.streams import Sheet, xlsx_stream


def test_xlsx_streams_while_reading_and_round_trips():
    read = 0

    def rows():
        nonlocal read
        for i in range(30_000):
            read += 1
            yield [f"KPM <{i}> & \x01co", i, 2.5, None, True, ""]

    stream = xlsx_stream(
        [
            Sheet(title="Absensi 2026/10: [x]", header=["Nama", "No", "Nilai", "Kosong", "Ya", "-"], rows=rows()),
            Sheet(title="Absensi 2026/10: [x]", header=["B"], rows=[]),
        ]
    )
    first = b""
    while not first:
        first = next(stream)
    assert read < 30_000  # the first bytes left before the last row was read
    content = first + b"".join(stream)
    assert zipfile.ZipFile(io.BytesIO(content)).testzip() is None
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Absensi 2026 10   x", "Absensi 2026 10   x 2"]
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["Nama", "No", "Nilai", "Kosong", "Ya", "-"] and sheet["A1"].font.b
    assert [c.value for c in sheet[30_001]] == ["KPM <29999> & co", 29999, 2.5, None, True, None]
    assert sheet.max_row == 30_001
