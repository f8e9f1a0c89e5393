"""Bad input never answers 500: hypothesis over every route's path, query-string and form values.

Every route of the app is tried as a role that may use it, with generated values for its path parameters
(valid IDs, IDs beyond 64 bits, negatives, non-numbers) and for every field its handler reads (found in the
domain's templates and forms). Nothing may answer 5xx; a 422 shows back what was typed.

Per route: a sweep (each of SWEEP_DEFAULT in every field at once, each of SWEEP_IDS in every path slot), then
FUZZ_EXAMPLES (default 4) hypothesis examples. FUZZ_SWEEP=all sweeps every value of NASTY_TEXT;
FUZZ_REPORT=path writes the figures (requests, failures with their cause) as JSON.
"""

import json
import logging
import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlmodel import Session, select

from app.assessments.forms import ECONOMY_FLAGS
from app.clock import today_local
from app.db import get_session
from app.main import app
from app.models import Assessment, Attendance, CurriculumModule, Indicator, Member, Topic
from app.params import text_clean
from app.settings import ROOT
from app.supervision.service import CHECKLIST
from tests.factories import PASSWORD, meeting_make, world_make

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
RESULTS: list[dict[str, Any]] = []

NASTY_TEXT = [
    "--5",
    "²",
    "١٢",
    "۵",
    " 5 ",
    "1e400",
    "-1",
    "0",
    "+7",
    "1_000",
    "5.5",
    "1,5",
    "NaN",
    "inf",
    "-inf",
    "9" * 30,
    str(2**63),
    str(2**64),
    str(-(2**63) - 1),
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "2026-02-30",
    "2026-13",
    "10000-01-01",
    "25:99",
    "x" * 100_000,
    "a\x00b",
    "\x00",
    "\u202eevil\u202c",
    "\u200f١\u200f",
    "😀👨‍👩‍👧",
    "\ufeff",
    "Ｆｕｌｌ",
    "'; DROP TABLE user; --",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "%00%27",
    "{{7*7}}",
    "../../etc/passwd",
    "\r\nSet-Cookie: x=1",
    "",
    "   ",
]
PLAUSIBLE = ["1", "2", "10", "hadir", "alpa", "ya", "tidak", "on", "na", "32.77", "32.77.01", "baseline", "final"]
SWEEP_DEFAULT = [
    "--5",
    "²",
    "١٢",
    str(2**64),
    "1e400",
    "9999-12-31",
    "0000-00-00",
    "x" * 100_000,
    "a\x00b",
    "\u202e😀'<",
]
SWEEP = NASTY_TEXT if os.environ.get("FUZZ_SWEEP") == "all" else SWEEP_DEFAULT
SWEEP_IDS = [str(2**63), str(2**64), "9" * 40, "-1", "١٢"]
NASTY_IDS = ["0", "-1", str(2**63 - 1), str(2**63), str(2**64), "9" * 40, "abc", "1e3", "١٢", "²", "--5", "%00"]


def all_routes(routes: list[object] | None = None) -> Iterator[APIRoute]:
    for route in routes if routes is not None else app.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from all_routes(route.original_router.routes)  # type: ignore[attr-defined]


def _domain(route: APIRoute) -> str:
    return route.endpoint.__module__.split(".")[1]


def _names_in(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'name="([a-z_]+)"', text))
        names |= set(re.findall(r'\.get\("([a-z_]+)"', text))
    return names


def route_fields(route: APIRoute) -> list[str]:
    """Every field the route's handler may read: its declared query/form parameters, and the names used by its
    domain's templates, routes and forms (a superset is fine: unknown fields must be ignored too)."""
    domain = _domain(route)
    paths = [*(ROOT / "templates" / domain).glob("*.html"), *(ROOT / "app" / domain).glob("*.py")]
    names = _names_in(paths)
    dependant = route.dependant
    names |= {p.name for p in dependant.query_params} | {p.name for p in dependant.body_params}
    for sub in dependant.dependencies:
        names |= {p.name for p in sub.query_params}
    if domain == "assessments":
        names |= set(ECONOMY_FLAGS)
    if domain == "supervision":
        names |= {key for key, _ in CHECKLIST}
    if domain == "dashboard" or domain == "exports":
        names |= {"wilayah", "dari", "sampai", "bulan", "kelompok", "pendamping", "halaman", "tabel"}
    path_params = set(re.findall(r"\{(\w+)", route.path))
    return sorted(names - path_params - {"csrf_token", "viewport"})


