"""The roll-call tap with nothing around it, for bench.load to compare the app against: one ASGI route doing
the single SQL upsert of one attendance mark in its own transaction (BEGIN IMMEDIATE on SQLite).

    DATABASE_URL=sqlite:////work/bench_data/bench.sqlite3 uvicorn bench.bare:app --port 8001
    POST /tap/{meeting_id}/{family_id}?status=hadir   → 200 "ok"
"""

import os
import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

URL = os.environ.get("DATABASE_URL", "sqlite:///data/bench.sqlite3")
# The year (PostgreSQL's partition key, in its unique constraint there) comes from the meeting's date.
UPSERT = (
    "INSERT INTO attendance (meeting_id, family_id, status, attendee, attendee_name, recorded_at, year) "
    "VALUES ({p}, {p}, {p}, 'pengurus', '', {p}, (SELECT {year} FROM meeting WHERE id = {p})) "
    "ON CONFLICT ({conflict}) DO UPDATE SET status = excluded.status, recorded_at = excluded.recorded_at"
)
SQLITE_UPSERT = UPSERT.format(p="?", year="CAST(strftime('%Y', date) AS INTEGER)", conflict="meeting_id, family_id")
PG_UPSERT = UPSERT.format(
    p="%s", year="CAST(EXTRACT(YEAR FROM date) AS INTEGER)", conflict="meeting_id, family_id, year"
)
STATUSES = {"hadir", "izin", "sakit", "alpa"}
_local = threading.local()


def _connection() -> Any:
    """One connection per threadpool thread, opened on first use."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        if URL.startswith("sqlite"):
            conn = sqlite3.connect(URL.split("///", 1)[1], timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        else:
            import psycopg

            conn = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        _local.conn = conn
    return conn


def tap_write(meeting_id: int, family_id: int, status: str) -> None:
    conn = _connection()
    if isinstance(conn, sqlite3.Connection):
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(SQLITE_UPSERT, (meeting_id, family_id, status, now, meeting_id))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return
    with conn.transaction():
        conn.execute(PG_UPSERT, (meeting_id, family_id, status, datetime.now(UTC), meeting_id))


async def tap(request: Request) -> PlainTextResponse:
    status = request.query_params.get("status", "hadir")
    if status not in STATUSES:
        return PlainTextResponse("bad status", status_code=422)
    meeting_id, family_id = int(request.path_params["meeting_id"]), int(request.path_params["family_id"])
    await run_in_threadpool(tap_write, meeting_id, family_id, status)
    return PlainTextResponse("ok")


async def health(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/tap/{meeting_id:int}/{family_id:int}", tap, methods=["POST"]), Route("/sehat", health)])
