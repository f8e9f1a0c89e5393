"""Time the header search over HTTP on the 100,000-KPM database (bench.generate): p50 and p95 per query type and
role — partial names (common, rare, accented, none), a full NIK (as the supervisor, who sees it masked), a No. KK,
a kelompok name, and a name as a pendamping (scope: their own kelompok).

    python -m bench.search --database-url sqlite:///data/bench.sqlite3
    python -m bench.search --database-url postgresql://postgres@127.0.0.1:5432/p2k2_bench
"""

import argparse
import os
import statistics
import time

from sqlmodel import Session, col, select

from bench.dashboard import server_start

PASSWORD = "p2k2bench"
RUNS = 40


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the header search")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=RUNS)
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url

    import httpx2

    from app.db import get_engine
    from app.models import Family, Kelompok, Member

    engine = get_engine()
    with Session(engine) as session:
        family = session.exec(select(Family).order_by(col(Family.id)).offset(54_321).limit(1)).one()
        nik = session.exec(
            select(Member.nik).where(Member.family_id == family.id, col(Member.nik).is_not(None))
        ).first()
        kelompok_name = session.exec(select(Kelompok.name).order_by(col(Kelompok.id)).offset(1234).limit(1)).one()
        surname = family.head_name.split()[-1]
    engine.dispose()
    server, base = server_start(args.database_url)

    def client_for(username: str) -> httpx2.Client:
        client = httpx2.Client(base_url=base, follow_redirects=False, timeout=120)
        client.get("/masuk")
        response = client.post(
            "/masuk", data={"username": username, "password": PASSWORD, "csrf_token": client.cookies["p2k2_csrf"]}
        )
        assert response.status_code == 303, response.text[:300]
        return client

    try:
        supervisor, pendamping = client_for("supervisor"), client_for("pendamping0001")
        queries = [
            ("name, common (supervisor)", supervisor, "siti"),
            ("name, surname (supervisor)", supervisor, surname.lower()),
            ("name, accented (supervisor)", supervisor, "Sìtí " + surname[:3].upper()),
            ("name, no match (supervisor)", supervisor, "zzqxw"),
            ("full NIK, masked (supervisor)", supervisor, nik or ""),
            ("No. KK (supervisor)", supervisor, family.kk_number),
            ("kelompok name (supervisor)", supervisor, kelompok_name),
            ("name, own scope (pendamping)", pendamping, "siti"),
            ("name, no match (pendamping)", pendamping, "zzqxw"),
        ]
        print(f"database: {engine.dialect.name}  ({args.database_url.split('@')[-1]}), {args.runs} runs each")
        print(f"{'query':32} {'p50 ms':>8} {'p95 ms':>8} {'hits':>6}  q")
        for name, client, q in queries:
            response = client.get("/cari", params={"q": q})
            assert response.status_code == 200, (q, response.status_code)
            found = response.text.count('class="nik"') + response.text.count('class="kelompok-hit"')
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                client.get("/cari", params={"q": q})
                samples.append(time.perf_counter() - started)
            print(
                f"{name:32} {statistics.median(samples) * 1000:8.1f} {percentile(samples, 0.95) * 1000:8.1f}"
                f" {found:>6}  {q[:4] + '…' if q.isdigit() else q}",
                flush=True,
            )
        supervisor.close()
        pendamping.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
