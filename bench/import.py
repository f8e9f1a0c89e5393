"""Roster import benchmark: a generated file of 100,000 member rows, dry run then apply, seconds and peak RSS.

python -m bench.import [--database-url URL] [--rows 100000] [--format xlsx|csv]

Without --database-url a fresh SQLite file in a temporary directory is used; a PostgreSQL URL is emptied first
(DROP SCHEMA public CASCADE) and migrated. The file is written by a child process, so the peak RSS printed is the
import's own (dry run and apply run here, as the worker runs them).
"""

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

KECAMATAN = ("32.77.01", "32.77.02", "32.77.03")
VILLAGES = ("32.77.01.1001", "32.77.02.1001", "32.77.03.1001")
KELOMPOK_PER_VILLAGE = 20


def rows_of(count: int) -> list[list[str]]:
    """`count` member rows: families of 4 (mother as pengurus, father, two children), numbers as text."""
    from app.identity.rules import nik_make
    from app.roster.rules import HEADERS

    index = {h: i for i, h in enumerate(HEADERS)}
    out: list[list[str]] = []
    family = 0
    while len(out) < count:
        family += 1
        village = VILLAGES[family % len(VILLAGES)]
        kecamatan = village[:8]
        kk = f"{kecamatan.replace('.', '')}0101{family % 100:02d}{family // 100 + 1:04d}"
        kelompok = f"Kelompok {village[-6:]}-{family % KELOMPOK_PER_VILLAGE + 1}"
        people = [
            ("Ibu", date(1980, 1, 1) + timedelta(days=family % 5000), "P", "Istri", "Ya"),
            ("Bapak", date(1978, 1, 1) + timedelta(days=family % 5000), "L", "Kepala Keluarga", ""),
            ("Anak A", date(2012, 1, 1) + timedelta(days=family % 3000), "L", "Anak", ""),
            ("Anak B", date(2016, 1, 1) + timedelta(days=family % 2000), "P", "Anak", ""),
        ]
        for number, (name, born, sex, relation, pengurus) in enumerate(people, start=1):
            if len(out) >= count:
                break
            row = [""] * len(HEADERS)
            serial = (family * 4 + number) % 9999 + 1
            row[index["No. KK"]] = kk
            row[index["ID PKH"]] = f"BENCH-{family:06d}"
            row[index["Kode Wilayah"]] = village
            row[index["Alamat"]] = f"Jl. Bench {family} RT 0{family % 9 + 1}"
            row[index["Kelompok"]] = kelompok
            row[index["Desil"]] = str(family % 4 + 1)
            row[index["NIK"]] = nik_make(kecamatan_code=kecamatan, birth_date=born, sex=sex, serial=serial)
            row[index["Nama"]] = f"{name} {family}"
            row[index["Tanggal Lahir"]] = born.strftime("%d/%m/%Y")
            row[index["Jenis Kelamin"]] = sex
            row[index["Hubungan Keluarga"]] = relation
            row[index["Pengurus"]] = pengurus
            row[index["Sekolah"]] = "SD" if name == "Anak A" else ""
            out.append(row)
    return out


def file_write(path: Path, rows: int, kind: str) -> None:
    from app.roster.rules import HEADERS

    data = rows_of(rows)
    if kind == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(HEADERS)
            writer.writerows(data)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("KPM")
    sheet.append(["DAFTAR KPM PKH"])
    sheet.append(["KABUPATEN:", "Kota Cimahi"])
    sheet.append(list(HEADERS))
    for row in data:
        sheet.append(row)
    workbook.save(path)


def database_prepare(url: str) -> None:
    from app.db import engine_create
    from app.models import Area, Kelompok, Role, User
    from tests.conftest import migrate
    from tests.factories import CIMAHI, base_data_load

    engine = engine_create(url)
    migrate(url, engine)
    with Session(engine) as session:
        base_data_load(session=session)
        for code, name, level, parent in CIMAHI:
            if session.get(Area, code) is None:
                session.add(Area(code=code, name=name, level=level, parent_code=parent))
        session.add(User(username="bench-admin", full_name="Bench Admin", password_hash="-", role=Role.ADMIN))
        session.flush()
        for village in VILLAGES:
            for k in range(1, KELOMPOK_PER_VILLAGE + 1):
                session.add(Kelompok(name=f"Kelompok {village[-6:]}-{k}", village_code=village))
        session.commit()
    engine.dispose()


def measure(url: str, path: Path, store: Path) -> None:
    from sqlmodel import select

    from app.db import engine_create
    from app.models import RosterImport, User
    from app.roster import service

    service.storage_dir = lambda: store  # type: ignore[assignment]
    engine = engine_create(url)
    with Session(engine) as session:
        admin = session.exec(select(User).where(User.username == "bench-admin")).one()
        upload = store / ("upload" + path.suffix)
        upload.write_bytes(path.read_bytes())
        started = time.perf_counter()
        record = service.roster_import_create(session=session, user=admin, filename=path.name, path=upload)
        service.roster_import_check(session=session, record_id=record.id or 0)
        checked = time.perf_counter()
        record = session.get(RosterImport, record.id, populate_existing=True)
        assert record is not None
        print(
            f"dry run: {checked - started:.1f} s — rows {record.rows_total:,}, new families {record.new_families:,}, "
            f"new members {record.new_members:,}, refused {record.refused:,} {record.error}",
            flush=True,
        )
        service.roster_apply_request(session=session, user=admin, record=record)
        applied_ok = service.roster_import_apply(session=session, record_id=record.id or 0)
        applied = time.perf_counter()
        record = session.get(RosterImport, record.id, populate_existing=True)
        assert record is not None
        print(f"apply: {applied - checked:.1f} s — {record.status} {record.error}", flush=True)
        print(f"dry run + apply: {applied - started:.1f} s (applied: {applied_ok})", flush=True)
    engine.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"peak RSS: {usage.ru_maxrss / 1024:.0f} MB; CPU (user + system) of this process: "
        f"{usage.ru_utime + usage.ru_stime:.1f} s",
        flush=True,
    )
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--write-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_file:
        file_write(args.write_file, args.rows, args.format)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = args.database_url or f"sqlite:///{work / 'import-bench.sqlite3'}"
        path = work / f"kpm-{args.rows}.{args.format}"
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.import",
                "--write-file",
                str(path),
                "--rows",
                str(args.rows),
                "--format",
                args.format,
            ],
            check=True,
        )
        print(
            f"file: {path.name}, {path.stat().st_size / 1e6:.1f} MB, written in {time.perf_counter() - started:.1f} s"
        )
        database_prepare(url)
        print(f"database: {url.split('@')[-1]}; load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", flush=True)
        store = work / "store"
        store.mkdir()
        measure(url, path, store)


if __name__ == "__main__":
    main()
