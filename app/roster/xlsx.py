"""A streaming reader of XLSX sheet data: cell values only, row by row, straight from the archive's XML.

openpyxl's read-only mode builds an object per cell and reads ~2,000 rows a second on this machine; an import checks
a 100,000-row file twice (dry run, then apply), so the sheet XML is scanned with regular expressions instead (the
same values: shared and inline strings, numbers, booleans, cached results of formulas). openpyxl stays the fallback
for workbooks this reader does not understand (see parsing._xlsx_sheets)."""

import html
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

P = r"(?:[\w.-]+:)?"  # an optional namespace prefix (<x:c> from some writers)
_ROW = re.compile(rf"<{P}row\b([^>]*?)(?:/>|>(.*?)</{P}row>)", re.S)
_CELL = re.compile(rf"<{P}c\b([^>]*?)(?:/>|>(.*?)</{P}c>)", re.S)
_REF = re.compile(r'\br="([A-Z]{1,3})(\d*)"')
_ROW_NO = re.compile(r'\br="(\d+)"')
_TYPE = re.compile(r'\bt="(\w+)"')
_VALUE = re.compile(rf"<{P}v>(.*?)</{P}v>", re.S)
_TEXT = re.compile(rf"<{P}t(?:\s[^>]*)?>(.*?)</{P}t>", re.S)
_PHONETIC = re.compile(rf"<{P}rPh\b.*?</{P}rPh>", re.S)
_SI = re.compile(rf"<{P}si>(.*?)</{P}si>|<{P}si/>", re.S)
_ATTRS = re.compile(r'([\w:]+)="([^"]*)"')
_SHEET = re.compile(rf"<{P}sheet\b([^>]*)/?>")
_REL = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)/?>")
_INTEGER = re.compile(r"-?\d{1,18}")
_END_ROW = re.compile(rf"</{P}row>|<{P}row\b[^>]*/>")
CHUNK = 1 << 20


class Unreadable(Exception):
    """The archive lacks a part this reader needs: let openpyxl try."""


def _text(fragment: str) -> str:
    return html.unescape("".join(_TEXT.findall(_PHONETIC.sub("", fragment))))


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    try:
        data = archive.read("xl/sharedStrings.xml").decode("utf-8")
    except KeyError:
        return []
    return [_text(m.group(1) or "") for m in _SI.finditer(data)]


def sheets(archive: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    """(name, state, path in the archive) of every sheet, in workbook order."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except KeyError as exc:
        raise Unreadable(str(exc)) from None
    targets = {}
    for match in _REL.finditer(rels):
        attrs = dict(_ATTRS.findall(match.group(1)))
        target = attrs.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[attrs.get("Id", "")] = path
    found = []
    for match in _SHEET.finditer(workbook):
        attrs = dict(_ATTRS.findall(match.group(1)))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), "")
        path = targets.get(rid)
        if path is None or path not in archive.namelist():
            raise Unreadable(f"sheet {attrs.get('name')!r} has no part")
        found.append((html.unescape(attrs.get("name", "")), attrs.get("state", "visible"), path))
    if not found:
        raise Unreadable("no sheets")
    return found


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def _value(kind: str, body: str, strings: list[str]) -> object:
    if kind == "inlineStr":
        return _text(body)
    match = _VALUE.search(body)
    if match is None:
        return None  # empty, or a formula Excel never calculated
    raw = match.group(1)
    if kind == "s":
        index = int(raw)
        return strings[index] if 0 <= index < len(strings) else None
    if kind in ("str", "e", "d"):
        return html.unescape(raw)
    if kind == "b":
        return raw.strip() == "1"
    if _INTEGER.fullmatch(raw):
        return int(raw)
    try:
        return float(raw)
    except ValueError:
        return html.unescape(raw)


_TOKEN = re.compile(rf"<{P}row\b([^>]*)>|<{P}c\b([^>]*?)(?:/>|>(.*?)</{P}c>)", re.S)


def _fast_text(body: str) -> str:
    """An inline string: the common `<is><t>…</t></is>` without a regular expression."""
    if body.startswith("<is><t>") and body.endswith("</t></is>") and body.count("<", 7) == 2:
        text = body[7:-9]
        return html.unescape(text) if "&" in text else text
    return _text(body)


def rows(
    archive: zipfile.ZipFile, path: str, strings: list[str], max_columns: int
) -> Iterator[tuple[int, list[object]]]:
    """(row number, values by column from A) of each row that has cells."""
    number = 0
    values: list[object] = []
    with archive.open(path) as stream:
        pending = ""
        finished = False
        while not finished:
            chunk = stream.read(CHUNK)
            finished = not chunk
            pending += chunk.decode("utf-8", errors="replace") if chunk else ""
            cut = pending.rfind("</c>") if not finished else len(pending)
            if cut < 0:
                continue
            cut = len(pending) if finished else cut + 4
            block, pending = pending[:cut], pending[cut:]
            for token in _TOKEN.finditer(block):
                row_attrs = token.group(1)
                if row_attrs is not None:
                    if values:
                        yield number, values
                        values = []
                    given = _ROW_NO.search(row_attrs)
                    number = int(given.group(1)) if given else number + 1
                    continue
                attrs = token.group(2)
                ref = _REF.search(attrs)
                index = _column(ref.group(1)) if ref else len(values)
                if index >= max_columns:
                    continue
                kind = _TYPE.search(attrs)
                body = token.group(3) or ""
                value = (
                    _fast_text(body)
                    if kind and kind.group(1) == "inlineStr"
                    else _value(kind.group(1) if kind else "n", body, strings)
                )
                if index >= len(values):
                    values.extend([None] * (index - len(values) + 1))
                values[index] = value
    if values:
        yield number, values
