"""Open-loop load on the app as a kabupaten's morning meets it, then the same tap through a bare endpoint.

    python -m bench.load --database-url sqlite:////work/bench_data/bench.sqlite3 [--rate 100] [--duration 60]
    python -m bench.load --database-url postgresql://postgres@127.0.0.1:5432/p2k2_bench --workers 2

Every request's send time is fixed before the run (each kind at its own steady rate) and its latency is counted
from that time, so a server that stalls shows as latency and timeouts, never as fewer requests sent. Kinds:
pendamping tapping the roll of today's meeting (`tap`) or of a held meeting (`tap_held`, refreshes readiness),
"semua hadir" (`all_present`) followed 2 s later by marking the meeting held (`held`), logging in (`login`),
opening Beranda (`beranda`) and a supervisor opening the kabupaten dashboard (`dashboard`). `--mix` gives each
kind's requests per 100 taps. The app runs in uvicorn (`--workers`) on a free loopback port; today's meetings
are added to the database for the run (one per pendamping, marked `bench-load`). Afterwards the database is
checked: every tap's final mark against the last one acknowledged, the meetings' stored counts against a
recount, and the audit rows of taps against the taps acknowledged. Then the bare endpoint (bench/bare.py, one
upsert in its own transaction) takes the same taps at the same rate on meetings of its own.
"""

import argparse
import asyncio
import contextlib
import functools
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bench.generate import PASSWORD

DEFAULT_MIX = "tap=100,tap_held=5,all_present=1,login=1,beranda=1,dashboard=0.2"
STATUSES = ("hadir", "izin", "sakit", "alpa")
CSRF = "bench-load-csrf-token"
PLACE = "bench-load"
TIMEOUT = 30.0
CONNECTIONS = 512
CONNECTION_ERROR = 0  # Outcome.code of a request whose connection broke (None: timed out)
CONNECTION_ERRORS: dict[str, int] = defaultdict(int)
HELD_AFTER = 2.0  # seconds between "semua hadir" and marking that meeting held


# --- a minimal HTTP/1.1 client over asyncio streams, with a keep-alive pool ---


