"""Confidential cases: nobody without access learns one exists (every GET page of the app walked before and after
it is opened, as every user without access), and break-the-glass is the only way in for another area."""

import io
import os
import re
import zipfile
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from httpx2 import Response
from sqlmodel import Session, select

from app.auth.security import SESSION_COOKIE, token_sign
from app.auth.service import login_session_open
from app.cases.forms import NoteInput, ReferralInput
from app.cases.service import case_note_add, referral_create
from app.main import app
from app.models import AccessAction, AccessLog, Assessment, Member, ReferralService, User
from tests.cases.factories import SECRET, case_make
from tests.conftest import Browser, text_of
from tests.factories import World, days, meeting_make, world_make

NOTE_SECRET = "CATATAN-9KX2 rumah aman"
REFERRAL_SECRET = "UPTD-PPA-RAHASIA-55"
TYPE_LABEL = "Kekerasan terhadap anak"
SKIP = {"ready", "health", "login_form", "_service_worker", "document_download", "meeting_photo"}
# Pages that change as the test itself works (the admin's NIK-view log, users' last sign-in): checked for traces,
# not compared before/after.
GROWING = {"admin_access_log", "admin_users"}


def get_routes() -> list[APIRoute]:
    """Every GET route of the app (included routers unwrapped)."""
    found: list[APIRoute] = []

    def walk(routes: list[object]) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                if "GET" in route.methods and route.name not in SKIP:
                    found.append(route)
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes)  # type: ignore[attr-defined]

    walk(list(app.routes))
    assert len(found) > 30, "the walk must see the app's pages"
    return found


def body_text(response: Response) -> str:
    """What a person could read: the page, or every sheet and string of a spreadsheet."""
    if response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "\n".join(
                book.read(n).decode("utf-8", "replace") for n in sorted(book.namelist()) if n.startswith("xl/")
            )
    return response.text


def normalised(text: str) -> str:
    text = re.sub(r'name="(csrf_token|form_token)" value="[^"]*"', r'name="\1"', text)
    text = re.sub(r"Kode permintaan: [0-9a-f]{32}", "", text)  # the request id of an error page
    text = re.sub(r"(Data per|Figures as of) [\d.:]+", r"\1", text)  # the dashboard's clock (the minute may turn)
    return re.sub(r'content="[A-Za-z0-9_-]{30,}"', "", text)


def without_selects(text: str) -> str:
    return re.sub(r"<select\b.*?</select>", "", text, flags=re.S)


@dataclass
class Walk:
    urls: list[tuple[str, str]]  # (route name, url)


def urls_of(world: World, session: Session) -> Walk:
    """Every GET page, with CASE_ID standing for the case's id (it does not exist in the walk before)."""
    family = world.families[0]
    meeting = meeting_make(session, kelompok=world.kelompok, topic_no=1, day=days(-1))
    member = session.exec(select(Member).where(Member.family_id == family.id)).first()
    assessment = Assessment(family_id=family.id or 0, kind="baseline", assessed_on=days(-2))
    session.add(assessment)
    session.commit()
    ids = {
        "kelompok_id": world.kelompok.id,
        "meeting_id": meeting.id,
        "family_id": family.id,
        "member_id": member.id if member else 0,
        "assessment_id": assessment.id,
        "proposal_id": 1,
        "case_id": "CASE_ID",
    }
    searches = [family.head_name, family.programme_id, SECRET[:12], "kekerasan"]
    urls = []
    for route in get_routes():
        params = set(re.findall(r"\{(\w+)", route.path))
        formats = ["csv", "xlsx"] if "fmt" in params else [""]
        for fmt in formats:
            path = re.sub(
                r"\{(\w+)(?::\w+)?\}", lambda m: "" if m.group(1) == "fmt" else str(ids.get(m.group(1), 1)), route.path
            )
            path += fmt
            urls.append((route.name, path))
            query = {p.name for p in route.dependant.query_params}
            if "q" in query:
                urls += [(route.name, f"{path}?q={q}") for q in searches]
            if route.name == "case_list":
                urls += [(route.name, f"{path}?jenis=kekerasan_anak"), (route.name, f"{path}?status=baru")]
            if route.name == "case_new":
                urls.append((route.name, f"{path}?kpm={family.programme_id}"))
            if "wilayah" in query:
                urls.append((route.name, f"{path}?wilayah=32.77.01"))
    return Walk(urls)


def sign_in(session: Session, web: Browser, user: User) -> None:
    token = login_session_open(session=session, user=user, previous_token=None)
    web.client.cookies.set(SESSION_COOKIE, token_sign(token))


def snapshot(session: Session, web: Browser, user: User, walk: Walk, case_id: int) -> dict[str, str]:
    sign_in(session, web, user)
    pages = {}
    for name, url in walk.urls:
        response = web.get(url.replace("CASE_ID", str(case_id)))
        assert response.status_code < 500, f"{url} as {user.username}: {response.status_code}"
        pages[f"{name} {url}"] = body_text(response)
    return pages


def traces(text: str, case_id: int, family_name: str) -> list[str]:
    found = [marker for marker in (SECRET, NOTE_SECRET, REFERRAL_SECRET) if marker in text]
    # Its URL, or its number as a page would show it ("Kasus #12", "kasus no. 12").
    id_pattern = rf"/kasus/{case_id}(?![\w-])|kasus\s*(?:#|no\.?)\s*{case_id}(?!\d)"
    if re.search(id_pattern, text, re.I):
        found.append("the case's id")
    if TYPE_LABEL in without_selects(text):
        found.append("its type label")
    return found


