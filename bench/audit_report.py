"""Statements and time of the audit trail and the monthly report as their data grows (the page must not grow
with it): a scratch database, a pendamping with K kelompok of 30 KPM held this month, a family with N audit rows.

    python -m bench.audit_report --database-url sqlite:////tmp/audit_bench.sqlite3
    python -m bench.audit_report --database-url postgresql://postgres@127.0.0.1:5432/audit_bench
"""

import argparse
import os
import statistics
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

RUNS = 7


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("ENVIRONMENT", "development")
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from app.attendance.service import attendance_summaries_refresh
    from app.audit import audit_record
    from app.db import engine_create
    from app.main import app
    from app.models import Attendance, User
    from tests.conftest import migrate
    from tests.factories import PASSWORD, base_data_load, family_make, kelompok_make, meeting_make, user_make

    engine = engine_create(args.database_url)
    migrate(args.database_url, engine)
    statements: list[str] = []

    @event.listens_for(Engine, "before_cursor_execute")
    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    rows: list[tuple[str, int, int, int, float]] = []
    with Session(engine) as session:
        base_data_load(session=session)
        pendamping = user_make(session, username="bench_pendamping")
        username, pendamping_id = pendamping.username, pendamping.id
        session.commit()
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    groups, done_audits, subject_id = 0, 0, 0
    for size, audits in ((2, 50), (8, 500), (24, 5000)):
        with Session(engine) as session:
            pendamping = session.get(User, pendamping_id)
            assert pendamping is not None
            while groups < size:
                kelompok = kelompok_make(session, pendamping=pendamping, name=f"Kelompok Bench {groups:02d}")
                families = [family_make(session, kelompok=kelompok) for _ in range(30)]
                meeting = meeting_make(session, kelompok=kelompok, topic_no=1, day=_first(), status="terlaksana")
                for family in families:
                    session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status="hadir"))
                session.flush()
                attendance_summaries_refresh(session=session, meeting_ids=[meeting.id or 0], family_ids=[])
                subject_id = subject_id or families[0].id or 0
                groups += 1
            for n in range(done_audits, audits):
                audit_record(
                    session=session,
                    user=pendamping,
                    entity="family",
                    entity_id=subject_id,
                    action="update",
                    before={"address": f"Jl. {n}"},
                    after={"address": f"Jl. {n + 1}"},
                )
            done_audits = audits
            session.commit()
        client.cookies.clear()
        client.get("/masuk")
        client.post(
            "/masuk", data={"username": username, "password": PASSWORD, "csrf_token": client.cookies["p2k2_csrf"]}
        )
        month = _first().strftime("%Y-%m")
        for name, url in (
            ("trail page 1", f"/kpm/{subject_id}/riwayat"),
            ("trail last page", f"/kpm/{subject_id}/riwayat?halaman={max(1, audits // 30)}"),
            ("monthly report", f"/laporan/bulanan?bulan={month}"),
            ("monthly report XLSX", f"/laporan/bulanan.xlsx?bulan={month}"),
        ):
            samples = []
            for _ in range(RUNS):
                statements.clear()
                started = time.perf_counter()
                response = client.get(url)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            rows.append((name, size, audits, len(statements), statistics.median(samples) * 1000))
    print(f"{'request':22} {'kelompok':>8} {'audit rows':>10} {'statements':>10} {'median ms':>9}")
    for name, size, audits, n, ms in sorted(rows, key=lambda r: (r[0], r[1])):
        print(f"{name:22} {size:8} {audits:10} {n:10} {ms:9.1f}")


def _first():  # type: ignore[no-untyped-def]
    from app.clock import today_local

    return today_local().replace(day=1)


if __name__ == "__main__":
    main()