class HttpPool:
    """Up to `size` keep-alive connections to one loopback server; a request beyond that waits its turn (and
    the wait counts in its latency, like a phone waiting for a socket)."""

    def __init__(self, host: str, port: int, size: int = CONNECTIONS) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(size)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str]]:
        async with self.slots:
            for attempt in (0, 1):
                reused = bool(self.idle) and attempt == 0
                reader, writer = self.idle.pop() if reused else await asyncio.open_connection(self.host, self.port)
                try:
                    result = await self._exchange(reader, writer, method, path, headers, body)
                except (ConnectionError, asyncio.IncompleteReadError) as exc:
                    writer.close()
                    if reused:  # the server had closed this keep-alive connection (e.g. after a 500): a fresh one
                        continue
                    raise ConnectionError(str(exc)) from exc
                except BaseException:
                    writer.close()  # a timeout cancels us mid-exchange: the connection is unusable
                    raise
                status, response_headers, keep = result
                if keep:
                    self.idle.append((reader, writer))
                else:
                    writer.close()
                return status, response_headers
        raise ConnectionError("unreachable")

    async def _exchange(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[int, dict[str, str], bool]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        response_headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name in response_headers:  # Set-Cookie comes once per cookie
                response_headers[name] += "\n" + value.strip()
            else:
                response_headers[name] = value.strip()
        if "/masuk" in response_headers.get("hx-redirect", ""):
            status = 401  # htmx is sent to the login page: the session was refused
        if status in (204, 304) or 100 <= status < 200:
            pass
        elif "content-length" in response_headers:
            await reader.readexactly(int(response_headers["content-length"]))
        elif response_headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await reader.read()
            return status, response_headers, False
        return status, response_headers, response_headers.get("connection", "").lower() != "close"


# --- the plan: every request decided before the first is sent ---


@dataclass
class Planned:
    at: float  # seconds after the start
    kind: str
    method: str
    path: str
    user: str  # whose cookie ("" = none)
    body: bytes = b""
    htmx_target: str | None = None
    pair: tuple[int, int] | None = None  # (meeting, family) of a tap
    status: str = ""  # the mark a tap sets


@dataclass
class Outcome:
    planned: Planned
    latency: float
    code: int | None  # None: timed out; CONNECTION_ERROR: the connection broke
    sent_at: float
    done_at: float


@dataclass
class Fixture:
    """What the run needs from the database: today's meetings per pendamping, their rosters, held meetings."""

    pendamping: list[str]
    supervisor: str
    tap_meetings: dict[int, str]  # meeting id -> owner username
    flow_meetings: list[tuple[int, str]]  # for "semua hadir" then "held"
    held_meetings: dict[int, str]
    bare_meetings: list[int]
    roster: dict[int, list[int]]  # meeting id -> family ids
    created: list[int] = field(default_factory=list)
    initial: dict[tuple[int, int], str] = field(default_factory=dict)  # marks of the held meetings before the run
    warmed: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # marks the warm-up's taps saved


def mix_parse(value: str) -> dict[str, float]:
    mix: dict[str, float] = {}
    for part in value.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in ("tap", "tap_held", "all_present", "login", "beranda", "dashboard"):
            raise SystemExit(f"unknown kind in --mix: {name!r}")
        mix[name.strip()] = float(weight)
    return mix


def steady(rate: float, duration: float, rng: random.Random) -> list[float]:
    """Send times at a fixed rate, starting at a random phase."""
    if rate <= 0:
        return []
    step = 1.0 / rate
    first = rng.uniform(0, step)
    return [first + i * step for i in range(int((duration - first) * rate) + 1) if first + i * step < duration]


def plan_build(
    fixture: Fixture, *, rate: float, duration: float, mix: dict[str, float], rng: random.Random
) -> list[Planned]:
    per_second = {kind: weight * rate / 100.0 for kind, weight in mix.items()}
    plan: list[Planned] = []

    def tap(at: float, kind: str, meeting: int, owner: str) -> Planned:
        family = rng.choice(fixture.roster[meeting])
        status = rng.choice(STATUSES)
        return Planned(
            at,
            kind,
            "POST",
            f"/pertemuan/{meeting}/absensi/{family}",
            owner,
            urllib.parse.urlencode({"status": status}).encode(),
            htmx_target=f"kpm-{family}",
            pair=(meeting, family),
            status=status,
        )

    taps = list(fixture.tap_meetings.items())
    held = list(fixture.held_meetings.items())
    for at in steady(per_second.get("tap", 0), duration, rng):
        plan.append(tap(at, "tap", *rng.choice(taps)))
    for at in steady(per_second.get("tap_held", 0), duration, rng):
        plan.append(tap(at, "tap_held", *rng.choice(held)))
    flows = iter(fixture.flow_meetings)
    for at in steady(per_second.get("all_present", 0), duration - HELD_AFTER, rng):
        meeting, owner = next(flows)
        plan.append(Planned(at, "all_present", "POST", f"/pertemuan/{meeting}/semua-hadir", owner, htmx_target="roll"))
        plan.append(Planned(at + HELD_AFTER, "held", "POST", f"/pertemuan/{meeting}/terlaksana", owner))
    for at in steady(per_second.get("login", 0), duration, rng):
        body = {"username": rng.choice(fixture.pendamping), "password": PASSWORD, "csrf_token": CSRF}
        plan.append(Planned(at, "login", "POST", "/masuk", "", urllib.parse.urlencode(body).encode()))
    for at in steady(per_second.get("beranda", 0), duration, rng):
        plan.append(Planned(at, "beranda", "GET", "/", rng.choice(fixture.pendamping)))
    for at in steady(per_second.get("dashboard", 0), duration, rng):
        plan.append(Planned(at, "dashboard", "GET", "/dasbor", fixture.supervisor))
    return sorted(plan, key=lambda p: p.at)


# --- the database: meetings for the run, and the checks after it ---


def fixture_prepare(url: str, *, pendamping: int, flows: int, rng: random.Random, today: date) -> Fixture:
    """Today's meetings for `pendamping` pendamping (one to tap, one for "semua hadir" + held, one for the bare
    endpoint each, as far as their kelompok go), and held meetings of theirs in unlocked months."""
    from app.db import engine_create
    from app.models import Attendance, Family, FamilyStatus, Kelompok, Meeting, MeetingStatus, MonthLock, Topic, User

    engine = engine_create(url)
    with Session(engine) as session:
        owners = session.exec(
            select(User.id, User.username).where(User.role == "pendamping", col(User.is_active).is_(True))
        ).all()
        chosen = sorted(rng.sample(list(owners), min(pendamping, len(owners))))
        names = dict(chosen)
        kelompok_by_owner: dict[int, list[int]] = defaultdict(list)
        for kelompok_id, owner in session.exec(
            select(Kelompok.id, Kelompok.pendamping_id)
            .where(col(Kelompok.pendamping_id).in_(list(names)), col(Kelompok.active).is_(True))
            .order_by(col(Kelompok.id))
        ).all():
            kelompok_by_owner[owner or 0].append(kelompok_id or 0)
        topic = session.exec(select(Topic.id).order_by(col(Topic.id))).first()
        created: list[tuple[int, int, str]] = []  # (kelompok, slot, owner)
        owner_cycle = [o for o in names if kelompok_by_owner[o]]
        slots = [(k, "tap") for o in owner_cycle for k in kelompok_by_owner[o][:1]]
        spare = [k for o in owner_cycle for k in kelompok_by_owner[o][1:]]
        rng.shuffle(spare)
        flow_k, bare_k = spare[:flows], spare[flows : flows + len(slots)]
        meetings: list[tuple[Meeting, str]] = []
        kelompok_owner = {k: names[o] for o in owner_cycle for k in kelompok_by_owner[o]}
        for kelompok_id, role in [*slots, *((k, "flow") for k in flow_k), *((k, "bare") for k in bare_k)]:
            meeting = Meeting(
                kelompok_id=kelompok_id,
                topic_id=topic or 1,
                date=today,
                start_time=clock_time(8, 0),
                place=PLACE,
                status=MeetingStatus.SCHEDULED,
            )
            session.add(meeting)
            meetings.append((meeting, role))
        session.flush()
        created = [(m.id or 0, m.kelompok_id, role) for m, role in meetings]
        session.commit()
        roster: dict[int, list[int]] = {}
        families: dict[int, list[int]] = defaultdict(list)
        for family_id, kelompok_id in session.exec(
            select(Family.id, Family.kelompok_id).where(
                col(Family.kelompok_id).in_(list(kelompok_owner)), Family.status == FamilyStatus.AKTIF
            )
        ).all():
            families[kelompok_id or 0].append(family_id or 0)
        for meeting_id, kelompok_id, _ in created:
            roster[meeting_id] = families[kelompok_id]
        previous_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        locks = set(
            session.exec(
                select(MonthLock.kelompok_id, MonthLock.month).where(
                    col(MonthLock.kelompok_id).in_(list(kelompok_owner)), col(MonthLock.month) >= previous_month
                )
            ).all()
        )
        held_rows = [
            (meeting_id or 0, kelompok_id)
            for meeting_id, kelompok_id, day in session.exec(
                select(Meeting.id, Meeting.kelompok_id, Meeting.date).where(
                    col(Meeting.kelompok_id).in_(list(kelompok_owner)),
                    Meeting.status == MeetingStatus.HELD,
                    col(Meeting.date) <= today,
                    col(Meeting.date) >= previous_month,
                )
            ).all()
            if (kelompok_id, day.replace(day=1)) not in locks
        ][:2000]
        for meeting_id, kelompok_id in held_rows:
            roster[meeting_id] = families[kelompok_id]
        initial: dict[tuple[int, int], str] = {}
        for chunk in _chunks([m for m, _ in held_rows], 500):
            for meeting_id, family_id, status in session.exec(
                select(Attendance.meeting_id, Attendance.family_id, Attendance.status).where(
                    col(Attendance.meeting_id).in_(chunk)
                )
            ).all():
                initial[(meeting_id, family_id)] = status
        supervisor = session.exec(select(User.username).where(User.role == "supervisor").order_by(col(User.id))).first()
    engine.dispose()
    return Fixture(
        pendamping=[names[o] for o in owner_cycle],
        supervisor=supervisor or "supervisor",
        tap_meetings={m: kelompok_owner[k] for m, k, role in created if role == "tap" and roster[m]},
        flow_meetings=[(m, kelompok_owner[k]) for m, k, role in created if role == "flow"],
        held_meetings={m: kelompok_owner[k] for m, k in held_rows if roster[m]},
        bare_meetings=[m for m, _, role in created if role == "bare" and roster[m]],
        roster=roster,
        created=[m for m, _, _ in created],
        initial=initial,
    )


def checks_run(url: str, *, fixture: Fixture, outcomes: list[Outcome], since: datetime) -> list[str]:
    """The database after the run against what the server acknowledged; the differences, as lines."""
    from app.db import engine_create
    from app.models import Attendance, AuditLog, Meeting

    engine = engine_create(url)
    lines: list[str] = []
    taps: dict[tuple[int, int], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.planned.pair is not None:
            taps[o.planned.pair].append(o)
    meetings = sorted({m for m, _ in taps} | {m for m, _ in fixture.flow_meetings})
    with Session(engine) as session:
        final: dict[tuple[int, int], str] = {}
        ids: list[int] = []
        for chunk in _chunks(sorted({m for m, _ in taps}), 500):
            for meeting_id, family_id, status, row_id in session.exec(
                select(Attendance.meeting_id, Attendance.family_id, Attendance.status, Attendance.id).where(
                    col(Attendance.meeting_id).in_(chunk)
                )
            ).all():
                final[(meeting_id, family_id)] = status
                if (meeting_id, family_id) in taps:
                    ids.append(row_id or 0)
        lost = ambiguous = saved_unacked = 0
        for pair, sent in taps.items():
            sent.sort(key=lambda o: o.planned.at)
            acked = [o for o in sent if acknowledged(o.code)]
            failed = [o for o in sent if o.code is None or o.code == CONNECTION_ERROR or o.code >= 500]
            state = final.get(pair)
            unacked = {o.planned.status for o in failed} - {o.planned.status for o in acked}
            unacked -= fixture.warmed.get(pair, set())  # a value the warm-up saved is no refused tap's
            if state is not None and state != fixture.initial.get(pair) and state in unacked:
                saved_unacked += 1
            if not acked:
                continue
            last = acked[-1]
            overlapped = any(o is not last and o.done_at > last.sent_at for o in sent[: sent.index(last)])
            unknown_after = any(o in failed for o in sent[sent.index(last) + 1 :])
            if overlapped or unknown_after:
                ambiguous += 1
                if state not in {o.planned.status for o in sent}:
                    lost += 1
            elif state != last.planned.status:
                lost += 1
        lines.append(
            f"taps: {len(taps)} (meeting, KPM) pairs tapped; {lost} final marks differ from the last acknowledged "
            f"tap ({ambiguous} pairs had overlapping or failed taps, checked against any value sent); "
            f"{saved_unacked} pairs hold the value of a tap that was answered with an error"
        )
        drift = 0
        for chunk in _chunks(meetings, 500):
            marks = (
                select(func.count())
                .where(col(Attendance.meeting_id) == Meeting.id)
                .correlate(Meeting)
                .scalar_subquery()
            )
            present = (
                select(func.count())
                .where(col(Attendance.meeting_id) == Meeting.id, Attendance.status == "hadir")
                .correlate(Meeting)
                .scalar_subquery()
            )
            for meeting_id, stored_marks, stored_present, real_marks, real_present in session.exec(
                select(Meeting.id, Meeting.marks_count, Meeting.present_count, marks, present).where(
                    col(Meeting.id).in_(chunk)
                )
            ).all():
                if (stored_marks, stored_present) != (real_marks, real_present):
                    drift += 1
                    if drift <= 5:
                        lines.append(
                            f"  meeting {meeting_id}: stored {stored_marks} marks / {stored_present} hadir, "
                            f"recount {real_marks} / {real_present}"
                        )
        lines.append(f"counts: {drift} of {len(meetings)} meetings' stored marks/hadir counts differ from a recount")
        audited = 0
        for chunk in _chunks(sorted(set(ids)), 500):
            audited += session.exec(
                select(func.count()).where(
                    AuditLog.entity == "attendance",
                    col(AuditLog.entity_id).in_([str(i) for i in chunk]),
                    col(AuditLog.at) >= since,
                )
            ).one()
        acked_taps = sum(1 for o in outcomes if o.planned.pair is not None and acknowledged(o.code))
        lines.append(
            f"audit: {audited} attendance audit rows for the tapped pairs, {acked_taps} taps acknowledged "
            f"(difference {audited - acked_taps:+d})"
        )
        lines.append(verdicts_check(session, fixture=fixture))
    engine.dispose()
    return lines


def verdicts_check(session: Session, *, fixture: Fixture) -> str:
    """The stored verdicts of every family of the held meetings (tapped, or marked held by the run) against a
    fresh computation: what the candidates list shows must be what the facts say once the run is over."""
    from app.clock import today_local
    from app.graduation.queries import readiness_evaluate_many
    from app.graduation.service import _rows
    from app.models import FamilyReadiness

    families = sorted(
        {f for m in [*fixture.held_meetings, *(m for m, _ in fixture.flow_meetings)] for f in fixture.roster.get(m, [])}
    )
    differ = 0
    for chunk in _chunks(families, 500):
        fresh = {
            row[0]: row[1:]
            for row in _rows(readiness_evaluate_many(session=session, family_ids=chunk, today=today_local()))
        }
        stored = {
            family_id: (verdict, warnings, details)
            for family_id, verdict, warnings, details in session.exec(
                select(
                    FamilyReadiness.family_id,
                    FamilyReadiness.verdict,
                    FamilyReadiness.warnings,
                    FamilyReadiness.details,
                ).where(col(FamilyReadiness.family_id).in_(chunk))
            ).all()
        }
        differ += sum(1 for family_id, row in fresh.items() if stored.get(family_id) != row)
    return f"verdicts: {differ} of {len(families)} held meetings' families have a stored verdict unlike a fresh one"


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- servers and their memory ---


def port_free() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_start(
    app: str, url: str, workers: int, *, readiness_refresh: str = "inline"
) -> tuple[subprocess.Popen[bytes], int]:
    """uvicorn on a free port; with readiness_refresh="worker", `python -m app.cli worker` beside it as `make run`
    starts them, a child of the server's process so that its CPU and memory count with the server's."""
    port = port_free()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--timeout-keep-alive", "60", "--no-access-log", "--no-server-header"]
    if workers > 1:
        command += ["--workers", str(workers)]
    if readiness_refresh == "worker":
        worker = f"{sys.executable} -m app.cli worker"
        command = ["sh", "-c", f"{worker} & exec {' '.join(command)}"]
    log = tempfile.NamedTemporaryFile(prefix="bench-load-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        command,
        # as `make run` and the image start it
        env={"MALLOC_ARENA_MAX": "2", **os.environ, "DATABASE_URL": url, "READINESS_REFRESH": readiness_refresh},
        start_new_session=True,
        stdout=log,
        stderr=log,
    )
    server.args = [*command, log.name]  # where server_errors finds its log
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sehat", timeout=2)
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"{app} did not start")


def server_stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def server_errors(server: subprocess.Popen[bytes], top: int = 5) -> list[str]:
    """The exceptions the server logged (the last line of each traceback), most frequent first."""
    path = Path(list(server.args)[-1])  # type: ignore[arg-type]
    counts: dict[str, int] = defaultdict(int)
    for line in path.read_text(errors="replace").splitlines():
        if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Timeout)\b.*:", line):
            counts[line[:150]] += 1
    path.unlink(missing_ok=True)
    return [f"{n:>6} × {message}" for message, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]]


