"""A quick check of concurrent use (not the load benchmark): N pendamping, each on their own phone, sign in at the
same instant, then tap their own meeting's roll at a human pace for a while, against the app in one uvicorn process
as the README starts it. Prints the answers by status, 5xx, latency, and whether the stored counts equal a recount.

    python -m bench.concurrency_probe --database-url sqlite:////work/bench_data/concurrency/probe.sqlite3
    python -m bench.concurrency_probe --database-url postgresql://postgres@127.0.0.1:5432/bench_concurrency
    python -m bench.concurrency_probe ... --app-dir /tmp/p2k2-before     # the same probe against another checkout
"""

import argparse
import collections
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import timedelta

import httpx2
from sqlmodel import Session, select

from app.attendance.service import attendance_summaries_refresh
from app.clock import today_local
from app.db import engine_create, normalise_url
from app.models import Family, Meeting
from app.settings import ROOT

PASSWORD = "rahasia123"


def database_fresh(url: str) -> None:
    """Drop and recreate the probe's database (a SQLite file, or a PostgreSQL database named bench_*)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return
    import psycopg

    base, _, name = normalise_url(url).replace("+psycopg", "").rpartition("/")
    if not name.startswith("bench_"):
        raise SystemExit("the probe recreates its database: give one named bench_*")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def scene_make(url: str, people: int, families: int) -> list[tuple[str, int, list[int]]]:
    """Migrated database with `people` pendamping, each with a kelompok of `families` KPM and a meeting today."""
    from tests.conftest import migrate
    from tests.factories import base_data_load, family_make, kelompok_make, meeting_make, user_make

    engine = engine_create(url)
    migrate(url, engine)
    out = []
    with Session(engine) as session:
        base_data_load(session=session)
        for n in range(people):
            user = user_make(session, username=f"probe{n:02d}")
            kelompok = kelompok_make(session, pendamping=user)
            ids = [family_make(session, kelompok=kelompok).id or 0 for _ in range(families)]
            meeting = meeting_make(session, kelompok=kelompok, topic_no=1 + n % 5, day=today_local())
            held = meeting_make(
                session, kelompok=kelompok, topic_no=6, day=today_local() - timedelta(days=7), status="terlaksana"
            )
            out.append((user.username, meeting.id or 0, ids))
            out.append((user.username, held.id or 0, ids))
        session.commit()
    engine.dispose()
    return out


def server_start(url: str, app_dir: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "development", "PYTHONPATH": app_dir}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"],
        cwd=app_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            httpx2.get(f"http://127.0.0.1:{port}/sehat", timeout=1)
            return proc
        except httpx2.HTTPError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--families", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--pace", type=float, default=0.5, help="mean seconds between one person's taps")
    parser.add_argument("--stagger", action="store_true", help="sign in one after another instead of all at once")
    parser.add_argument("--app-dir", default=str(ROOT))
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    database_fresh(args.database_url)
    scene = scene_make(args.database_url, args.people, args.families)
    proc = server_start(args.database_url, args.app_dir, args.port)
    base = f"http://127.0.0.1:{args.port}"
    results: list[tuple[str, int, float]] = []
    barrier = threading.Barrier(args.people)

    def person(n: int) -> None:
        username = scene[2 * n][0]
        client = httpx2.Client(base_url=base, timeout=60, follow_redirects=False)
        client.get("/masuk")
        csrf = str(client.cookies["p2k2_csrf"])
        barrier.wait()
        if args.stagger:
            time.sleep(n * 1.0)
        started = time.perf_counter()
        r = client.post("/masuk", data={"username": username, "password": PASSWORD, "csrf_token": csrf})
        results.append(("login", r.status_code, time.perf_counter() - started))
        for _ in range(20):  # a person whose login failed tries again, so the taps are measured signed in
            if r.status_code == 303:
                break
            time.sleep(0.2)
            client.cookies.clear()
            client.get("/masuk")
            csrf = str(client.cookies["p2k2_csrf"])
            started = time.perf_counter()
            r = client.post("/masuk", data={"username": username, "password": PASSWORD, "csrf_token": csrf})
            results.append(("login again", r.status_code, time.perf_counter() - started))
        csrf = str(client.cookies.get("p2k2_csrf") or "")
        if not csrf:
            client.get("/")
            csrf = str(client.cookies.get("p2k2_csrf") or "")
        rng = random.Random(n)
        end = time.perf_counter() + args.seconds
        while time.perf_counter() < end:
            _, meeting, families = scene[2 * n + (1 if rng.random() < 0.2 else 0)]
            family = rng.choice(families)
            kind = "tap (held)" if scene[2 * n + 1][1] == meeting else "tap"
            started = time.perf_counter()
            try:
                r = client.post(
                    f"/pertemuan/{meeting}/absensi/{family}",
                    data={"status": rng.choice(("hadir", "izin", "sakit", "alpa"))},
                    headers={"X-CSRF-Token": csrf, "HX-Request": "true", "HX-Target": f"kpm-{family}"},
                )
                results.append((kind, r.status_code, time.perf_counter() - started))
            except httpx2.HTTPError:
                results.append((kind, 0, time.perf_counter() - started))
            time.sleep(rng.expovariate(1 / args.pace))
        client.close()

    threads = [threading.Thread(target=person, args=(n,)) for n in range(args.people)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    engine = engine_create(args.database_url)
    with Session(engine) as session:
        stored = sorted(session.exec(select(Meeting.id, Meeting.marks_count, Meeting.present_count)).all())
        families = sorted(session.exec(select(Family.id, Family.sessions_done, Family.alpa_streak)).all())
        attendance_summaries_refresh(session=session)
        session.flush()
        recount = sorted(session.exec(select(Meeting.id, Meeting.marks_count, Meeting.present_count)).all())
        family_recount = sorted(session.exec(select(Family.id, Family.sessions_done, Family.alpa_streak)).all())
        session.rollback()
    engine.dispose()
    drift = sum(1 for a, b in zip(stored, recount, strict=True) if a != b)
    drift += sum(1 for a, b in zip(families, family_recount, strict=True) if a != b)

    db = re.sub(r"://.*@", "://", args.database_url)
    print(f"{db}  app {args.app_dir}  {args.people} people, {args.seconds:.0f} s, pace {args.pace} s")
    by_kind: dict[str, list[tuple[int, float]]] = collections.defaultdict(list)
    for kind, status, seconds in results:
        by_kind[kind].append((status, seconds))
    for kind, rows in by_kind.items():
        statuses = collections.Counter(s for s, _ in rows)
        times = sorted(t for _, t in rows)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        errors = sum(n for s, n in statuses.items() if s >= 500 or s == 0)
        print(
            f"  {kind:11} n={len(rows):4}  5xx/failed={errors:3}  statuses={dict(sorted(statuses.items()))}  "
            f"p50={statistics.median(times) * 1000:.0f} ms  p95={p95 * 1000:.0f} ms"
        )
    print(f"  stored counts different from a recount: {drift} rows")


if __name__ == "__main__":
    main()