@pytest.mark.parametrize("worker_role", ["pendamping", "supervisor"])
def test_no_trace_of_a_confidential_case_for_users_without_access(
    session: Session, web: Browser, worker_role: str
) -> None:
    """Worked by the family's pendamping (or by the area's supervisor, so that even the family's own pendamping
    may not see it): every other user sees every page exactly as before it was opened."""
    world = world_make(session)
    session.commit()
    family = world.families[0]
    worker = world.pendamping if worker_role == "pendamping" else world.supervisor
    outsiders = [world.other_pendamping, world.supervisor_utara, world.peninjau, world.admin]
    if worker_role == "supervisor":
        outsiders.append(world.pendamping)
    walk = urls_of(world, session)
    web.csrf()
    before = {u.username: snapshot(session, web, u, walk, 999_999) for u in outsiders}

    case = case_make(session, user=worker, family=family, worker=worker, opened_on=days(-30))
    assert case.confidential
    kelompok = world.kelompok
    case_note_add(
        session=session,
        user=worker,
        case=case,
        family=family,
        kelompok=kelompok,
        data=NoteInput(noted_on=world.today, text=NOTE_SECRET),
    )
    referral_create(
        session=session,
        user=worker,
        case=case,
        family=family,
        kelompok=kelompok,
        today=days(-20),
        data=ReferralInput(
            service=ReferralService.UPTD_PPA,
            service_name=REFERRAL_SECRET,
            referred_on=days(-20),
            request="Asesmen psikologis",
        ),
    )
    # The worker and the area's supervisor do see it (the walk would find it).
    for insider in {worker.id: worker, world.supervisor.id: world.supervisor}.values():
        sign_in(session, web, insider)
        assert SECRET in web.get(f"/kasus/{case.id}").text
        assert REFERRAL_SECRET in web.get("/").text
        assert TYPE_LABEL in web.get(f"/kpm/{family.id}").text

    problems = []
    for user in outsiders:
        after = snapshot(session, web, user, walk, case.id or 0)
        for key, text in after.items():
            name = key.split(" ")[0]
            found = traces(text, case.id or 0, family.head_name)
            if name == "case_detail":  # the not-found answer, the same for every id: compare it with another id's
                other = web.get(f"/kasus/{(case.id or 0) + 1000}").text.replace(
                    str((case.id or 0) + 1000), str(case.id)
                )
                found = [] if normalised(other) == normalised(text) else ["a not-found page unlike another id's"]
            elif name not in GROWING and normalised(text) != normalised(before[user.username][key]):
                found.append("the page changed")
                if os.environ.get("LEAK_DIFF"):
                    import difflib

                    print(
                        "\n".join(
                            difflib.unified_diff(
                                normalised(before[user.username][key]).splitlines(),
                                normalised(text).splitlines(),
                                lineterm="",
                                n=0,
                            )
                        )
                    )
            problems += [f"{user.username} ({user.role}) {key.split(' ', 1)[1]}: {f}" for f in found]
    assert not problems, "\n".join(problems[:30])
    # Nobody without access read it, so its read log holds only the insiders.
    readers = set(session.exec(select(AccessLog.user_id).where(AccessLog.entity == "case")).all())
    assert readers <= {worker.id, world.supervisor.id}


def test_break_the_glass(session: Session, web: Browser) -> None:
    world = world_make(session)
    session.commit()
    family = world.families[0]
    case = case_make(session, user=world.pendamping, family=family)
    url = f"/kasus/{case.id}"
    web.login(world.supervisor_utara.username)
    closed = web.get(url)
    assert closed.status_code == 404 and SECRET not in closed.text and "Alasan membuka" in closed.text
    missing = web.post(url + "/buka", data={"reason": "  "})
    assert missing.status_code == 422 and "Tulis alasan" in text_of(missing.text)
    short = web.post(url + "/buka", data={"reason": "cek"})
    assert short.status_code == 422 and ">cek</textarea>" in short.text
    assert web.get(url).status_code == 404
    reason = "Anak dipindahkan ke wilayah Cimahi Utara, perlu riwayat kasus"
    opened = web.post(url + "/buka", data={"reason": reason})
    assert opened.status_code == 303
    page = web.get(url)
    assert page.status_code == 200 and SECRET in page.text and "alasan darurat" in page.text
    assert web.post(url + "/catatan", data={"noted_on": world.today.isoformat(), "note_text": "x"}).status_code == 403
    logged = session.exec(select(AccessLog).where(AccessLog.action == AccessAction.CASE_BREAK_GLASS)).one()
    assert logged.user_id == world.supervisor_utara.id and logged.detail == reason
    assert session.exec(
        select(AccessLog).where(
            AccessLog.action == AccessAction.CASE_VIEW, AccessLog.user_id == world.supervisor_utara.id
        )
    ).all()
    # Shown to the area's supervisors: the log page, the case page and the home queue.
    web.login(world.supervisor.username)
    log = text_of(web.get("/kasus/akses").text)
    assert reason in log and world.supervisor_utara.full_name in log
    assert reason in web.get(url).text
    assert reason in web.get("/").text
    # Not to the other area's own log, nor to the admin's personal-data log, nor to a pendamping.
    web.login(world.supervisor_utara.username)
    assert reason not in web.get("/kasus/akses").text
    web.login(world.admin.username)
    assert reason not in web.get("/admin/akses").text
    web.login(world.other_pendamping.username)
    assert web.post(url + "/buka", data={"reason": reason}).status_code == 404
    assert web.get("/kasus/akses").status_code == 403
    # A nonexistent case: the same form, and nothing logged.
    web.login(world.supervisor_utara.username)
    assert web.post("/kasus/987654/buka", data={"reason": reason}).status_code == 404
    assert len(session.exec(select(AccessLog).where(AccessLog.action == AccessAction.CASE_BREAK_GLASS)).all()) == 1
