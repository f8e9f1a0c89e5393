"""Time the role home pages and the lists that act (issue 13) over HTTP from the app running in uvicorn, as the
kabupaten's supervisor, peninjau and admin and as a pendamping; and the alpa list's CSV export.

    python -m bench.generate --database-url sqlite:///data/bench.sqlite3
    python -m bench.home --database-url sqlite:///data/bench.sqlite3
"""

import argparse
import os
from collections.abc import Callable

from bench.dashboard import RUNS, server_start, timed
from bench.pages import cpu_seconds

PASSWORD = "p2k2bench"
PAGES = (
    ("Beranda (pendamping)", "pendamping0001", "/"),
    ("Beranda (supervisor)", "supervisor", "/"),
    ("Beranda (peninjau)", "peninjau", "/"),
    ("Beranda (admin)", "admin", "/"),
    ("alpa list (supervisor)", "supervisor", "/daftar/alpa"),
    ("low attendance (superv.)", "supervisor", "/daftar/kehadiran-rendah"),
    ("monitoring (supervisor)", "supervisor", "/daftar/pemantauan"),
    ("reviews due (supervisor)", "supervisor", "/daftar/penilaian"),
    ("notifications (pendamp.)", "pendamping0001", "/pemberitahuan"),
    ("alpa CSV (supervisor)", "supervisor", "/daftar/alpa.csv"),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the role home pages and the lists that act")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url

    import httpx2
    from sqlmodel import Session, col, select

    from app.db import get_engine
    from app.models import Area, User

    engine = get_engine()
    with Session(engine) as session:
        area = session.exec(select(User.area_code).where(User.username == "supervisor")).one() or ""
        kecamatan = session.exec(
            select(Area.code).where(Area.level == 3, col(Area.code).like(area + ".%")).order_by(col(Area.code))
        ).first()
    engine.dispose()
    pages = [
        *PAGES,
        ("low attendance, 1 kec.", "supervisor", f"/daftar/kehadiran-rendah?kecamatan={kecamatan}"),
        ("low attendance XLSX", "supervisor", "/daftar/kehadiran-rendah.xlsx"),
    ]
    server, base = server_start(args.database_url)
    clients: dict[str, httpx2.Client] = {}

    def client_for(username: str) -> httpx2.Client:
        if username not in clients:
            client = httpx2.Client(base_url=base, follow_redirects=False, timeout=300)
            client.get("/masuk")
            response = client.post(
                "/masuk", data={"username": username, "password": PASSWORD, "csrf_token": client.cookies["p2k2_csrf"]}
            )
            assert response.status_code == 303, response.text[:300]
            clients[username] = client
        return clients[username]

    sizes: dict[str, int] = {}

    def get(client: httpx2.Client, url: str) -> Callable[[], object]:
        def call() -> object:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code, r.text[:300])
            sizes[url] = len(r.content)
            return r.content

        return call

    try:
        print(f"database: {args.database_url.split('@')[-1]}")
        print(f"{'page':26} {'median ms':>10} {'server CPU ms':>14} {'KB':>8}  url")
        for name, username, url in pages:
            call = get(client_for(username), url)
            seconds = timed(call, args.runs)
            before = cpu_seconds(server.pid)
            for _ in range(args.runs):
                call()
            cpu = (cpu_seconds(server.pid) - before) / args.runs
            print(f"{name:26} {seconds * 1000:10.1f} {cpu * 1000:14.1f} {sizes[url] / 1024:8.1f}  {url}", flush=True)
    finally:
        for client in clients.values():
            client.close()
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
