"""Load Kemendagri areas from the vendored idn-area-data package (data © idn-area-data, ODbL)."""

import csv
import io
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, SQLModel

from app.areas.queries import stored_areas
from app.models import Area
from app.settings import ROOT
from app.vendor_checksums import file_verify

VENDOR_DIR = ROOT / "vendor"
PACKAGE = VENDOR_DIR / "idn-area-data-4.0.1.tgz"
MANIFEST = VENDOR_DIR / "checksums.sha256"
# CSV file, its parent-code column and the code pattern of its level, province first so parents exist.
LEVELS = (
    ("provinces", None, re.compile(r"\d{2}", re.ASCII)),
    ("regencies", "province_code", re.compile(r"\d{2}\.\d{2}", re.ASCII)),
    ("districts", "regency_code", re.compile(r"\d{2}\.\d{2}\.\d{2}", re.ASCII)),
    ("villages", "district_code", re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}", re.ASCII)),
)
CHUNK = 5000
AREA_TABLE = SQLModel.metadata.tables[str(Area.__tablename__)]

AreaRow = dict[str, Any]


def package_csvs(*, package: Path) -> dict[str, str]:
    """Text of each level's CSV, read straight from the tarball in one pass."""
    wanted = {f"package/data/{name}.csv": name for name, _, _ in LEVELS}
    texts: dict[str, str] = {}
    with tarfile.open(package, "r:gz") as tar:
        for member in tar:
            fh = tar.extractfile(member) if member.name in wanted else None
            if fh is not None:
                texts[wanted[member.name]] = fh.read().decode("utf-8")
    missing = set(wanted.values()) - texts.keys()
    if missing:
        raise ValueError(f"{package.name} lacks {', '.join(sorted(missing))}.csv")
    return texts


def area_row(*, record: dict[str, str], level: int, parent_column: str | None, pattern: re.Pattern[str]) -> AreaRow:
    """One CSV record as an `area` row, refusing codes not in dotted Kemendagri form."""
    code = record["code"].strip()
    parent = record[parent_column].strip() if parent_column else None
    if not pattern.fullmatch(code) or (parent is not None and code.rsplit(".", 1)[0] != parent):
        raise ValueError(f"unexpected area code {code!r} (parent {parent!r}) at level {level}")
    return {"code": code, "name": record["name"].strip(), "level": level, "parent_code": parent}


def package_rows(*, province_codes: set[str] | None) -> Iterator[AreaRow]:
    """Every area in the package, parents before children, optionally only some provinces."""
    file_verify(path=PACKAGE, manifest=MANIFEST)
    texts = package_csvs(package=PACKAGE)
    for level, (name, parent_column, pattern) in enumerate(LEVELS, start=1):
        for record in csv.DictReader(io.StringIO(texts[name])):
            row = area_row(record=record, level=level, parent_column=parent_column, pattern=pattern)
            if province_codes is None or row["code"][:2] in province_codes:
                yield row


def chunks(*, rows: list[AreaRow]) -> Iterator[list[AreaRow]]:
    """`rows` in slices small enough for one executemany."""
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def areas_load(*, session: Session, province_codes: set[str] | None = None) -> int:
    """Insert new areas and update changed ones; return how many rows were written (caller commits)."""
    stored = stored_areas(session=session)
    fresh: list[AreaRow] = []
    changed: list[AreaRow] = []
    for row in package_rows(province_codes=province_codes):
        known = stored.get(row["code"])
        if known is None:
            fresh.append(row)
        elif known != (row["name"], row["level"], row["parent_code"]):
            changed.append(row)
    # Rows arrive ordered by level, so every chunk's parents are already inserted; Core beats ORM bulk by ~30 %.
    for part in chunks(rows=fresh):
        session.exec(insert(AREA_TABLE), params=part)
    for part in chunks(rows=changed):
        session.exec(update(Area), params=part)
    return len(fresh) + len(changed)
