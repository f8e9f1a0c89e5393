"""The role home pages and the lists that act run the same number of statements on a small and a 10x database."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models import Notification
from tests.conftest import Browser
from tests.factories import world_make
from tests.home.test_home import alpa_streak_make
from tests.test_query_bounds import elsewhere_add, plan_problems, recording

PAGES = {
    "supervisor": ("/", "/daftar/alpa", "/daftar/kehadiran-rendah", "/daftar/pemantauan", "/daftar/penilaian"),
    "peninjau": ("/", "/graduasi/usulan?status=diverifikasi"),
    "admin": ("/", "/daftar/pendamping-tanpa-kelompok", "/daftar/nonaktif-ditugaskan", "/daftar/impor-gagal"),
    "pendamping": ("/", "/pemberitahuan", "/daftar/alpa"),
}


def test_home_pages_and_lists_do_not_grow_with_the_database(web: Browser, session: Session) -> None:
    w = world_make(session)
    session.info["today"] = w.today
    alpa_streak_make(session, w, w.families[0])
    elsewhere_add(session, kelompok_count=2, tag="a")
    session.add(Notification(user_id=w.pendamping.id or 0, kind="usulan_ditolak", subject="Ani Suryani"))
    session.commit()
    connection = session.connection()

    def measure() -> dict[str, int]:
        found: dict[str, int] = {}
        for role, urls in PAGES.items():
            web.login(getattr(w, role).username)
            for url in urls:
                request: Callable[[], Any] = lambda url=url: web.get(url)  # noqa: E731
                request()
                session.expunge_all()
                with recording(connection) as seen:
                    response = request()
                assert response.status_code == 200, (role, url, response.text[:300])
                # The test session's savepoints (opened after a commit) are not the page's statements.
                statements = [st for st, _ in seen.statements if not st.startswith(("SAVEPOINT", "RELEASE"))]
                found[f"{role} {url}"] = len(statements)
                if role == "pendamping" and url == "/":
                    problems = plan_problems(connection, seen.statements)
                    assert not problems, "\n\n".join(problems)
        return found

    small = measure()
    elsewhere_add(session, kelompok_count=20, tag="b")
    session.add_all(
        [Notification(user_id=w.other_pendamping.id or 0, kind="usulan_ditolak", subject=f"KPM {n}") for n in range(30)]
    )
    session.commit()
    large = measure()
    assert large == small
