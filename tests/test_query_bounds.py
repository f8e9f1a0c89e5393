"""Per-request cost follows what the page shows: the tap, the roll-call page, the family page and Beranda run the
same number of SQL statements on a small and on a 10× database, and none of them scans a whole family, attendance
or meeting table: every read of them is keyed by the id of a kelompok, family or meeting (PostgreSQL: EXPLAIN with
seq scans, hash and merge joins disabled: no Seq Scan, no index read without a condition; SQLite: EXPLAIN QUERY
PLAN, no SCAN and no SEARCH on a status alone)."""

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlmodel import Session

from app.attendance.service import attendance_summaries_refresh
from app.models import Attendance, Family, Meeting
from tests.conftest import Browser
from tests.factories import family_make, kelompok_make, meeting_make, user_make, world_make

WATCHED = ("family", "attendance", "meeting")
PLANNER_OFF = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
VILLAGES = ("32.77.01.1001", "32.77.01.1002", "32.77.03.1001")


@dataclass
class Recorded:
    statements: list[tuple[str, Any]]


@contextmanager
def recording(connection: Connection) -> Iterator[Recorded]:
    seen = Recorded([])

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", listen)


def elsewhere_add(session: Session, *, kelompok_count: int, tag: str) -> None:
    """Other pendamping's kelompok with families, held meetings with marks and a scheduled meeting."""
    today = session.info.get("today")
    assert today is not None
    for k in range(kelompok_count):
        pendamping = user_make(session, full_name=f"Pendamping {tag}{k}")
        kelompok = kelompok_make(
            session, pendamping=pendamping, name=f"Kelompok {tag}{k}", village_code=VILLAGES[k % len(VILLAGES)]
        )
        families = [family_make(session, kelompok=kelompok, head_name=f"KPM {tag}{k}-{n}") for n in range(4)]
        for no in (1, 2):
            meeting = meeting_make(
                session, kelompok=kelompok, topic_no=no, day=today - timedelta(days=40 * no), status="terlaksana"
            )
            for i, family in enumerate(families):
                session.add(
                    Attendance(
                        meeting_id=meeting.id or 0, family_id=family.id or 0, status="alpa" if i == no else "hadir"
                    )
                )
        meeting_make(session, kelompok=kelompok, topic_no=3, day=today + timedelta(days=7))
    session.flush()
    attendance_summaries_refresh(session=session)


KEYED = re.compile(r"\b(?:rowid|id|kelompok_id|family_id|meeting_id)\s*(?:=|IN\b)", re.IGNORECASE)


def _table(name: str) -> str:
    return re.sub(r"_\d+$", "", name)


def _pg_problems(node: dict[str, Any]) -> list[str]:
    """Whole-table reads of a watched table: a Seq Scan (disabled, so no index fits) or an index read end to end."""
    found = []
    table = _table(node.get("Relation Name", ""))
    kind = node["Node Type"]
    if table in WATCHED and kind != "ModifyTable":
        if kind == "Bitmap Heap Scan":
            conds = [c.get("Index Cond", "") for c in _descendants(node) if c["Node Type"] == "Bitmap Index Scan"]
        else:
            conds = [node.get("Index Cond", "")]
        # The planner may still pick a status index on tables this small, so only what no index can avoid counts
        # here (SQLite's planner, without statistics, is the stricter judge of keyed access).
        if kind == "Seq Scan" or not all(conds):
            found.append(f"{kind} on {table} ({'; '.join(conds)})")
    for child in node.get("Plans", []):
        found += _pg_problems(child)
    return found


