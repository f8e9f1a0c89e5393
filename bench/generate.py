"""Build a large synthetic kabupaten (Kabupaten Bandung, 32.04) for benchmarks, on SQLite or PostgreSQL.

Default size: 100,000 KPM in 4,000 kelompok run by 400 pendamping, 24 months of monthly meetings
(about 2.4 million attendance rows), members, assessments, month locks, quality reviews and graduation
proposals. Rows are built as tuples with explicit ids and written with COPY (PostgreSQL) or executemany
in one big transaction with journalling off (SQLite).

    python -m bench.generate --database-url sqlite:///data/bench.sqlite3
    python -m bench.generate --database-url postgresql://postgres@127.0.0.1:5432/p2k2_bench
"""

import argparse
import json
import random
import sqlite3
import time as clock
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from alembic import command
from app.areas.service import areas_load
from app.auth.security import password_hash
from app.clock import today_local
from app.curriculum.queries import TopicRef, topics_active
from app.curriculum.service import curriculum_load
from app.db import engine_create, normalise_url
from app.models import AidApplicationStatus, AidProgramme, Area, CurriculumModule, Indicator, name_key_of
from app.partitions import partitions_ensure
from app.settings import ROOT

KABUPATEN = "32.04"  # Kabupaten Bandung
PASSWORD = "p2k2bench"
KPM_PER_KELOMPOK = 25
KELOMPOK_PER_PENDAMPING = 10
SQLITE_CHUNK = 50_000
ASSESSMENT_BLOCK = 50_000  # families whose assessments are built, then written, together
ASSESSMENT_COLUMNS = (
    "id",
    "family_id",
    "kind",
    "assessed_on",
    "observer_id",
    "status",
    "module_id",
    "household_size",
    "monthly_income",
    "monthly_spending",
    "income_sources",
    "has_savings",
    "roof_ok",
    "wall_ok",
    "floor_ok",
    "safe_water",
    "healthy_latrine",
    "desil",
    "notes",
    "created_at",
    "updated_at",
)
STATUS_WEIGHTS = (("hadir", 0.0), ("izin", 0.45), ("sakit", 0.7), ("alpa", 1.0))
CHECKLIST_ITEMS = ("pembukaan", "review", "kegiatan_lk", "tugas_rumah", "waktu", "partisipasi", "materi")
FIRST_FEMALE = (
    "Siti",
    "Euis",
    "Neneng",
    "Imas",
    "Yati",
    "Enok",
    "Popon",
    "Lilis",
    "Nining",
    "Dewi",
    "Rina",
    "Yuyun",
    "Cucu",
    "Ai",
    "Teti",
    "Wati",
    "Iis",
    "Entin",
    "Rohayati",
    "Nurhayati",
)
FIRST_MALE = (
    "Asep",
    "Dede",
    "Ujang",
    "Cecep",
    "Dadang",
    "Endang",
    "Agus",
    "Iwan",
    "Yayat",
    "Ade",
    "Deden",
    "Jajang",
    "Usep",
    "Wawan",
    "Rahmat",
    "Ridwan",
    "Hendra",
    "Budi",
    "Dani",
    "Rudi",
)
LAST = (
    "Sutisna",
    "Suryana",
    "Kurniawan",
    "Hidayat",
    "Rohman",
    "Saepudin",
    "Permana",
    "Gunawan",
    "Setiawan",
    "Mulyana",
    "Supriatna",
    "Nugraha",
    "Ramdani",
    "Hermawan",
    "Firmansyah",
    "Maulana",
)
FLOWERS = ("Mawar", "Melati", "Anggrek", "Kenanga", "Dahlia", "Flamboyan", "Cempaka", "Teratai", "Sakura", "Tulip")

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    kecamatan: str


class Writer:
    """Bulk writer for one database: `rows` go to `table` (columns named) as fast as the driver allows."""

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[Row]) -> int:
        raise NotImplementedError

    def day(self, value: date) -> Any:
        return value

    def moment(self, value: datetime) -> Any:
        return value

    def clock_time(self, value: time) -> Any:
        return value

    def close(self) -> None:
        raise NotImplementedError


