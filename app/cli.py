"""Operator commands: `python -m app.cli <command>`. Each command function takes a database session."""

import argparse
import contextlib
import functools
import getpass
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import ParamSpec

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from app.admin.queries import pendamping_by_username
from app.admin.service import admin_user_create, kelompok_assign
from app.areas.service import areas_load
from app.clock import today_local
from app.curriculum.service import curriculum_load
from app.db import engine_create, get_engine, normalise_url
from app.errors import DomainError, RuleViolation
from app.i18n import N_, gettext
from app.models import ROLES, Area, Role
from app.partitions import partitions_ensure, partitions_list
from app.settings import ROOT, get_settings

P = ParamSpec("P")
OK, FAILED = 0, 1
PARTITIONS_AHEAD = 1
WORKER_RETRY_SECONDS = 5.0
WORKER_NICE = 10  # below the web server's priority: weight 110 against 1024 when both want a core
_NUMBERED = re.compile(r"^(?P<stem>.*?)(?P<number>\d+)$")
_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(.+)$", re.MULTILINE)


def reports_violations(func: Callable[P, int]) -> Callable[P, int]:
    """A refused rule becomes an Indonesian message on stderr and exit code 1, the database untouched."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> int:
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            session = kwargs.get("session")
            if isinstance(session, Session):
                session.rollback()
            print(gettext(exc.message, **exc.params), file=sys.stderr)
            return FAILED

    return wrapper


def migration_head() -> str | None:
    """The one head revision, read from the migration files; None when they are not a plain chain."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (ROOT / "alembic" / "versions").glob("*.py"):
        for name, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            literal = value.strip().strip("'\"")
            if not re.fullmatch(r"\w+", literal):
                if literal != "None":
                    return None
                continue
            (revisions if name == "revision" else parents).add(literal)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def migrations_pending(*, engine: Engine) -> bool:
    """Whether `alembic upgrade head` has work to do; asking alembic itself costs a second of imports."""
    head = migration_head()
    if head is None:
        return True
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return True
    return list(stored) != [head]


MIGRATE_LOCK_KEY = 0x70326B32  # pg_advisory_lock key every replica's `migrate` waits on ("p2k" + "2")


def _sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for PostgreSQL or an in-memory database."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


@contextlib.contextmanager
def migration_lock(*, engine: Engine, url: str) -> Iterator[Connection]:
    """One migrator at a time across processes and machines: a session advisory lock on PostgreSQL, an
    exclusive lock file beside the database on SQLite. Yields the connection the migrations run on."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATE_LOCK_KEY})
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATE_LOCK_KEY})
                connection.commit()
            return
        path = _sqlite_path(url)
        if path is None:
            yield connection
            return
        import fcntl

        with open(path.with_name(path.name + ".migrate-lock"), "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield connection
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def command_migrate(*, url: str | None = None) -> int:
    """Bring the schema to the newest migration (the database of the settings unless `url` is given); safe to
    run from several replicas at once: the others wait for the lock, then find the schema at head."""
    from alembic.config import Config

    from alembic import command  # imported here: `setup` on a migrated database never needs it

    target = url or get_settings().database_url
    engine = engine_create(target)
    try:
        with migration_lock(engine=engine, url=target) as connection:
            config = Config(str(ROOT / "alembic.ini"))
            config.set_main_option("sqlalchemy.url", target.replace("%", "%%"))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            partitions_ensure(connection=connection, years=_years_ahead(PARTITIONS_AHEAD))
            connection.commit()
    finally:
        engine.dispose()
    print(gettext("Skema basis data mutakhir."))
    return OK


def _years_ahead(ahead: int) -> range:
    this_year = today_local().year
    return range(this_year, this_year + ahead + 1)


def command_partitions(*, ahead: int = PARTITIONS_AHEAD, url: str | None = None) -> int:
    """Make the yearly partitions of attendance and auditlog up to `ahead` years past this one (PostgreSQL),
    moving rows that landed in a default partition into their year's; list every partition."""
    target = url or get_settings().database_url
    engine = engine_create(target)
    try:
        if engine.dialect.name != "postgresql":
            print(gettext("SQLite tidak dipartisi; tidak ada yang dibuat."))
            return OK
        # The migrators' lock: two runs at once (cron beside a deploy) would race to create the same table.
        with migration_lock(engine=engine, url=target) as connection:
            created = partitions_ensure(connection=connection, years=_years_ahead(ahead))
            connection.commit()
            for name in created:
                print(gettext("Partisi dibuat: %(name)s", name=name))
            for table, name, rows in partitions_list(connection=connection):
                print(f"{table:<12}{name:<24}{rows:>14,}")
    finally:
        engine.dispose()
    return OK


