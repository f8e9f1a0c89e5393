"""Time the supervisor pages on a benchmark database (see bench.generate): over HTTP from the app running in
uvicorn, and the same aggregates as bare SQL.

    python -m bench.dashboard --database-url sqlite:///data/bench.sqlite3
    python -m bench.dashboard --database-url postgresql://postgres@127.0.0.1:5432/p2k2_bench
    python -m bench.dashboard --database-url … --cache   # only the dashboard: a fresh build against a cached view
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session, select

from app.clock import today_local

RUNS = 9


def timed(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median seconds of `runs` calls after one warm-up."""
    return timed_pair(fn, None, runs)[0]


def timed_pair(fn: Callable[[], object], other: Callable[[], object] | None, runs: int = RUNS) -> tuple[float, float]:
    """Medians of `runs` calls of each, after a warm-up, the two taking turns (so a slow spell of the machine
    weighs on both sides of a ratio alike)."""
    samples: tuple[list[float], list[float]] = ([], [])
    calls = [fn] if other is None else [fn, other]
    for call in calls:
        call()
    for _ in range(runs):
        for call, out in zip(calls, samples, strict=False):
            started = time.perf_counter()
            call()
            out.append(time.perf_counter() - started)
    return statistics.median(samples[0]), statistics.median(samples[1]) if samples[1] else 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_start(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """The app as users meet it: uvicorn in its own process on a free loopback port, over HTTP."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env={**os.environ, "DATABASE_URL": url},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(900):  # a loaded machine takes its time to import the app
        try:
            urllib.request.urlopen(base + "/sehat", timeout=1)
            return server, base
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the supervisor dashboard")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--explain", action="store_true", help="print the query plans of the aggregates")
    parser.add_argument(
        "--cache", action="store_true", help="only the dashboard: a fresh build (Perbarui) against a cached view"
    )
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url

    import httpx2

    from app.aid.queries import GapScope, gap_count_statements, gap_rules, planner_settle
    from app.curriculum.queries import topics_active
    from app.dashboard.forms import period_default
    from app.dashboard.queries import Scope, curriculum_modules, dashboard_queries
    from app.db import get_engine
    from app.models import Area, Kelompok, User
    from bench.generate import KABUPATEN, PASSWORD

    engine = get_engine()
    today = today_local()
    server, base = server_start(args.database_url)
    client = httpx2.Client(base_url=base, follow_redirects=False, timeout=120)
    client.get("/masuk")
    response = client.post(
        "/masuk", data={"username": "supervisor", "password": PASSWORD, "csrf_token": client.cookies["p2k2_csrf"]}
    )
    assert response.status_code == 303, response.text[:300]
    with Session(engine) as session:
        supervisor = session.exec(select(User).where(User.username == "supervisor")).one()
        area = session.get(Area, KABUPATEN)
        kelompok_id = session.exec(select(Kelompok.id).order_by(Kelompok.id)).first()
        session.expunge_all()
    scope = Scope(user=supervisor, area=area, period=period_default(today))
    month = today.replace(day=1)
    previous = (month.replace(day=1) - __import__("datetime").timedelta(days=1)).replace(day=1).strftime("%Y-%m")

    def get(url: str) -> Callable[[], object]:
        def call() -> object:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:300])
            return r.content

        return call

    def bare(completion: bool) -> Callable[[], object]:
        def call() -> object:
            with Session(engine) as session:
                topics = topics_active(session=session, core_only=True) if completion else []
                queries = dashboard_queries(
                    session=session,
                    scope=scope,
                    today=today,
                    topics=topics,
                    modules=curriculum_modules(topics),
                    completion=completion,
                )
                conn = session.connection()
                return [conn.execute(q).all() for q in queries.values()]

        return call

    if args.explain:
        with Session(engine) as session:
            topics = topics_active(session=session, core_only=True)
            queries = dashboard_queries(
                session=session,
                scope=scope,
                today=today,
                topics=topics,
                modules=curriculum_modules(topics),
                completion=True,
            )
            conn = session.connection()
            for name, q in queries.items():
                sql = str(q.compile(engine, compile_kwargs={"literal_binds": True}))
                prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
                print(f"--- {name}")
                for row in conn.exec_driver_sql(prefix + sql).all():
                    print("   ", row[-1] if engine.dialect.name == "sqlite" else row[0])

    def aid_gaps_bare() -> object:
        """The gap counts' two grouped statements, as bare SQL (app.aid.queries)."""
        with Session(engine) as session:
            rules = gap_rules(session=session, today=today)
            planner_settle(session)
            statements = gap_count_statements(scope=GapScope(user=supervisor, area_code=KABUPATEN), rules=rules)
            return [session.connection().execute(statement).all() for statement in statements]

    q = f"wilayah={KABUPATEN}"
    if args.cache:
        cache_compare(server.pid, get(f"/dasbor?{q}&segarkan=1"), get(f"/dasbor?{q}"), args.runs)
        client.close()
        server.terminate()
        server.wait(timeout=10)
        return
    rows = [
        (
            "dashboard (kabupaten, 12 months, with completion)",
            *timed_pair(get(f"/dasbor?{q}&segarkan=1"), bare(True), args.runs),
        ),
        (
            "aid gap counts (kabupaten, by area+kelompok)",
            *timed_pair(get(f"/bantuan/kesenjangan?{q}"), aid_gaps_bare, args.runs),
        ),
    ]
    single = [
        ("dashboard, cached view (DASHBOARD_CACHE_SECONDS)", timed(get(f"/dasbor?{q}"), args.runs)),
        (f"kelompok page /kelompok/{kelompok_id}", timed(get(f"/kelompok/{kelompok_id}"), args.runs)),
        (f"XLSX absensi, whole kabupaten, {previous}", timed(get(f"/ekspor/absensi.xlsx?{q}&bulan={previous}"), 1)),
        (f"CSV absensi, whole kabupaten, {previous}", timed(get(f"/ekspor/absensi.csv?{q}&bulan={previous}"), 1)),
        ("aid gap list JKN, page 1 (kabupaten)", timed(get(f"/bantuan/kesenjangan/jkn?{q}"), args.runs)),
        ("XLSX aid gap JKN, whole kabupaten", timed(get(f"/bantuan/kesenjangan/jkn/unduh.xlsx?{q}"), 1)),
    ]
    print(f"database: {engine.dialect.name}  ({args.database_url.split('@')[-1]})")
    print(f"{'measure':48} {'app s':>8} {'bare SQL s':>11} {'ratio':>6}")
    for name, app_s, sql_s in rows:
        print(f"{name:48} {app_s:8.3f} {sql_s:11.3f} {app_s / sql_s:6.2f}")
    for name, app_s in single:
        print(f"{name:48} {app_s:8.3f}")
    client.close()
    server.terminate()
    server.wait(timeout=10)


def cache_compare(pid: int, fresh: Callable[[], object], cached: Callable[[], object], runs: int) -> None:
    """Wall time (median) and server CPU per view of the kabupaten dashboard, rebuilt (`segarkan=1`) and cached."""
    print(f"{'kabupaten dashboard':30} {'median ms':>10} {'server CPU ms':>14}")
    for name, call in (("fresh build (segarkan=1)", fresh), ("cached view", cached)):
        median = timed(call, runs)
        before = cpu_seconds(pid)
        for _ in range(runs):
            call()
        cpu = (cpu_seconds(pid) - before) / runs
        print(f"{name:30} {median * 1000:10.0f} {cpu * 1000:14.0f}")


if __name__ == "__main__":
    main()
