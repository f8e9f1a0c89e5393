"""Reading an uploaded roster file as rows of raw cells: CSV (any delimiter Excel writes, UTF-8 with or without BOM,
Windows-1252) or XLSX (streamed, every sheet with a recognisable header); files that are not what they claim, too
big or too deep (zip bombs) are refused before a single row is read."""

import codecs
import csv
import marshal
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from app.errors import RuleViolation
from app.i18n import N_
from app.roster import xlsx
from app.roster.rules import (
    BY_KEY,
    COLUMN_KEYS,
    HEADER_KEYS,
    HEADER_SCAN_ROWS,
    REQUIRED_KEYS,
    cell_text,
    header_map,
    header_normal,
    header_score,
)

MAX_ROWS = 250_000
MAX_COLUMNS = 200
XLSX_MAX_UNCOMPRESSED = 600 * 1024 * 1024
XLSX_MAX_RATIO = 150  # a sheet's XML compresses ~10-20x; a bomb ~1000x
XLSX_MAX_MEMBERS = 2000
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+:([A-Z]+)(\d+)"')
_XLS_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

MSG_NOT_ROSTER = N_("Berkas bukan CSV atau XLSX (isinya diperiksa, bukan nama berkasnya).")
MSG_XLS = N_("Berkas Excel lama (.xls) tidak diterima: buka di Excel lalu Simpan Sebagai .xlsx.")
MSG_BOMB = N_("Berkas XLSX ditolak: isinya jauh lebih besar dari ukuran berkasnya (%(detail)s).")
MSG_TOO_MANY_ROWS = N_("Berkas terlalu besar: lebih dari %(max)s baris atau %(columns)s kolom.")
MSG_NO_HEADER = N_(
    "Baris judul kolom tidak ditemukan di %(rows)s baris pertama lembar mana pun. Kolom yang dicari, "
    "antara lain: %(headers)s."
)
MSG_MISSING_COLUMNS = N_("Lembar %(sheet)s: kolom wajib tidak ada: %(columns)s.")
MSG_BROKEN = N_("Berkas tidak dapat dibaca (%(detail)s).")


class RosterFileRefused(RuleViolation):
    """The whole file is refused (not one row): its type, size, shape or header."""


@dataclass(frozen=True)
class SourceRow:
    """A data row: where it is, its cells in template column order (raw values; None where absent)."""

    position: int
    sheet: str
    row_no: int
    values: tuple[object, ...]


@dataclass
class ReadReport:
    sheets: list[str] = field(default_factory=list)  # the sheets rows were read from
    skipped_sheets: list[str] = field(default_factory=list)


def file_kind(head: bytes) -> str:
    """`xlsx` or `csv` by content (the first bytes), else RosterFileRefused."""
    if head.startswith(_XLS_OLE):
        raise RosterFileRefused(MSG_XLS, field="file")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if not head or b"\x00" in head:
        raise RosterFileRefused(MSG_NOT_ROSTER, field="file")
    sample = head[:4096]
    if sample.startswith(codecs.BOM_UTF8):
        sample = sample[3:]
    printable = sum(1 for b in sample if b >= 0x20 or b in b"\r\n\t")
    if printable < len(sample) * 0.95 or sample.lstrip().startswith((b"<", b"%PDF", b"{")):
        raise RosterFileRefused(MSG_NOT_ROSTER, field="file")
    return "csv"


