"""Streaming table writers: CSV line by line, XLSX as a zip written while the rows are read."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

CHUNK_BYTES = 64 * 1024


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: Iterable[list[Any]]


# A text cell starting with one of these is read as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_neutral(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading `'`; numbers and other values stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# XLSX cell styles: 0 plain, 1 header (bold); 2 and 3 the same with quotePrefix, for formula-like text.
QUOTED_STYLES = {"": ' s="2"', ' s="1"': ' s="3"'}


def csv_stream(sheet: Sheet) -> Iterator[bytes]:
    """UTF-8 with BOM (Excel opens it right), flushed every ~64 KB; formula-like text neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([cell_neutral(v) for v in sheet.header])
    for row in sheet.rows:
        writer.writerow(["" if v is None else cell_neutral(v) for v in row])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_stream(sheets: list[Sheet]) -> Iterator[bytes]:
    """A real stream: the zip is written as the rows come, each sheet XML with inline strings, so the first
    bytes leave before the last row is read and memory stays flat for a whole kabupaten."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, body in _package(len(sheets), [sheet.title for sheet in sheets]):
            book.writestr(name, body)
        for number, sheet in enumerate(sheets, start=1):
            with book.open(f"xl/worksheets/sheet{number}.xml", mode="w", force_zip64=True) as part:
                buffer = [SHEET_HEAD, _row_xml(1, sheet.header, header=True)]
                size = 0
                for index, row in enumerate(sheet.rows, start=2):
                    text = _row_xml(index, row)
                    buffer.append(text)
                    size += len(text)
                    if size >= CHUNK_BYTES:
                        part.write("".join(buffer).encode("utf-8"))
                        buffer, size = [], 0
                        yield pipe.take()
                buffer.append(SHEET_TAIL)
                part.write("".join(buffer).encode("utf-8"))
            yield pipe.take()
    yield pipe.take()


class _Pipe(io.RawIOBase):
    """Where the zip writes; the generator hands out what has gathered (not seekable: zip uses data descriptors)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LETTERS: list[str] = []


def _column(index: int) -> str:
    while len(_LETTERS) <= index:
        n, name = len(_LETTERS) + 1, ""
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        _LETTERS.append(name)
    return _LETTERS[index]


def _cell_xml(ref: str, value: Any, style: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{ref}"{style}><v>{value}</v></c>'
    text = _ILLEGAL.sub("", str(value))
    if text.startswith(FORMULA_STARTS):
        # Kept as typed, in a quote-prefixed style: the spreadsheet treats it as text even when the cell is edited.
        style = QUOTED_STYLES[style]
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _row_xml(number: int, values: list[Any], header: bool = False) -> str:
    style = ' s="1"' if header else ""
    cells = "".join(_cell_xml(f"{_column(i)}{number}", v, style) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def _package(count: int, titles: list[str]) -> list[tuple[str, str]]:
    """The fixed parts of a workbook of `count` sheets: content types, relationships, workbook, styles."""
    taken: set[str] = set()
    names = [_sheet_name(t, taken) for t in titles]
    sheet_types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    sheets = "".join(
        f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, n in enumerate(names, start=1)
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    return [
        (
            "[Content_Types].xml",
            f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{sheet_types}</Types>',
        ),
        (
            "_rels/.rels",
            f'{XML}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        ),
        ("xl/workbook.xml", f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{sheets}</sheets></workbook>'),
        (
            "xl/_rels/workbook.xml.rels",
            f'{XML}<Relationships xmlns="{PKG_REL}">{sheet_rels}<Relationship '
            f'Id="rId{count + 1}" Type="{REL}/styles" Target="styles.xml"/></Relationships>',
        ),
        (
            "xl/styles.xml",
            f'{XML}<styleSheet xmlns="{MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/>'
            '</font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill '
            'patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1">'
            '<border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1">'
            '<xf numFmtId="0" '
            'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" '
            'applyFont="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>",
        ),
    ]


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_HEAD = f'{XML}<worksheet xmlns="{MAIN}"><sheetData>'
SHEET_TAIL = "</sheetData></worksheet>"