def route_role(route: APIRoute) -> str:
    path = route.path
    if path.startswith(("/admin", "/kurikulum")):
        return "admin"
    if path.startswith(("/dasbor", "/supervisi", "/koreksi", "/ekspor", "/graduasi/berita-acara")) or path.endswith(
        ("/penilaian", "/penilaian/baru", "/kunci", "/supervisi")
    ):
        return "supervisor"
    if "/verifikasi" in path or "/keputusan" in path and "/graduasi" in path:
        return "peninjau"
    return "pendamping"


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.causes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            self.causes.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}")


@pytest.fixture
def ids(session: Session) -> dict[str, list[int]]:
    """A world with one of everything a route can name, committed into the test's outer transaction."""
    w = world_make(session)
    held = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today - timedelta(days=7), status="terlaksana")
    today = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=w.today)
    future = meeting_make(session, kelompok=w.kelompok, topic_no=3, day=w.today + timedelta(days=14))
    for family in w.families:
        session.add(Attendance(meeting_id=held.id or 0, family_id=family.id or 0, status="hadir"))
    assessment = Assessment(family_id=w.families[0].id or 0, kind="baseline", assessed_on=w.today, status="draf")
    session.add(assessment)
    session.flush()
    member = session.exec(select(Member).where(Member.family_id == w.families[0].id)).first()
    indicator = session.exec(select(Indicator)).first()
    session.commit()
    return {
        "kelompok_id": [w.kelompok.id or 0, w.second_kelompok.id or 0],
        "meeting_id": [today.id or 0, held.id or 0, future.id or 0],
        "family_id": [f.id or 0 for f in w.families],
        "member_id": [member.id if member else 0],
        "assessment_id": [assessment.id or 0],
        "user_id": [w.pendamping.id or 0, w.other_pendamping.id or 0],
        "topic_id": [session.exec(select(Topic.id)).first() or 1],
        "module_id": [session.exec(select(CurriculumModule.id)).first() or 1],
        "indicator_id": [indicator.id if indicator and indicator.id else 1],
        "proposal_id": [1],
        "document_id": [1],
        "request_id": [1],
        "_users": [],
        "_world": [w],  # type: ignore[list-item]
    }


def _client(username: str) -> TestClient:
    client = TestClient(app, base_url="http://testserver", follow_redirects=False, raise_server_exceptions=False)
    client.get("/masuk")
    response = client.post(
        "/masuk", data={"username": username, "password": PASSWORD, "csrf_token": client.cookies["p2k2_csrf"]}
    )
    assert response.status_code == 303, response.text[:300]
    client.get("/sehat")  # login starts a fresh CSRF token
    return client


def _value_strategy(field: str) -> st.SearchStrategy[str | None]:
    today = today_local()
    plausible = [*PLAUSIBLE, today.isoformat(), today.strftime("%Y-%m"), "09:00"]
    return st.one_of(
        st.none(),
        st.sampled_from(plausible),
        st.sampled_from(NASTY_TEXT),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.text(max_size=40),
    )


def _kept(response_text: str, data: dict[str, str], path: str) -> list[str]:
    """Fields of the form that was sent (the one posting to `path`), shown back as a text input or textarea in a
    422 answer, that lost what was typed."""
    forms = [
        m.group(0)
        for m in re.finditer(r"<form\b.*?</form>", response_text, re.S)
        if re.search(rf'(action|hx-post)="[^"]*{re.escape(path)}"', m.group(0)[:500])
        and re.search(r'method="post"|hx-post=', m.group(0)[:500], re.I)
    ]
    lost = []
    for name, value in data.items():
        for form in forms:
            tag = re.search(rf'<(input|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', form)
            if not tag or re.search(r'type="(radio|checkbox|hidden|password|file)"', tag.group(0)):
                continue
            shown = text_clean(value).strip()  # control characters are dropped on the way in (app.params)
            if shown and len(shown) <= 1000 and str(escape(shown)) not in form:
                lost.append(f"{name}={value[:40]!r}")
    return lost


