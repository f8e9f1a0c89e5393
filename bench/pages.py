"""Time the pages a pendamping and a supervisor open most, over HTTP from the app running in uvicorn: the roll-call
page, a family page and Beranda (as a pendamping), the graduation candidates (as the kabupaten's supervisor).
Run it on the demo database and on the 100,000-KPM one (bench.generate) and compare.

    python -m bench.pages --database-url sqlite:///data/bench.sqlite3
    python -m bench.pages --database-url sqlite:///data/demo.sqlite3
"""

import argparse
import os
from collections.abc import Callable

from sqlmodel import Session, col, select

from bench.dashboard import RUNS, cpu_seconds, server_start, timed

# (pendamping, supervisor, password): the benchmark database's accounts, then the demo's.
ACCOUNTS = (("pendamping0001", "supervisor", "p2k2bench"), ("pendamping01", "supervisor", "p2k2demo"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the pendamping's and supervisor's everyday pages")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=RUNS * 2)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url

    import httpx2

    from app.clock import today_local
    from app.db import get_engine
    from app.models import Family, FamilyStatus, Kelompok, Meeting, User

    engine = get_engine()
    with Session(engine) as session:
        names = set(session.exec(select(User.username)).all())
        pendamping, supervisor, password = next(a for a in ACCOUNTS if a[0] in names)
        user_id = session.exec(select(User.id).where(User.username == pendamping)).one()
        kelompok_id = session.exec(
            select(Kelompok.id).where(Kelompok.pendamping_id == user_id).order_by(col(Kelompok.id))
        ).first()
        meeting_id = session.exec(
            select(Meeting.id)
            .where(Meeting.kelompok_id == kelompok_id, col(Meeting.date) <= today_local())
            .order_by(col(Meeting.date).desc())
        ).first()
        family_id = session.exec(
            select(Family.id)
            .where(Family.kelompok_id == kelompok_id, Family.status == FamilyStatus.AKTIF)
            .order_by(col(Family.id))
        ).first()
    engine.dispose()

    server, base = server_start(args.database_url)

    def client_for(username: str) -> httpx2.Client:
        client = httpx2.Client(base_url=base, follow_redirects=False, timeout=120)
        client.get("/masuk")
        response = client.post(
            "/masuk", data={"username": username, "password": password, "csrf_token": client.cookies["p2k2_csrf"]}
        )
        assert response.status_code == 303, response.text[:300]
        return client

    sizes: dict[str, int] = {}

    def get(client: httpx2.Client, url: str) -> Callable[[], object]:
        def call() -> object:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:300])
            sizes[url] = len(r.content)
            return r.content

        return call

    try:
        p, s = client_for(pendamping), client_for(supervisor)
        pages = [
            ("roll-call page", p, f"/pertemuan/{meeting_id}"),
            ("family page", p, f"/kpm/{family_id}"),
            ("Beranda (pendamping)", p, "/"),
            ("Beranda (supervisor)", s, "/"),
            ("candidates (supervisor)", s, "/graduasi/kandidat"),
        ]
        print(f"database: {engine.dialect.name}  ({args.database_url.split('@')[-1]})")
        # Server CPU per request (the uvicorn process; on SQLite that includes the database's work) moves far less
        # than wall time when other jobs share the machine.
        print(f"{'page':26} {'median ms':>10} {'server CPU ms':>14} {'KB':>8}  url")
        for name, client, url in pages:
            call = get(client, url)
            seconds = timed(call, args.runs)
            before = cpu_seconds(server.pid)
            for _ in range(args.runs):
                call()
            cpu = (cpu_seconds(server.pid) - before) / args.runs
            print(f"{name:26} {seconds * 1000:10.1f} {cpu * 1000:14.1f} {sizes[url] / 1024:8.1f}  {url}", flush=True)
        p.close()
        s.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