def xlsx_check(path: Path) -> None:
    """Refuse before parsing: not a workbook, too many or too inflated members, absurd declared dimensions."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if "xl/workbook.xml" not in names:
                raise RosterFileRefused(MSG_NOT_ROSTER, field="file")
            if len(members) > XLSX_MAX_MEMBERS:
                raise RosterFileRefused(MSG_BOMB, field="file", detail=f"{len(members)} bagian")
            total = sum(m.file_size for m in members)
            if total > XLSX_MAX_UNCOMPRESSED:
                raise RosterFileRefused(MSG_BOMB, field="file", detail=f"{total // (1024 * 1024)} MB")
            for member in members:
                if member.file_size > 1024 * 1024 and member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
                    raise RosterFileRefused(MSG_BOMB, field="file", detail=member.filename)
                if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                    with archive.open(member) as sheet:
                        head = sheet.read(4096)
                    dimension = _DIMENSION.search(head)
                    if dimension and (int(dimension.group(2)) > MAX_ROWS or _column_number(dimension.group(1)) > 16384):
                        raise RosterFileRefused(MSG_TOO_MANY_ROWS, field="file", max=MAX_ROWS, columns=MAX_COLUMNS)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RosterFileRefused(MSG_BROKEN, field="file", detail=type(exc).__name__) from None


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def csv_encoding(path: Path) -> str:
    """UTF-8 (with its BOM taken off) when every byte decodes as UTF-8, else Windows-1252 (Excel's "CSV" on an
    Indonesian Windows)."""
    with path.open("rb") as fh:
        if fh.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def csv_delimiter(sample: str) -> str:
    """The delimiter the header area uses most: `;` for an Indonesian-locale Excel, `,`, or a tab."""
    lines = sample.splitlines()[:HEADER_SCAN_ROWS]
    counts = {d: sum(line.count(d) for line in lines) for d in (";", "\t", ",")}
    return max(counts, key=lambda d: (counts[d], d == ";"))


def _csv_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    encoding = csv_encoding(path)
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        delimiter = csv_delimiter(fh.read(65536))
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        csv.field_size_limit(1 << 16)
        try:
            for row in reader:
                if len(row) > MAX_COLUMNS:
                    row = row[:MAX_COLUMNS]
                yield reader.line_num, list(row)
        except csv.Error as exc:
            raise RosterFileRefused(MSG_BROKEN, field="file", detail=str(exc)[:80]) from None


def _xlsx_sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, list[object]]]]]:
    """Every sheet but the very hidden ones, by the streaming reader; by openpyxl (read-only) when the archive
    has a shape that reader does not know."""
    try:
        with zipfile.ZipFile(path) as archive:
            listed = xlsx.sheets(archive)
            strings = xlsx.shared_strings(archive)
    except xlsx.Unreadable:
        yield from _openpyxl_sheets(path)
        return
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError, ValueError) as exc:
        raise RosterFileRefused(MSG_BROKEN, field="file", detail=type(exc).__name__) from None
    with zipfile.ZipFile(path) as archive:
        for name, state, part in listed:
            if state == "veryHidden":
                continue
            yield name, xlsx.rows(archive, part, strings, MAX_COLUMNS)


def _openpyxl_sheets(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, list[object]]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged archive
        raise RosterFileRefused(MSG_BROKEN, field="file", detail=type(exc).__name__) from None
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") == "veryHidden":
                continue

            def rows(sheet: object = sheet) -> Iterator[tuple[int, list[object]]]:
                for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):  # type: ignore[attr-defined]
                    yield number, list(row)

            yield str(sheet.title), rows()
    finally:
        workbook.close()


def _header_find(head: list[tuple[int, list[object]]]) -> tuple[int, dict[str, int]] | None:
    """The header among the first rows: the one naming most template columns, alone or with the row above filling
    its empty or unknown cells (a header cell merged over two rows, or a two-level header)."""
    best: tuple[int, int, list[str]] | None = None
    texts = [[cell_text(v) for v in row] for _, row in head]
    for index, cells in enumerate(texts):
        candidates = [cells]
        if index > 0:
            above = texts[index - 1]
            width = max(len(cells), len(above))
            padded = cells + [""] * (width - len(cells))
            candidates.append(
                [
                    above[i] if i < len(above) and header_normal(padded[i]) not in HEADER_KEYS else padded[i]
                    for i in range(width)
                ]
            )
        for candidate in candidates:
            score = header_score(candidate)
            if score and (best is None or score > best[1]):
                best = (index, score, candidate)
    if best is None:
        return None
    return best[0], header_map(best[2])


_IDENTIFYING = tuple(COLUMN_KEYS.index(k) for k in ("kk", "nik", "name", "birth_date"))


def _is_blank(values: tuple[object, ...]) -> bool:
    """A row with none of No. KK, NIK, name or birth date: empty, a total or a signature line."""
    for index in _IDENTIFYING:
        value = values[index]
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def rows_read(path: Path, kind: str, report: ReadReport) -> Iterator[SourceRow]:
    """Every data row of every sheet that has a header, in order."""
    sheets: Iterator[tuple[str, Iterator[tuple[int, list[object]]]]]
    sheets = iter([("", _csv_rows(path))]) if kind == "csv" else _xlsx_sheets(path)
    position = 0
    for name, rows in sheets:
        head = []
        for numbered in rows:
            head.append(numbered)
            if len(head) >= HEADER_SCAN_ROWS:
                break
        found = _header_find(head)
        if found is None:
            report.skipped_sheets.append(name)
            continue
        index, columns = found
        missing = [BY_KEY[k].header for k in REQUIRED_KEYS if k not in columns]
        if missing:
            raise RosterFileRefused(MSG_MISSING_COLUMNS, field="file", sheet=name or "CSV", columns=", ".join(missing))
        report.sheets.append(name)
        picks = [columns.get(key) for key in COLUMN_KEYS]
        header_values = head[index][1]

        def source(numbered: tuple[int, list[object]], picks: list[int | None] = picks) -> tuple[object, ...]:
            cells = numbered[1]
            return tuple(cells[i] if i is not None and i < len(cells) else None for i in picks)

        def remaining(
            head: list[tuple[int, list[object]]] = head,
            index: int = index,
            rows: Iterator[tuple[int, list[object]]] = rows,
        ) -> Iterator[tuple[int, list[object]]]:
            yield from head[index + 1 :]
            yield from rows

        for numbered in remaining():
            if position >= MAX_ROWS:
                raise RosterFileRefused(MSG_TOO_MANY_ROWS, field="file", max=MAX_ROWS, columns=MAX_COLUMNS)
            values = source(numbered)
            if _is_blank(values) or numbered[1] == header_values:
                continue
            position += 1
            yield SourceRow(position=position, sheet=name, row_no=numbered[0], values=values)
    if not report.sheets:
        headers = ", ".join(BY_KEY[k].header for k in REQUIRED_KEYS)
        raise RosterFileRefused(MSG_NO_HEADER, field="file", rows=HEADER_SCAN_ROWS, headers=headers)


def refused_cells(values: tuple[object, ...]) -> list[str]:
    return [cell_text(v) for v in values]


def _plain(value: object) -> object:
    """A cell as marshal can store it (dates from openpyxl as ISO text, which the date rules read back)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


def rows_saved(source: Iterator[SourceRow], path: Path) -> Iterator[SourceRow]:
    """Pass the rows through, keeping a copy in `path` (marshal, in blocks): the apply reads the file once more
    from there, not from the spreadsheet."""
    block: list[tuple[int, str, int, tuple[object, ...]]] = []
    with path.open("wb") as out:
        for row in source:
            block.append((row.position, row.sheet, row.row_no, tuple(_plain(v) for v in row.values)))
            if len(block) >= 2000:
                marshal.dump(block, out)
                block = []
            yield row
        marshal.dump(block, out)


def rows_reread(path: Path) -> Iterator[SourceRow]:
    with path.open("rb") as fh:
        while True:
            try:
                block = marshal.load(fh)
            except EOFError:
                return
            for position, sheet, row_no, values in block:
                yield SourceRow(position=position, sheet=sheet, row_no=row_no, values=values)
