"""Time the supervisor pages on a benchmark database (see bench.generate), through the app and as bare SQL.

    python -m bench.dashboard --database-url sqlite:///data/bench.sqlite3
    python -m bench.dashboard --database-url postgresql://postgres@127.0.0.1:5432/p2k2_bench
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date

from sqlmodel import Session, select

RUNS = 5


def timed(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median seconds of `runs` calls after one warm-up."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the supervisor dashboard")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--explain", action="store_true", help="print the query plans of the aggregates")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url

    from fastapi.testclient import TestClient

    from app.curriculum.queries import topics_active
    from app.dashboard.forms import period_default
    from app.dashboard.queries import Scope, curriculum_modules, dashboard_queries
    from app.db import get_engine
    from app.main import app
    from app.models import Area, Kelompok, User
    from bench.generate import KABUPATEN, PASSWORD

    engine = get_engine()
    today = date.today()
    client = TestClient(app, follow_redirects=False)
    client.get("/masuk")
    response = client.post("/masuk", data={"username": "supervisor", "password": PASSWORD,
                                           "csrf_token": client.cookies["p2k2_csrf"]})
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
                queries = dashboard_queries(session=session, scope=scope, today=today, topics=topics,
                                            modules=curriculum_modules(topics), completion=completion)
                if completion:
                    queries = {"completion": queries["completion"]}
                conn = session.connection()
                return [conn.execute(q).all() for q in queries.values()]
        return call

    if args.explain:
        with Session(engine) as session:
            topics = topics_active(session=session, core_only=True)
            queries = dashboard_queries(session=session, scope=scope, today=today, topics=topics,
                                        modules=curriculum_modules(topics), completion=True)
            conn = session.connection()
            for name, q in queries.items():
                sql = str(q.compile(engine, compile_kwargs={"literal_binds": True}))
                prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
                print(f"--- {name}")
                for row in conn.exec_driver_sql(prefix + sql).all():
                    print("   ", row[-1] if engine.dialect.name == "sqlite" else row[0])

    q = f"wilayah={KABUPATEN}"
    rows = [
        ("dashboard page (kabupaten, 12 months)", timed(get(f"/dasbor?{q}"), args.runs), timed(bare(False), args.runs)),
        ("completion card (lazy, all time)", timed(get(f"/dasbor/penyelesaian?{q}"), args.runs),
         timed(bare(True), args.runs)),
    ]
    rows.append(("dashboard total (page + lazy card)", rows[0][1] + rows[1][1], rows[0][2] + rows[1][2]))
    single = [
        (f"kelompok page /kelompok/{kelompok_id}", timed(get(f"/kelompok/{kelompok_id}"), args.runs)),
        (f"XLSX absensi, whole kabupaten, {previous}", timed(get(f"/ekspor/absensi.xlsx?{q}&bulan={previous}"), 1)),
        (f"CSV absensi, whole kabupaten, {previous}", timed(get(f"/ekspor/absensi.csv?{q}&bulan={previous}"), 1)),
    ]
    print(f"database: {engine.dialect.name}  ({args.database_url.split('@')[-1]})")
    print(f"{'measure':48} {'app s':>8} {'bare SQL s':>11} {'ratio':>6}")
    for name, app_s, sql_s in rows:
        print(f"{name:48} {app_s:8.3f} {sql_s:11.3f} {app_s / sql_s:6.2f}")
    for name, app_s in single:
        print(f"{name:48} {app_s:8.3f}")


if __name__ == "__main__":
    main()
