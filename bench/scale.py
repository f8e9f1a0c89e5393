"""Time the writes and reads that grow with the country on a benchmark database (bench.generate): one roll-call
tap through the service (mark, recount, readiness of the family, audit, commit), the readiness of a whole
kelompok, and the roll of a meeting; with the machine's load beside every figure. `--plain` first turns the
partitioned attendance and auditlog of a PostgreSQL database into plain tables (same columns and keys), to compare
the same data both ways (run it on a copy: `createdb -T bench_scale bench_scale_plain`).

    python -m bench.scale --database-url postgresql://postgres@127.0.0.1:5432/bench_scale [--taps 200]
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.attendance.queries import roll_rows
from app.attendance.service import attendance_set
from app.clock import today_local
from app.db import engine_create, normalise_url
from app.graduation.service import readiness_refresh_families
from app.models import Family, Kelompok, Meeting, MeetingStatus, MonthLock, User

STATUSES = ("hadir", "izin", "sakit", "alpa")
PLAIN_KEYS = {
    "attendance": ("id", "UNIQUE (meeting_id, family_id, year)"),
    "auditlog": ("id", None),
}


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timings(fn: Callable[[int], object], runs: int) -> tuple[float, float]:
    """(median, 95th percentile) in milliseconds of `runs` calls of fn(run number)."""
    taken = []
    for run in range(runs):
        started = time.perf_counter()
        fn(run)
        taken.append((time.perf_counter() - started) * 1000)
    taken.sort()
    return statistics.median(taken), taken[min(len(taken) - 1, int(len(taken) * 0.95))]


def tables_unpartition(url: str) -> None:
    """Rebuild attendance and auditlog as plain tables with the same columns, keys and indexes."""
    engine = engine_create(url)
    try:
        with engine.begin() as conn:
            for table, (primary, unique) in PLAIN_KEYS.items():
                indexes = conn.execute(
                    text("SELECT indexdef FROM pg_indexes WHERE tablename = :t AND indexname LIKE 'ix_%'"), {"t": table}
                ).scalars()
                index_sql = [d.replace(" ONLY ", " ") for d in indexes]
                fkeys = conn.execute(
                    text(
                        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = to_regclass(:t) AND contype = 'f'"
                    ),
                    {"t": table},
                ).all()
                conn.exec_driver_sql(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE")
                conn.exec_driver_sql(f"ALTER TABLE {table} RENAME TO {table}_partitioned")
                conn.exec_driver_sql(f"CREATE TABLE {table} (LIKE {table}_partitioned INCLUDING DEFAULTS)")
                conn.exec_driver_sql(f"INSERT INTO {table} SELECT * FROM {table}_partitioned")
                conn.exec_driver_sql(f"DROP TABLE {table}_partitioned CASCADE")
                conn.exec_driver_sql(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD PRIMARY KEY ({primary})")
                if unique:
                    conn.exec_driver_sql(f"ALTER TABLE {table} ADD {unique}")
                for name, definition in fkeys:
                    conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
                for definition in index_sql:
                    conn.exec_driver_sql(definition)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE attendance")
            conn.exec_driver_sql("VACUUM ANALYZE auditlog")
    finally:
        engine.dispose()


def open_meeting(session: Session) -> tuple[Meeting, Kelompok, User]:
    """The latest held meeting on or before today in a month no supervisor has locked, with its pendamping."""
    today = today_local()
    locked = select(MonthLock.id).where(
        MonthLock.kelompok_id == Meeting.kelompok_id,
        col(MonthLock.month) <= Meeting.date,
        col(MonthLock.month) > Meeting.date - 31,
    )
    meeting = session.exec(
        select(Meeting)
        .where(Meeting.status == MeetingStatus.HELD, col(Meeting.date) <= today, ~locked.exists())
        .order_by(col(Meeting.date).desc(), col(Meeting.id))
        .limit(1)
    ).one()
    kelompok = session.get(Kelompok, meeting.kelompok_id)
    assert kelompok is not None and kelompok.pendamping_id is not None
    user = session.get(User, kelompok.pendamping_id)
    assert user is not None
    return meeting, kelompok, user


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--taps", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30, help="runs of the kelompok readiness and the roll")
    parser.add_argument("--plain", action="store_true", help="first make attendance and auditlog plain tables")
    args = parser.parse_args(argv)
    url = normalise_url(args.database_url)
    if args.plain:
        started = time.perf_counter()
        tables_unpartition(url)
        print(f"attendance and auditlog made plain in {time.perf_counter() - started:.1f} s", flush=True)
    engine = engine_create(url)
    today = today_local()
    try:
        with Session(engine, expire_on_commit=False) as session:
            partitioned = session.execute(
                text("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = to_regclass('attendance')")
            ).scalar()
            marks = session.execute(text("SELECT reltuples::bigint FROM pg_class WHERE relname = 'attendance'"))
            meeting, kelompok, user = open_meeting(session)
            families = list(
                session.exec(select(Family.id).where(Family.kelompok_id == kelompok.id).order_by(col(Family.id)))
            )
            session.commit()
            print(
                f"attendance {'partitioned' if partitioned else 'plain'} (~{marks.scalar() or 0:,} rows estimate); "
                f"meeting {meeting.id} of {meeting.date}, kelompok {kelompok.id} ({len(families)} KPM)",
                flush=True,
            )

            def tap(run: int) -> None:
                attendance_set(
                    session=session,
                    user=user,
                    kelompok=kelompok,
                    meeting=meeting,
                    family_id=families[run % len(families)] or 0,
                    today=today,
                    status=STATUSES[run % len(STATUSES)],
                )
                session.commit()

            def readiness(_run: int) -> None:
                readiness_refresh_families(session=session, family_ids=[f or 0 for f in families], today=today)

            def roll(_run: int) -> None:
                roll_rows(session=session, meeting=meeting)
                session.rollback()

            for name, fn, runs in (
                ("roll-call tap (service, committed)", tap, args.taps),
                (f"readiness of one kelompok ({len(families)} KPM, committed)", readiness, args.runs),
                ("roll of one meeting (read)", roll, args.runs),
            ):
                fn(0)  # warm-up
                median, p95 = timings(fn, runs)
                print(f"{name:<48} median {median:8.1f} ms  p95 {p95:8.1f} ms  load {load_average()}", flush=True)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