def _pg_url(url: str) -> str:
    """A libpq URL for pg_dump/pg_restore (no SQLAlchemy driver suffix)."""
    return normalise_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuleViolation(N_("Program %(name)s tidak ditemukan; pasang klien PostgreSQL."), name=name)
    return found


def _sqlite_integrity(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def command_backup(*, to: Path, url: str | None = None) -> int:
    """A consistent copy while the server keeps serving: SQLite's online backup API (one read snapshot, writers
    go on in WAL mode) into a temporary file renamed when complete, or `pg_dump -Fc` on PostgreSQL."""
    source = url or get_settings().database_url
    if to.is_dir():
        suffix = ".sqlite3" if source.startswith("sqlite") else ".dump"
        to = to / f"p2k2-{time.strftime('%Y%m%d-%H%M%S')}{suffix}"
    started = time.perf_counter()
    partial = to.with_name(to.name + ".partial")
    path = _sqlite_path(source)
    if path is not None:
        if not path.exists():
            raise RuleViolation(N_("Basis data %(path)s tidak ada."), path=str(path))
        partial.unlink(missing_ok=True)
        with (
            contextlib.closing(sqlite3.connect(path, timeout=30)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm beside it
            verdict = str(dst.execute("PRAGMA integrity_check").fetchone()[0])
        if verdict != "ok":
            partial.unlink(missing_ok=True)
            raise RuleViolation(N_("Salinan rusak: %(verdict)s"), verdict=verdict)
    elif source.startswith(("postgresql", "postgres")):
        result = subprocess.run(
            [_pg_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(partial), "--dbname", _pg_url(source)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise RuleViolation(N_("pg_dump gagal: %(error)s"), error=result.stderr.strip())
    else:
        raise RuleViolation(N_("Basis data ini tidak dapat dicadangkan."))
    partial.replace(to)
    print(
        gettext(
            "Cadangan ditulis ke %(path)s (%(size)s MB, %(seconds)s detik).",
            path=str(to),
            size=f"{to.stat().st_size / 1e6:.1f}",
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )
    return OK


def command_restore(*, source: Path, url: str | None = None) -> int:
    """Put a backup back (stop the app first): a SQLite copy is checked with `PRAGMA integrity_check`, then
    copied page by page into the database; a PostgreSQL dump goes through `pg_restore --clean`."""
    target = url or get_settings().database_url
    if not source.is_file():
        raise RuleViolation(N_("Berkas cadangan %(path)s tidak ada."), path=str(source))
    started = time.perf_counter()
    path = _sqlite_path(target)
    if path is not None:
        try:
            verdict = _sqlite_integrity(source)
        except sqlite3.DatabaseError as exc:
            verdict = str(exc)
        if verdict != "ok":
            raise RuleViolation(N_("Cadangan rusak, tidak dipulihkan: %(verdict)s"), verdict=verdict)
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            contextlib.closing(sqlite3.connect(path, timeout=30)) as dst,
        ):
            src.backup(dst)
    elif target.startswith(("postgresql", "postgres")):
        result = subprocess.run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
            + ["--dbname", _pg_url(target), str(source)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuleViolation(N_("pg_restore gagal: %(error)s"), error=result.stderr.strip())
    else:
        raise RuleViolation(N_("Basis data ini tidak dapat dipulihkan."))
    print(
        gettext(
            "Cadangan %(path)s dipulihkan (%(seconds)s detik).",
            path=str(source),
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )
    return OK


def _areas_load_report(*, session: Session, provinces: Sequence[str] | None) -> None:
    started = time.perf_counter()
    written = areas_load(session=session, province_codes=set(provinces) if provinces else None)
    session.commit()
    print(
        gettext(
            "%(count)s wilayah dimuat dalam %(seconds)s detik.",
            count=written,
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )


@reports_violations
def command_load_areas(*, session: Session, provinces: Sequence[str] | None = None) -> int:
    """Load Kemendagri areas from the vendored package: the whole country, or only some provinces."""
    _areas_load_report(session=session, provinces=provinces)
    return OK


def _demo_logins(logins: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Usernames with their role, numbered runs (pendamping01 … pendamping40) folded into one line."""
    lines: list[tuple[str, str]] = []
    run: list[tuple[str, int, str, str]] = []  # (stem, number, username, role)

    def flush() -> None:
        if len(run) > 2:
            lines.append((f"{run[0][2]} … {run[-1][2]}", run[0][3]))
        else:
            lines.extend((username, role) for _, _, username, role in run)
        run.clear()

    for username, role in logins:
        found = _NUMBERED.match(username)
        if found:
            stem, number = found["stem"], int(found["number"])
            if run and (run[-1][0], run[-1][1] + 1, run[-1][3]) == (stem, number, role):
                run.append((stem, number, username, role))
                continue
            flush()
            run.append((stem, number, username, role))
            continue
        flush()
        lines.append((username, role))
    flush()
    return lines


ROLE_LABELS: dict[str, str] = {
    Role.ADMIN: N_("Admin"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.PENINJAU: N_("Peninjau"),
    Role.PENDAMPING: N_("Pendamping"),
}


def demo_logins_print(*, logins: Sequence[tuple[str, str]], password: str) -> None:
    lines = _demo_logins(logins)
    width = max((len(username) for username, _ in lines), default=0)
    print(gettext("Akun demo (kata sandi untuk semua: %(password)s)", password=password))
    for username, role in lines:
        print(f"  {username.ljust(width)}  {gettext(ROLE_LABELS.get(role, role))}")


@reports_violations
def command_load_demo(*, session: Session, password: str | None = None) -> int:
    """The Kota Cimahi demo (curriculum first); a database that already has user `admin` is only summarised."""
    from app.demo.generator import demo_load

    curriculum_load(session=session)
    started = time.perf_counter()
    summary = demo_load(session=session, password=password or get_settings().demo_password)
    print(
        gettext(
            "Demo: %(users)s pengguna, %(kelompok)s kelompok, %(families)s KPM, %(members)s anggota, "
            "%(meetings)s pertemuan, %(attendance)s catatan kehadiran (%(seconds)s detik).",
            users=summary.users,
            kelompok=summary.kelompok,
            families=summary.families,
            members=summary.members,
            meetings=summary.meetings,
            attendance=summary.attendance,
            seconds=f"{time.perf_counter() - started:.1f}",
        )
    )
    return OK


@reports_violations
def command_setup(*, session: Session) -> int:
    """Everything `make run` needs after migrating: areas (once), curriculum, demo data, then the demo logins."""
    from app.demo.generator import demo_load

    settings = get_settings()
    # Migrations may seed a province row (poverty lines need it), so "no village yet" means "never loaded".
    if session.exec(select(Area.code).where(Area.level == 4).limit(1)).first() is None:
        _areas_load_report(session=session, provinces=None)
    else:
        print(gettext("Wilayah sudah ada; dilewati."))
    added = curriculum_load(session=session)
    if added:
        print(gettext("Kurikulum: %(count)s baris ditambahkan.", count=added))
    if settings.environment != "development":
        print(gettext("Data demo hanya dimuat di lingkungan pengembangan; dilewati."))
        return OK
    summary = demo_load(session=session, password=settings.demo_password)
    demo_logins_print(logins=summary.logins, password=settings.demo_password)
    return OK


@reports_violations
def command_create_user(
    *,
    session: Session,
    username: str,
    name: str,
    role: str,
    area: str,
    password: str | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
) -> int:
    if password is None:
        password = prompt(gettext("Kata sandi: "))
        if prompt(gettext("Ulangi kata sandi: ")) != password:
            raise RuleViolation(N_("Kedua kata sandi tidak sama."), field="password")
    user = admin_user_create(
        session=session, actor=None, username=username, full_name=name, role=role, area_code=area, password=password
    )
    print(gettext("Pengguna %(username)s telah dibuat.", username=user.username))
    return OK


@reports_violations
def command_assign_kelompok(*, session: Session, kelompok_id: int, username: str) -> int:
    pendamping = pendamping_by_username(session=session, username=username)
    kelompok = kelompok_assign(session=session, actor=None, kelompok_id=kelompok_id, pendamping_id=pendamping.id)
    print(gettext("Kelompok %(name)s kini didampingi %(username)s.", name=kelompok.name, username=pendamping.username))
    return OK


@reports_violations
def command_readiness(*, session: Session, workers: int | None = None) -> int:
    """The nightly job: every family's graduation readiness recomputed and stored."""
    import os
    import time

    from app.graduation.service import readiness_recompute_all

    started = time.perf_counter()
    families = readiness_recompute_all(session=session, workers=workers or os.cpu_count() or 1)
    print(
        gettext(
            "Kesiapan graduasi %(n)s KPM dihitung ulang dalam %(s)s detik.",
            n=families,
            s=f"{time.perf_counter() - started:.1f}",
        )
    )
    return OK


def command_check(*, session: Session, fix: bool = False) -> int:
    """Every derived column recounted; differences listed per column (exit code 1), stored again with `fix`."""
    from app.check import derived_check, derived_fix

    drifts = derived_fix(session=session) if fix else derived_check(session=session)
    if fix:
        session.commit()
    for drift in drifts:
        line = gettext("%(column)s: %(n)s baris berbeda", column=drift.column, n=drift.count)
        if drift.first:
            shown = ", ".join(f"id {i} ({stored} ≠ {real})" for i, stored, real in drift.first)
            line += f" — {shown}"
        print(line)
    differing = sum(drift.count for drift in drifts)
    if not differing:
        print(gettext("Semua kolom turunan sesuai dengan hitungan ulang."))
        return OK
    if fix:
        print(gettext("%(n)s baris dihitung ulang dan disimpan.", n=differing))
    return FAILED


def command_worker(*, session: Session, once: bool = False, poll: float = 1.0, nice: int = 0) -> int:
    """Run queued jobs (the recompute after a rule change), then store the verdicts roll calls queued
    (READINESS_REFRESH=worker): until none is left with --once, else for ever, looking every `poll` seconds. A
    job whose worker died is resumed after its last chunk."""
    import logging
    import signal

    from app.graduation.service import readiness_pending_drain
    from app.jobs.service import jobs_drain

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if nice and session.get_bind().dialect.name == "postgresql":
        # The web requests come first; the worker takes what they leave. Not on SQLite: there the worker's commit
        # holds the one write lock, and a worker put aside while it holds it would keep every tap waiting.
        os.nice(nice)
    log = logging.getLogger("p2k2.worker")
    try:
        while True:
            try:
                ran = jobs_drain(session=session)
                stored = readiness_pending_drain(session=session)
            except SQLAlchemyError:
                if once:
                    raise
                # The database went away (a restart, a failover): what was queued stays queued; try again.
                log.exception("database unavailable; the worker tries again in %s s", WORKER_RETRY_SECONDS)
                with contextlib.suppress(SQLAlchemyError):
                    session.rollback()
                time.sleep(WORKER_RETRY_SECONDS)
                continue
            if once:
                print(gettext("%(n)s tugas latar selesai.", n=ran))
                print(gettext("%(n)s kesiapan KPM yang antre disimpan.", n=stored))
                return OK
            time.sleep(poll)
    except KeyboardInterrupt:
        session.rollback()  # the chunk in flight is lost whole; the next worker resumes after the last committed
        return OK


def parser_build() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="P2K2 Tracker")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="alembic upgrade head (aman dijalankan beberapa replika sekaligus)")
    partitions = commands.add_parser("partitions", help="buat partisi tahunan kehadiran dan audit (PostgreSQL)")
    partitions.add_argument(
        "--ahead", type=int, default=PARTITIONS_AHEAD, metavar="N", help="tahun ke depan selain tahun ini"
    )
    backup = commands.add_parser("backup", help="cadangkan basis data selagi server melayani")
    backup.add_argument("--to", required=True, type=Path, metavar="PATH", help="berkas atau folder tujuan")
    restore = commands.add_parser("restore", help="pulihkan cadangan (hentikan aplikasi dahulu)")
    restore.add_argument("--from", dest="source", required=True, type=Path, metavar="PATH", help="berkas cadangan")
    areas = commands.add_parser("load-areas", help="muat wilayah Kemendagri")
    areas.add_argument("--province", action="append", metavar="KODE", help="kode provinsi, mis. 32 (boleh diulang)")
    commands.add_parser("load-demo", help="muat data demo Kota Cimahi")
    commands.add_parser("setup", help="migrate + wilayah + kurikulum + demo")
    user = commands.add_parser("create-user", help="buat pengguna")
    user.add_argument("--username", required=True)
    user.add_argument("--name", required=True)
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--area", required=True, help="kode wilayah, mis. 32.77")
    user.add_argument("--password")
    readiness = commands.add_parser("readiness", help="hitung ulang kesiapan graduasi semua KPM (tugas malam)")
    readiness.add_argument("--workers", type=int, help="jumlah proses (bawaan: jumlah inti CPU)")
    check = commands.add_parser("check", help="hitung ulang semua kolom turunan dan laporkan selisihnya")
    check.add_argument("--fix", action="store_true", help="simpan hasil hitung ulang untuk baris yang berbeda")
    worker = commands.add_parser(
        "worker", help="jalankan tugas latar (hitung ulang setelah aturan berubah, kesiapan KPM yang antre)"
    )
    worker.add_argument("--once", action="store_true", help="kerjakan yang antre lalu berhenti (uji, cron)")
    worker.add_argument("--poll", type=float, default=1.0, help="detik antara dua pemeriksaan antrean")
    worker.add_argument(
        "--nice", type=int, default=WORKER_NICE, help="prioritas CPU di bawah server web, PostgreSQL saja (0: sama)"
    )
    assign = commands.add_parser("assign-kelompok", help="tetapkan pendamping kelompok")
    assign.add_argument("--kelompok-id", type=int, required=True)
    assign.add_argument("--username", required=True)
    return parser


@reports_violations
def _backup_restore(args: argparse.Namespace) -> int:
    if args.command == "backup":
        return command_backup(to=args.to)
    return command_restore(source=args.source)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser_build().parse_args(argv)
    if args.command == "migrate":
        return command_migrate()
    if args.command == "partitions":
        return command_partitions(ahead=args.ahead)
    if args.command in ("backup", "restore"):
        return _backup_restore(args)
    if args.command == "setup" and migrations_pending(engine=get_engine()):
        command_migrate()
    with Session(get_engine()) as session:
        if args.command == "setup":
            return command_setup(session=session)
        if args.command == "load-areas":
            return command_load_areas(session=session, provinces=args.province)
        if args.command == "load-demo":
            return command_load_demo(session=session)
        if args.command == "readiness":
            return command_readiness(session=session, workers=args.workers)
        if args.command == "check":
            return command_check(session=session, fix=args.fix)
        if args.command == "worker":
            return command_worker(session=session, once=args.once, poll=args.poll, nice=args.nice)
        if args.command == "create-user":
            return command_create_user(
                session=session,
                username=args.username,
                name=args.name,
                role=args.role,
                area=args.area,
                password=args.password,
            )
        return command_assign_kelompok(session=session, kelompok_id=args.kelompok_id, username=args.username)


if __name__ == "__main__":
    sys.exit(main())