ROUTES = [(route, method) for route in all_routes() for method in sorted(route.methods)]


@pytest.mark.parametrize(("route", "method"), ROUTES, ids=[f"{m} {r.path}" for r, m in ROUTES])
def test_bad_input_never_answers_500(route: APIRoute, method: str, ids: dict[str, Any], session: Session) -> None:
    world = ids["_world"][0]
    username = {
        "admin": world.admin.username,
        "supervisor": world.supervisor.username,
        "peninjau": world.peninjau.username,
        "pendamping": world.pendamping.username,
    }[route_role(route)]
    recorder = Recorder()
    logger = logging.getLogger("p2k2")
    logger.addHandler(recorder)
    app.dependency_overrides[get_session] = lambda: session
    fields = route_fields(route)
    path_params = re.findall(r"\{(\w+)(?::\w+)?\}", route.path)
    failures: list[str] = []
    tried = Counter[str]()
    try:
        clients = [_client(username)]

        def path_value(name: str) -> st.SearchStrategy[str]:
            if name == "fmt":
                return st.sampled_from(["csv", "xlsx", "pdf", "x" * 300, "%00"])
            valid = [str(i) for i in ids.get(name, [1])]
            return st.one_of(st.sampled_from(valid), st.sampled_from(valid), st.sampled_from(NASTY_IDS))

        def send(path: dict[str, str], sent: dict[str, str]) -> None:
            url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: path[m.group(1)], route.path)
            before = len(recorder.causes)
            if "p2k2_session" not in clients[0].cookies:  # logged out by the previous example
                clients[0] = _client(username)
            client = clients[0]
            try:
                if method == "GET":
                    # a URL holds at most 64 KiB (httpx refuses longer ones): long values share that
                    cap = max(100, 60_000 // max(1, len(sent)))
                    response = client.get(url, params={k: v[:cap] for k, v in sent.items()})
                else:
                    response = client.post(url, data=sent, headers={"X-CSRF-Token": client.cookies["p2k2_csrf"]})
            finally:
                session.rollback()
            tried["requests"] += 1
            if response.status_code >= 500:
                cause = recorder.causes[before] if len(recorder.causes) > before else "(no exception logged)"
                failures.append(f"{response.status_code} {method} {url[:120]} {sorted(sent)[:8]} → {cause}")
            elif response.status_code == 422:
                lost = _kept(response.text, sent, url)
                if lost:
                    failures.append(f"422 lost typed values of {lost} on {method} {url[:120]}")

        # the sweep: each chosen nasty value in every field at once, on valid IDs; each nasty ID in every slot
        valid_path = {name: "csv" if name == "fmt" else str(ids.get(name, [1])[0]) for name in path_params}
        for value in SWEEP:
            send(valid_path, dict.fromkeys(fields, value))
        for value in SWEEP_IDS if path_params else []:
            send({name: "csv" if name == "fmt" else value for name in path_params}, {})

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=os.environ.get("FUZZ_SEED") is None,
        )
        @given(
            path=st.fixed_dictionaries({name: path_value(name) for name in path_params}),
            data=st.fixed_dictionaries({}, optional={name: _value_strategy(name) for name in fields}),
        )
        def probe(path: dict[str, str], data: dict[str, str | None]) -> None:
            send(path, {k: v for k, v in data.items() if v is not None})

        if EXAMPLES:
            probe()
    finally:
        logger.removeHandler(recorder)
        app.dependency_overrides.clear()
    RESULTS.append(
        {"route": f"{method} {route.path}", "requests": tried["requests"], "failures": failures, "role": username}
    )
    report = os.environ.get("FUZZ_REPORT")
    if report:
        Path(report).write_text(json.dumps(RESULTS, indent=1, ensure_ascii=False), encoding="utf-8")
    assert not failures, "\n".join(failures[:20])