class PostgresWriter(Writer):
    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        # Foreign-key triggers off for the load (ids are consistent by construction); needs a superuser.
        try:
            self.conn.execute("SET session_replication_role = replica")
        except psycopg.Error:
            self.conn.rollback()

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[Row]) -> int:
        n = 0
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n

    def close(self) -> None:
        self.conn.execute("SET session_replication_role = DEFAULT")
        for table in (
            "user",
            "kelompok",
            "family",
            "member",
            "meeting",
            "attendance",
            "monthlock",
            "qualityreview",
            "assessment",
            "assessmentvalue",
            "graduationproposal",
            "aidreceipt",
            "aidapplication",
        ):
            self.conn.execute(
                f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                                  COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)"""
            )
        self.conn.commit()
        self.conn.autocommit = True
        self.conn.execute("VACUUM ANALYZE")
        self.conn.close()


class SqliteWriter(Writer):
    """SQLite stores dates, times and datetimes as text in SQLAlchemy's own formats."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-400000")
        self.conn.execute("BEGIN")

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[Row]) -> int:
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        n = 0
        chunk: list[Row] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= SQLITE_CHUNK:
                self.conn.executemany(sql, chunk)
                n += len(chunk)
                chunk = []
        if chunk:
            self.conn.executemany(sql, chunk)
            n += len(chunk)
        return n

    def day(self, value: date) -> str:
        return value.isoformat()

    def moment(self, value: datetime) -> str:
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def clock_time(self, value: time) -> str:
        return value.strftime("%H:%M:%S.%f")

    def close(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()


def database_fresh(url: str) -> None:
    """An empty database at `url`: the SQLite file removed, or PostgreSQL's public schema recreated."""
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        return
    engine = engine_create(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def database_migrate(url: str) -> None:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")


def partitions_years(url: str, years: range) -> None:
    """On PostgreSQL, a partition for every year the marks will fall in, so the load never fills the default one."""
    engine = engine_create(url)
    try:
        with engine.begin() as conn:
            partitions_ensure(connection=conn, years=years)
    finally:
        engine.dispose()


def month_shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def reference_load(url: str) -> tuple[list[Village], list[TopicRef], list[tuple[int, str]], int]:
    """Areas of Jawa Barat and the curriculum; returns the kabupaten's villages, core topics, indicators."""
    engine = engine_create(url)
    with Session(engine) as session:
        areas_load(session=session, province_codes={KABUPATEN[:2]})
        curriculum_load(session=session)
        session.commit()
        villages = [
            Village(code=a.code, name=a.name, kecamatan=a.parent_code or "")
            for a in session.exec(
                select(Area).where(Area.level == 4, col(Area.code).like(KABUPATEN + ".%")).order_by(col(Area.code))
            ).all()
        ]
        topics = topics_active(session=session, core_only=True)
        indicators = [
            (i.id or 0, i.value_type)
            for i in session.exec(
                select(Indicator).where(col(Indicator.active).is_(True)).order_by(col(Indicator.id))
            ).all()
        ]
        first_module = session.exec(select(CurriculumModule.id).order_by(col(CurriculumModule.no))).first() or 1
    engine.dispose()
    return villages, topics, indicators, int(first_module)


def programmes_load(url: str) -> dict[str, int]:
    """The seeded complementary-aid catalogue: programme code → id."""
    engine = engine_create(url)
    with Session(engine) as session:
        found = {p.code: p.id or 0 for p in session.exec(select(AidProgramme)).all()}
    engine.dispose()
    return found


def generate(
    *,
    url: str,
    kpm: int = 100_000,
    months: int = 24,
    seed: int = 1,
    today: date | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Build the benchmark kabupaten into a fresh database at `url`; return row counts per table."""
    say = log or (lambda _msg: None)
    url = normalise_url(url)
    started = clock.perf_counter()
    database_fresh(url)
    database_migrate(url)
    day_one = today or today_local()
    partitions_years(url, range(month_shift(day_one.replace(day=1), -(months - 1)).year, day_one.year + 2))
    villages, topics, indicators, first_module = reference_load(url)
    programmes = programmes_load(url)
    say(f"schema and reference data in {clock.perf_counter() - started:.1f} s ({len(villages)} villages)")
    writer: Writer = SqliteWriter(make_url(url).database or "") if url.startswith("sqlite") else PostgresWriter(url)
    try:
        counts = _load(
            writer=writer,
            villages=villages,
            topics=topics,
            indicators=indicators,
            first_module=first_module,
            programmes=programmes,
            kpm=kpm,
            months=months,
            rng=random.Random(seed),
            today=today or today_local(),
            say=say,
        )
    finally:
        writer.close()
    derived_counts(url)
    say(f"done in {clock.perf_counter() - started:.1f} s")
    return counts


def derived_counts(url: str) -> None:
    """What the services keep beside the marks and values (per meeting, family, assessment) and the stored
    verdicts, computed in bulk."""
    from app.aid.service import aid_held_refresh
    from app.assessments.service import assessment_scores_refresh
    from app.attendance.service import attendance_summaries_refresh
    from app.graduation.service import readiness_recompute_all
    from app.meetings.service import kelompok_last_held_refresh

    engine = engine_create(url)
    try:
        with Session(engine) as session:
            attendance_summaries_refresh(session=session)
            assessment_scores_refresh(session=session)
            kelompok_last_held_refresh(session=session, kelompok_ids=None)
            aid_held_refresh(session=session)
            session.commit()
            readiness_recompute_all(session=session)  # the stored verdicts, as the nightly job leaves them
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
    finally:
        engine.dispose()


def _load(
    *,
    writer: Writer,
    villages: list[Village],
    topics: list[TopicRef],
    indicators: list[tuple[int, str]],
    first_module: int,
    kpm: int,
    months: int,
    rng: random.Random,
    programmes: dict[str, int] | None = None,
    today: date,
    say: Callable[[str], None],
) -> dict[str, int]:
    w, day, moment = writer, writer.day, writer.moment
    now = moment(datetime.now(UTC))
    counts: dict[str, int] = {}
    n_kelompok = max(1, -(-kpm // KPM_PER_KELOMPOK))
    n_pendamping = max(1, -(-n_kelompok // KELOMPOK_PER_PENDAMPING))
    hashed = password_hash(PASSWORD)
    user_cols = (
        "id",
        "username",
        "full_name",
        "password_hash",
        "role",
        "area_code",
        "locale",
        "is_active",
        "created_at",
    )
    staff: list[Row] = [
        (1, "admin", "Admin Dinsos", hashed, "admin", KABUPATEN, "id", True, now),
        (2, "supervisor", "Supervisor Kab. Bandung", hashed, "supervisor", KABUPATEN, "id", True, now),
        (3, "peninjau", "Peninjau Kab. Bandung", hashed, "peninjau", KABUPATEN, "id", True, now),
    ]
    pendamping_ids = list(range(4, 4 + n_pendamping))
    kelompok_village = [villages[j * len(villages) // n_kelompok] for j in range(n_kelompok)]
    for p in pendamping_ids:
        first = FIRST_FEMALE[p % len(FIRST_FEMALE)] if p % 2 else FIRST_MALE[p % len(FIRST_MALE)]
        home = kelompok_village[min(n_kelompok - 1, (p - 4) * KELOMPOK_PER_PENDAMPING)]
        staff.append(
            (
                p,
                f"pendamping{p - 3:04d}",
                f"{first} {LAST[p % len(LAST)]}",
                hashed,
                "pendamping",
                home.code,
                "id",
                True,
                now,
            )
        )
    counts["user"] = w.write("user", user_cols, staff)

    kelompok_rows: list[Row] = []
    kelompok_pendamping: list[int] = []
    for j in range(n_kelompok):
        pendamping = pendamping_ids[min(len(pendamping_ids) - 1, j // KELOMPOK_PER_PENDAMPING)]
        kelompok_pendamping.append(pendamping)
        village = kelompok_village[j]
        kelompok_rows.append(
            (
                j + 1,
                f"Kelompok {FLOWERS[j % len(FLOWERS)]} {j + 1}",
                village.code,
                pendamping,
                f"Balai Desa {village.name}",
                True,
                now,
            )
        )
    counts["kelompok"] = w.write(
        "kelompok",
        ("id", "name", "village_code", "pendamping_id", "default_place", "active", "created_at"),
        kelompok_rows,
    )
    say(f"users and kelompok: {counts['user']} / {counts['kelompok']}")

    first_month = month_shift(today.replace(day=1), -(months - 1))
    members_of: list[list[int]] = [[] for _ in range(n_kelompok)]
    propensity: list[float] = [0.0] * (kpm + 1)
    family_rows: list[Row] = []
    member_rows: list[Row] = []
    aid_members: list[tuple[int, int, str]] = []  # (member id, family id, schooling)
    member_id = 0
    for f in range(1, kpm + 1):
        k = (f - 1) % n_kelompok
        members_of[k].append(f)
        village = kelompok_village[k]
        propensity[f] = rng.choice((0.97, 0.92, 0.88, 0.85, 0.8, 0.7, 0.55))
        wife, husband = FIRST_FEMALE[rng.randrange(len(FIRST_FEMALE))], FIRST_MALE[rng.randrange(len(FIRST_MALE))]
        surname = LAST[rng.randrange(len(LAST))]
        enrolled = first_month - timedelta(days=rng.randrange(0, 900))
        kk = f"{village.kecamatan.replace('.', '')}{f % 10_000_000_000:010d}"
        family_rows.append(
            (
                f,
                f"PKH-3204-{f:07d}",
                kk,
                f"{wife} {surname}",
                f"Kp. {village.name} RT 0{f % 9 + 1}",
                village.code,
                k + 1,
                "aktif",
                day(enrolled),
                rng.randint(1, 4),
                rng.choice((True, True, True, True, True, True, False, None, None, None)),
                now,
                now,
            )
        )
        kec = village.kecamatan.replace(".", "")
        born_mother = date(1975 + rng.randrange(25), rng.randint(1, 12), rng.randint(1, 28))
        people = [
            (f"{wife} {surname}", born_mother, "P", "istri", True, "lulus"),
            (
                f"{husband} {surname}",
                born_mother - timedelta(days=rng.randrange(400, 3000)),
                "L",
                "suami",
                False,
                "lulus",
            ),
        ]
        for c in range(rng.choice((1, 2, 2, 3))):
            born = date(2008 + rng.randrange(17), rng.randint(1, 12), rng.randint(1, 28))
            age = today.year - born.year
            school = (
                "belum" if age < 4 else "paud" if age <= 6 else "sd" if age <= 12 else "smp" if age <= 15 else "sma"
            )
            sex = "P" if (f + c) % 2 else "L"
            people.append(
                (
                    f"{(FIRST_FEMALE if sex == 'P' else FIRST_MALE)[(f + c) % 20]} {surname}",
                    born,
                    sex,
                    "anak",
                    False,
                    school,
                )
            )
        for name, born, sex, rel, pengurus, school in people:
            member_id += 1
            dd = born.day + (40 if sex == "P" else 0)
            nik = f"{kec}{dd:02d}{born.month:02d}{born.year % 100:02d}{member_id % 9999 + 1:04d}"
            aid_members.append((member_id, f, school))
            member_rows.append(
                (
                    member_id,
                    f,
                    name,
                    name_key_of(name),
                    nik if member_id % 50 else None,
                    day(born),
                    sex,
                    rel,
                    pengurus,
                    school,
                    False,
                    False,
                    rel != "anak" or rng.random() < 0.9,
                    True,
                )
            )
    counts["family"] = w.write(
        "family",
        (
            "id",
            "programme_id",
            "kk_number",
            "head_name",
            "address",
            "village_code",
            "kelompok_id",
            "status",
            "enrolled_on",
            "desil",
            "house_livable",
            "created_at",
            "updated_at",
        ),
        family_rows,
    )
    counts["member"] = w.write(
        "member",
        (
            "id",
            "family_id",
            "name",
            "name_key",
            "nik",
            "birth_date",
            "sex",
            "relationship",
            "is_pengurus",
            "schooling",
            "pregnant",
            "severe_disability",
            "has_birth_certificate",
            "active",
        ),
        member_rows,
    )
    del family_rows, member_rows
    say(f"families and members: {counts['family']} / {counts['member']}")

    # Meetings: one a month per kelompok; ~3 % of kelompok stopped meeting three months ago (overdue list).
    meeting_rows: list[Row] = []
    held: list[tuple[int, int, Any, int]] = []  # (meeting id, kelompok index, recorded_at, year)
    start_at = w.clock_time(time(9, 0))
    stopped = {k for k in range(n_kelompok) if rng.random() < 0.03}
    meeting_id = 0
    for k in range(n_kelompok):
        offset = rng.randrange(len(topics))
        for m in range(months):
            month = month_shift(first_month, m)
            if k in stopped and m >= months - 3:
                continue
            meeting_day = month + timedelta(days=rng.randrange(0, 27))
            topic = topics[(offset + m) % len(topics)]
            r = rng.random()
            if meeting_day > today:
                status = "dijadwalkan"
            elif r < 0.03:
                status = "dibatalkan"
            elif r < 0.05:
                status = "dijadwalkan"  # past but never marked held
            else:
                status = "terlaksana"
            meeting_id += 1
            at = moment(datetime.combine(meeting_day, time(4, 0), UTC))
            meeting_rows.append(
                (
                    meeting_id,
                    k + 1,
                    topic.id,
                    day(meeting_day),
                    start_at,
                    topic.duration_minutes,
                    kelompok_rows[k][4],
                    status,
                    False,
                    "",
                    kelompok_pendamping[k],
                    at,
                    at,
                )
            )
            if status == "terlaksana":
                held.append((meeting_id, k, at, meeting_day.year))
    counts["meeting"] = w.write(
        "meeting",
        (
            "id",
            "kelompok_id",
            "topic_id",
            "date",
            "start_time",
            "duration_minutes",
            "place",
            "status",
            "is_makeup",
            "notes",
            "created_by_id",
            "created_at",
            "updated_at",
        ),
        meeting_rows,
    )
    say(f"meetings: {counts['meeting']}")

    random_ = rng.random

    def attendance_rows() -> Iterator[Row]:
        aid = 0
        for mid, k, at, year in held:
            recorder = kelompok_pendamping[k]
            for f in members_of[k]:
                aid += 1
                r = random_()
                p = propensity[f]
                if r < p:
                    status = "hadir"
                else:
                    share = (r - p) / (1.0 - p)
                    status = "izin" if share < 0.35 else "sakit" if share < 0.6 else "alpa"
                yield (aid, mid, f, status, "pengurus", "", recorder, at, year)

    counts["attendance"] = w.write(
        "attendance",
        (
            "id",
            "meeting_id",
            "family_id",
            "status",
            "attendee",
            "attendee_name",
            "recorded_by_id",
            "recorded_at",
            "year",
        ),
        attendance_rows(),
    )
    say(f"attendance: {counts['attendance']}")

    # Month locks: a supervisor verified every month but the last two for 90 % of kelompok.
    lock_rows: list[Row] = []
    verified = moment(datetime.now(UTC) - timedelta(days=30))
    for k in range(n_kelompok):
        for m in range(months - 2):
            if random_() < 0.9:
                lock_rows.append((len(lock_rows) + 1, k + 1, day(month_shift(first_month, m)), 2, verified))
    counts["monthlock"] = w.write(
        "monthlock", ("id", "kelompok_id", "month", "verified_by_id", "verified_at"), lock_rows
    )

    # Quality reviews: about two held meetings per pendamping per quarter.
    review_rows: list[Row] = []
    for mid, _k, at, _year in held:
        if random_() < 0.025:
            marks = {item: rng.choice((1, 2, 2)) for item in CHECKLIST_ITEMS}
            score = round(100 * sum(marks.values()) / (2 * len(CHECKLIST_ITEMS)))
            review_rows.append((len(review_rows) + 1, mid, 2, json.dumps(marks), score, "", at))
    counts["qualityreview"] = w.write(
        "qualityreview", ("id", "meeting_id", "supervisor_id", "checklist", "score", "notes", "created_at"), review_rows
    )

    # Assessments: a baseline and one or two follow-ups per family, with a value for every active indicator;
    # written a block of families at a time (a million KPM carry sixty million values).
    counts["assessment"] = counts["assessmentvalue"] = 0
    assessment_id = value_id = 0
    for block_start in range(1, kpm + 1, ASSESSMENT_BLOCK):
        assessment_rows: list[Row] = []
        value_rows: list[Row] = []
        for f in range(block_start, min(kpm, block_start + ASSESSMENT_BLOCK - 1) + 1):
            k = (f - 1) % n_kelompok
            observer = kelompok_pendamping[k]
            income = rng.randrange(800, 4000) * 1000
            on = first_month + timedelta(days=rng.randrange(0, 60))
            for step in range(1 + rng.choice((1, 2))):
                assessment_id += 1
                aid = assessment_id
                size = 3 + f % 3
                assessment_rows.append(
                    (
                        aid,
                        f,
                        "baseline" if step == 0 else "lanjutan",
                        day(on),
                        observer,
                        "final",
                        None if step == 0 else first_module,
                        size,
                        income,
                        int(income * 0.9),
                        1 + (step and f % 2),
                        step > 0 and random_() < 0.5,
                        True,
                        random_() < 0.8,
                        random_() < 0.7,
                        random_() < 0.8,
                        random_() < 0.75,
                        rng.randint(1, 5),
                        "",
                        now,
                        now,
                    )
                )
                for indicator_id, kind in indicators:
                    value_id += 1
                    if kind == "number":
                        value = (value_id, aid, indicator_id, None, float(rng.randrange(0, 12)), day(on), observer)
                    else:
                        value = (value_id, aid, indicator_id, random_() < 0.4 + 0.2 * step, None, day(on), observer)
                    value_rows.append(value)
                income = int(income * (1.0 + rng.random() * 0.3))
                on = on + timedelta(days=rng.randrange(180, 330))
                if on > today:
                    break
        counts["assessment"] += w.write("assessment", ASSESSMENT_COLUMNS, assessment_rows)
        counts["assessmentvalue"] += w.write(
            "assessmentvalue",
            ("id", "assessment_id", "indicator_id", "value_bool", "value_num", "observed_on", "observer_id"),
            value_rows,
        )
    say(f"assessments: {counts['assessment']} with {counts['assessmentvalue']} values")

    proposal_rows: list[Row] = []
    for f in range(1, kpm + 1):
        if random_() < 0.015:
            k = (f - 1) % n_kelompok
            proposal_rows.append(
                (
                    len(proposal_rows) + 1,
                    f,
                    rng.choice(("alamiah", "mandiri")),
                    "diusulkan",
                    "{}",
                    kelompok_pendamping[k],
                    now,
                    "",
                )
            )
    counts["graduationproposal"] = w.write(
        "graduationproposal",
        ("id", "family_id", "route", "status", "readiness_snapshot", "proposed_by_id", "proposed_at", "reason"),
        proposal_rows,
    )
    counts.update(
        _aid_load(writer=w, programmes=programmes or {}, members=aid_members, kpm=kpm, rng=rng, today=today, now=now)
    )
    return counts


def _aid_load(
    *,
    writer: Writer,
    programmes: dict[str, int],
    members: list[tuple[int, int, str]],
    kpm: int,
    rng: random.Random,
    today: date,
    now: Any,
) -> dict[str, int]:
    """Complementary aid: most members insured, most school children with PIP, most families on Sembako, a few
    Rutilahu; 2 % of families with an application waiting for a decision. Read back from the written members."""
    if not programmes:
        return {}
    w, day = writer, writer.day
    receipts: list[Row] = []
    since = day(today - timedelta(days=400))

    def receipt(family: int, member: int | None, code: str) -> None:
        key = f"{programmes[code]}:{family}:{member or 0}"
        receipts.append((len(receipts) + 1, family, member, programmes[code], since, "DTSEN", "", key, now))

    for member, family, schooling in members:
        if rng.random() < 0.8:
            receipt(family, member, "PBI_JK")
        if schooling in ("sd", "smp", "sma") and rng.random() < 0.7:
            receipt(family, member, "PIP")
    for family in range(1, kpm + 1):
        if rng.random() < 0.85:
            receipt(family, None, "SEMBAKO")
        if rng.random() < 0.03:
            receipt(family, None, "RUTILAHU")
        if rng.random() < 0.05:
            receipt(family, None, "KUBE")
    counts = {
        "aidreceipt": w.write(
            "aidreceipt",
            (
                "id",
                "family_id",
                "member_id",
                "programme_id",
                "since",
                "source",
                "end_note",
                "open_key",
                "created_at",
            ),
            receipts,
        )
    }
    waiting = AidApplicationStatus.DIAJUKAN.value
    applications = [
        (n + 1, family, programmes["PBI_JK"], day(today - timedelta(days=rng.randrange(1, 60))), "", waiting, "", now)
        for n, family in enumerate(f for f in range(1, kpm + 1) if rng.random() < 0.02)
    ]
    counts["aidapplication"] = w.write(
        "aidapplication",
        ("id", "family_id", "programme_id", "submitted_on", "note", "status", "decision_note", "created_at"),
        applications,
    )
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--kpm", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    counts = generate(
        url=args.database_url, kpm=args.kpm, months=args.months, seed=args.seed, log=lambda msg: print(msg, flush=True)
    )
    for table, n in counts.items():
        print(f"{table:20} {n:>10,}")


if __name__ == "__main__":
    main()