def _descendants(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for child in node.get("Plans", []):
        out += [child, *_descendants(child)]
    return out


def _sqlite_problems(plan: list[str]) -> list[str]:
    """SCAN of a watched table, or an index SEARCH constrained by no id (a status or a date range alone)."""
    found = []
    for line in plan:
        match = re.match(r"(SCAN|SEARCH) (\w+)(.*)", line)
        if match is None or _table(match.group(2)) not in WATCHED:
            continue
        verb, _, rest = match.groups()
        if verb == "SCAN" or not KEYED.search(rest):
            found.append(line)
    return found


def plan_problems(connection: Connection, statements: list[tuple[str, Any]]) -> list[str]:
    """Statements whose plan reads a watched table by anything but an id of what the page shows."""
    postgresql = connection.dialect.name == "postgresql"
    raw = connection.connection.dbapi_connection
    assert raw is not None
    problems = []
    cursor = raw.cursor()
    if postgresql:
        # On tables this small the planner would rather read everything: leave it only the keyed ways in.
        for setting in PLANNER_OFF:
            cursor.execute(f"SET LOCAL {setting} = off")
    try:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
                continue
            if postgresql:
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
                plan = cursor.fetchone()[0]
                bad = _pg_problems(plan[0]["Plan"])
                text = json.dumps(plan, indent=1)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                lines = [str(row[-1]) for row in cursor.fetchall()]
                bad = _sqlite_problems(lines)
                text = "\n".join(lines)
            if bad:
                problems.append(f"{bad} in:\n{statement}\n{text[:3000]}")
    finally:
        if postgresql:
            for setting in PLANNER_OFF:
                cursor.execute(f"SET LOCAL {setting} = on")
        cursor.close()
    return problems


def test_requests_do_not_grow_with_the_database(web: Browser, session: Session) -> None:
    w = world_make(session)
    session.info["today"] = w.today
    subject = w.families[0]
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today - timedelta(days=10), status="terlaksana")
    current = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=w.today)
    for family in w.families:
        session.add(Attendance(meeting_id=held.id or 0, family_id=family.id or 0, status="hadir"))
        session.add(Attendance(meeting_id=current.id or 0, family_id=family.id or 0, status="izin"))
    session.flush()
    attendance_summaries_refresh(session=session)
    elsewhere_add(session, kelompok_count=2, tag="a")
    session.commit()
    web.login(w.pendamping.username)
    target = f"kpm-{subject.id}"
    taps = iter(("hadir", "izin") * 10)

    def tap(meeting: Meeting) -> Callable[[], Any]:
        url = f"/pertemuan/{meeting.id}/absensi/{subject.id}"
        return lambda: web.post(url, data={"status": next(taps)}, htmx_target=target)

    requests: dict[str, Callable[[], Any]] = {
        "tap": tap(current),
        "tap on a held meeting": tap(held),
        "roll-call page": lambda: web.get(f"/pertemuan/{current.id}"),
        "family page": lambda: web.get(f"/kpm/{subject.id}"),
        "family aid panel": lambda: web.get(
            f"/kpm/{subject.id}/bantuan", headers={"HX-Request": "true", "HX-Target": "aid"}
        ),
        "Beranda": lambda: web.get("/"),
    }
    connection = session.connection()

    def measure() -> dict[str, Recorded]:
        found = {}
        for name, request in requests.items():
            request()  # warm-up: caches filled, the mark in the state the measured request meets
            # The app shares this session: start from an empty identity map, not from whatever the garbage
            # collector has left in it (a hit there saves a statement by chance).
            session.expunge_all()
            with recording(connection) as seen:
                response = request()
            assert response.status_code == 200, (name, response.text[:300])
            found[name] = seen
        return found

    small = measure()
    elsewhere_add(session, kelompok_count=20, tag="b")
    session.commit()
    assert session.get(Family, subject.id) is not None
    large = measure()

    for name in requests:
        assert len(large[name].statements) == len(small[name].statements), (
            name,
            [s for s, _ in large[name].statements],
        )
        assert small[name].statements, name
    problems = [f"{name}: {p}" for name in requests for p in plan_problems(connection, large[name].statements)]
    assert not problems, "\n\n".join(problems)