def process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return found


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class Memory:
    peak_total: float = 0.0
    peak_process: float = 0.0
    first: float = 0.0


async def memory_watch(pid: int, memory: Memory, stop: asyncio.Event) -> None:
    while not stop.is_set():
        sizes = [rss_mb(p) for p in process_tree(pid)]
        total = sum(sizes)
        memory.first = memory.first or total
        memory.peak_total = max(memory.peak_total, total)
        memory.peak_process = max(memory.peak_process, max(sizes, default=0.0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


# --- running the plan ---


async def logins_open(pool: HttpPool, users: Iterable[str]) -> dict[str, str]:
    """A session cookie per user, logged in through the login form like a browser, one at a time (concurrent
    logins answer 500 on SQLite before issue 15's fix; preparing is not what is measured)."""
    cookies: dict[str, str] = {}
    for username in sorted(set(users)):
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf_token": CSRF}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"p2k2_csrf={CSRF}"}
        for _ in range(5):
            status, response = await pool.request("POST", "/masuk", headers, body)
            session = [c.split(";", 1)[0] for c in response.get("set-cookie", "").split("\n")]
            session = [c for c in session if c.startswith("p2k2_session=")]
            if status == 303 and session:
                cookies[username] = session[0]
                break
            await asyncio.sleep(0.5)
        else:
            raise SystemExit(f"login of {username} answered {status}")
    return cookies


async def plan_run(
    pool: HttpPool, plan: list[Planned], cookies: dict[str, str], server_pid: int | None
) -> tuple[list[Outcome], Memory, float, float]:
    """Send every planned request at its time, whatever came back before; latency from the planned time."""
    outcomes: list[Outcome] = []
    memory, stop = Memory(), asyncio.Event()
    watcher = asyncio.create_task(memory_watch(server_pid, memory, stop)) if server_pid else None
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5
    worst_lag = 0.0
    tasks: list[asyncio.Task[None]] = []

    async def one(p: Planned) -> None:
        headers = {"Cookie": f"p2k2_csrf={CSRF}" + (f"; {cookies[p.user]}" if p.user else "")}
        if p.method == "POST":
            headers["X-CSRF-Token"] = CSRF
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if p.htmx_target:
            headers.update({"HX-Request": "true", "HX-Target": p.htmx_target})
        sent = loop.time()
        code: int | None
        try:
            code, _ = await asyncio.wait_for(pool.request(p.method, p.path, headers, p.body), TIMEOUT)
        except TimeoutError:
            code = None
        except (ConnectionError, OSError) as exc:
            code = CONNECTION_ERROR
            CONNECTION_ERRORS[f"{type(exc).__name__}: {exc}"[:100]] += 1
        done = loop.time()
        outcomes.append(Outcome(p, done - (start + p.at), code, sent - start, done - start))

    pids = process_tree(server_pid) if server_pid else []
    cpu_before = cpu_seconds(pids)
    for p in plan:
        delay = start + p.at - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        worst_lag = max(worst_lag, loop.time() - (start + p.at))
        tasks.append(asyncio.create_task(one(p)))
    await asyncio.gather(*tasks)
    cpu = cpu_seconds(process_tree(server_pid)) - cpu_before if server_pid else 0.0
    stop.set()
    if watcher:
        await watcher
    return outcomes, memory, worst_lag, cpu


def acknowledged(code: int | None) -> bool:
    return code is not None and 200 <= code < 400


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(outcomes: list[Outcome], title: str) -> dict[str, float]:
    """Per kind: count, ok, 422, errors (503 "busy" from the overload protection, other 5xx, other 4xx,
    timeouts/connection), p50/p95/p99 in ms; p95 per kind."""
    print(f"\n{title}")
    head = f"{'kind':<12}{'sent':>7}{'ok':>7}{'422':>6}{'503':>6}{'5xx':>6}{'4xx':>5}{'t/o':>6}{'conn':>6}"
    print(head + f"{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.planned.kind].append(o)
    p95: dict[str, float] = {}
    for kind in ("tap", "tap_held", "all_present", "held", "login", "beranda", "dashboard", "bare_tap"):
        rows = by_kind.get(kind)
        if not rows:
            continue
        codes = [o.code for o in rows]
        ok = sum(1 for c in codes if acknowledged(c))
        unprocessable = sum(1 for c in codes if c == 422)
        broken = sum(1 for c in codes if c == CONNECTION_ERROR)
        busy = sum(1 for c in codes if c == 503)
        server_errors = sum(1 for c in codes if c is not None and c >= 500 and c != 503)
        other = sum(1 for c in codes if c is not None and 400 <= c < 500 and c != 422)
        timeouts = sum(1 for c in codes if c is None)
        latencies = [o.latency * 1000 for o in rows]
        p95[kind] = percentile(latencies, 0.95)
        print(
            f"{kind:<12}{len(rows):>7}{ok:>7}{unprocessable:>6}{busy:>6}{server_errors:>6}{other:>5}{timeouts:>6}"
            f"{broken:>6}"
            f"{percentile(latencies, 0.5):>10.1f}{p95[kind]:>10.1f}{percentile(latencies, 0.99):>10.1f}"
        )
    for message, n in sorted(CONNECTION_ERRORS.items(), key=lambda kv: -kv[1])[:3]:
        print(f"connection errors: {n} × {message}")
    CONNECTION_ERRORS.clear()
    return p95


async def app_phase(args: argparse.Namespace, fixture: Fixture, rng: random.Random) -> tuple[list[Outcome], datetime]:
    server, port = server_start(
        "app.main:app", args.database_url, args.workers, readiness_refresh=args.readiness_refresh
    )
    try:
        pool = HttpPool("127.0.0.1", port)
        users = [
            *fixture.tap_meetings.values(),
            *fixture.held_meetings.values(),
            *(o for _, o in fixture.flow_meetings),
        ]
        started = time.perf_counter()
        cookies = await logins_open(pool, [*users, *fixture.pendamping, fixture.supervisor])
        print(f"logged in {len(cookies)} users in {time.perf_counter() - started:.1f} s")
        if args.warmup > 0:
            await warmup_run(pool, fixture, cookies, args, rng)
        plan = plan_build(fixture, rate=args.rate, duration=args.duration, mix=mix_parse(args.mix), rng=rng)
        since = datetime.now(UTC)
        idle_rss = sum(rss_mb(p) for p in process_tree(server.pid))
        load_before = os.getloadavg()[0]
        queue, watching = QueueWatch(), asyncio.Event()
        watcher = asyncio.create_task(queue_watch(args.database_url, queue, watching))
        outcomes, memory, lag, cpu = await plan_run(pool, plan, cookies, server.pid)
        watching.set()
        await watcher
        print(f"\nmachine load average (1 min): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after the run")
        p95 = report(outcomes, f"app, {args.workers} uvicorn worker(s), {args.rate:g} taps/s for {args.duration:g} s")
        print(
            f"server RSS: {idle_rss:.0f} MB before, peak {memory.peak_total:.0f} MB (all processes), "
            f"largest process {memory.peak_process:.0f} MB; server CPU {cpu:.1f} s = "
            f"{cpu * 1000 / max(1, len(outcomes)):.1f} ms per request; "
            f"worst send lag of this client {lag * 1000:.0f} ms"
        )
        if args.readiness_refresh == "worker":
            emptied = await asyncio.to_thread(queue_wait_empty, args.database_url, 60.0)
            print(
                f"readiness queue (READINESS_REFRESH=worker): at most {queue.most} families waiting, the oldest "
                f"{queue.oldest:.1f} s at most (sampled each second); "
                + (f"empty {emptied:.1f} s after the run" if emptied is not None else "NOT empty 60 s after the run")
            )
        args.app_p95 = p95.get("tap", float("nan"))
        return outcomes, since
    finally:
        server_stop(server)
        for line in server_errors(server):
            print("server log:" + line)


@dataclass
class QueueWatch:
    most: int = 0  # families waiting at once
    oldest: float = 0.0  # seconds the oldest of them had waited


def queue_sample(url: str) -> tuple[int, float]:
    from app.jobs.queries import readiness_pending_status

    engine = engine_cached(url)
    with Session(engine) as session:
        status = readiness_pending_status(session=session)
    waited = (datetime.now(UTC) - status.oldest).total_seconds() if status.oldest else 0.0
    return status.count, waited


async def queue_watch(url: str, queue: QueueWatch, stop: asyncio.Event) -> None:
    """The verdicts waiting for the worker, sampled every second: how stale the candidates list could be."""
    while not stop.is_set():
        count, waited = await asyncio.to_thread(queue_sample, url)
        queue.most, queue.oldest = max(queue.most, count), max(queue.oldest, waited)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


def queue_wait_empty(url: str, limit: float) -> float | None:
    """Seconds until the worker has stored every queued verdict (None: not within `limit`)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if queue_sample(url)[0] == 0:
            return time.perf_counter() - started
        time.sleep(0.2)
    return None


@functools.cache
def engine_cached(url: str) -> Any:
    from app.db import engine_create

    return engine_create(url)


async def warmup_run(
    pool: HttpPool, fixture: Fixture, cookies: dict[str, str], args: argparse.Namespace, rng: random.Random
) -> None:
    """The same mix at the same rate for `--warmup` seconds before the measured run, reported on one line and not
    counted: a morning peak meets servers that have been up for hours, not ones started a second ago (their
    first requests fill SQLAlchemy's statement cache, open the pool's connections, build the first dashboard)."""
    plan = plan_build(fixture, rate=args.rate, duration=args.warmup, mix=mix_parse(args.mix), rng=rng)
    fixture.flow_meetings = fixture.flow_meetings[sum(1 for p in plan if p.kind == "all_present") :]
    outcomes, _, _, _ = await plan_run(pool, plan, cookies, None)
    for o in outcomes:
        if o.planned.pair is not None and acknowledged(o.code):
            fixture.warmed.setdefault(o.planned.pair, set()).add(o.planned.status)
    taps = [o.latency * 1000 for o in outcomes if o.planned.kind == "tap"]
    failed = sum(1 for o in outcomes if not acknowledged(o.code) and o.code != 422)
    print(
        f"warm-up (not counted): {len(outcomes)} requests in {args.warmup:g} s, {failed} not acknowledged, "
        f"tap p50 / p95 {percentile(taps, 0.5):.1f} / {percentile(taps, 0.95):.1f} ms"
    )


def bare_counts_restore(url: str, meeting_ids: list[int]) -> None:
    """The bare endpoint writes the marks alone: recount its meetings so `python -m app.cli check` stays clean."""
    from app.attendance.service import attendance_summaries_refresh
    from app.db import engine_create

    engine = engine_create(url)
    with Session(engine) as session:
        attendance_summaries_refresh(session=session, meeting_ids=meeting_ids, family_ids=[])
        session.commit()
    engine.dispose()


async def bare_phase(args: argparse.Namespace, fixture: Fixture, rng: random.Random) -> float:
    server, port = server_start("bench.bare:app", args.database_url, 1)
    try:
        pool = HttpPool("127.0.0.1", port)

        def bare_plan(duration: float) -> list[Planned]:
            plan = []
            for at in steady(args.rate, duration, rng):
                meeting = rng.choice(fixture.bare_meetings)
                family = rng.choice(fixture.roster[meeting])
                status = rng.choice(STATUSES)
                plan.append(Planned(at, "bare_tap", "POST", f"/tap/{meeting}/{family}?status={status}", ""))
            return plan

        if args.warmup > 0:
            await plan_run(pool, bare_plan(args.warmup), {}, None)  # like the app's: not counted
        outcomes, memory, lag, _ = await plan_run(pool, bare_plan(args.duration), {}, server.pid)
        p95 = report(outcomes, f"bare endpoint (bench/bare.py, one upsert), {args.rate:g} taps/s")
        print(f"bare server RSS peak {memory.peak_total:.0f} MB; worst send lag {lag * 1000:.0f} ms")
        return p95.get("bare_tap", float("nan"))
    finally:
        server_stop(server)
        for line in server_errors(server):
            print("bare server log:" + line)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Open-loop load benchmark of the roll call (see module doc)")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rate", type=float, default=100.0, help="taps per second (default 100)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"requests of each kind per 100 taps ({DEFAULT_MIX})")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes for the app")
    parser.add_argument("--pendamping", type=int, default=100, help="pendamping tapping their own meeting")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--warmup", type=float, default=5.0, help="seconds of the same load before the measured run, not counted"
    )
    parser.add_argument("--no-bare", action="store_true", help="skip the bare-endpoint phase")
    parser.add_argument(
        "--readiness-refresh",
        choices=("worker", "inline"),
        default="worker",
        help="READINESS_REFRESH of the server: worker (as `make run`, with `python -m app.cli worker` beside it) "
        "or inline",
    )
    args = parser.parse_args(argv)
    if not args.duration > 0 or not 0 < args.rate <= 1000 or args.duration > 600:
        raise SystemExit("--rate must be in (0, 1000] and --duration in (0, 600]")
    os.environ["DATABASE_URL"] = args.database_url
    from app.clock import today_local

    rng = random.Random(args.seed)
    mix = mix_parse(args.mix)
    flows = int(mix.get("all_present", 0) * args.rate / 100 * (args.duration + max(0.0, args.warmup))) + 2
    started = time.perf_counter()
    fixture = fixture_prepare(args.database_url, pendamping=args.pendamping, flows=flows, rng=rng, today=today_local())
    if len(fixture.flow_meetings) < flows - 1:
        raise SystemExit(f"only {len(fixture.flow_meetings)} spare kelompok for {flows} 'semua hadir'; lower --mix")
    print(
        f"fixture: {len(fixture.tap_meetings)} meetings today to tap ({len(fixture.pendamping)} pendamping), "
        f"{len(fixture.held_meetings)} held meetings, {len(fixture.flow_meetings)} for semua hadir + held, "
        f"{len(fixture.bare_meetings)} for the bare endpoint ({time.perf_counter() - started:.1f} s)"
    )
    outcomes, since = asyncio.run(app_phase(args, fixture, rng))
    print("\nchecks after the run:")
    for line in checks_run(args.database_url, fixture=fixture, outcomes=outcomes, since=since):
        print("  " + line)
    if not args.no_bare and fixture.bare_meetings:
        bare_p95 = asyncio.run(bare_phase(args, fixture, rng))
        bare_counts_restore(args.database_url, fixture.bare_meetings)
        print(f"\napp tap p95 / bare tap p95 = {args.app_p95:.1f} / {bare_p95:.1f} ms = {args.app_p95 / bare_p95:.1f}×")


if __name__ == "__main__":
    main()
