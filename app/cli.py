"""Operator commands: `python -m app.cli <command>`. Each command function takes a database session."""

import argparse
import functools
import getpass
import re
import sys
import time
from collections.abc import Callable, Sequence
from typing import ParamSpec

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from app.admin.queries import pendamping_by_username
from app.admin.service import admin_user_create, kelompok_assign
from app.areas.service import areas_load
from app.curriculum.service import curriculum_load
from app.db import get_engine
from app.errors import DomainError, RuleViolation
from app.i18n import N_, gettext
from app.models import ROLES, Area, Role
from app.settings import ROOT, get_settings

P = ParamSpec("P")
OK, FAILED = 0, 1
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


def command_migrate(*, url: str | None = None) -> int:
    """Bring the schema to the newest migration (the database of the settings unless `url` is given)."""
    from alembic.config import Config

    from alembic import command  # imported here: `setup` on a migrated database never needs it

    config = Config(str(ROOT / "alembic.ini"))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")
    print(gettext("Skema basis data mutakhir."))
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


def command_worker(*, session: Session, once: bool = False, poll: float = 1.0) -> int:
    """Run queued jobs (the recompute after a rule change): until none is left with --once, else for ever,
    polling the job table every `poll` seconds. A job whose worker died is resumed after its last chunk."""
    import logging
    import signal

    from app.jobs.service import jobs_drain

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            ran = jobs_drain(session=session)
            if once:
                print(gettext("%(n)s tugas latar selesai.", n=ran))
                return OK
            time.sleep(poll)
    except KeyboardInterrupt:
        session.rollback()  # the chunk in flight is lost whole; the next worker resumes after the last committed
        return OK


def parser_build() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="P2K2 Tracker")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="alembic upgrade head")
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
    worker = commands.add_parser("worker", help="jalankan tugas latar (hitung ulang setelah aturan berubah)")
    worker.add_argument("--once", action="store_true", help="kerjakan yang antre lalu berhenti (uji, cron)")
    worker.add_argument("--poll", type=float, default=1.0, help="detik antara dua pemeriksaan antrean")
    assign = commands.add_parser("assign-kelompok", help="tetapkan pendamping kelompok")
    assign.add_argument("--kelompok-id", type=int, required=True)
    assign.add_argument("--username", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser_build().parse_args(argv)
    if args.command == "migrate":
        return command_migrate()
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
            return command_worker(session=session, once=args.once, poll=args.poll)
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
