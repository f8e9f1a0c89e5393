"""axe-core (vendored, static/vendor/axe-core-4.10.3.min.js; loaded by the tests only) finds no serious or critical
violation on the main pages, each as the role that uses it; the dashboard's chart labels are not cut at 1280 px."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from app.attendance.service import attendance_summaries_refresh
from app.models import Attendance
from tests.factories import meeting_make, world_make

AXE = "/static/vendor/axe-core-4.10.3.min.js"
DESKTOP = {"width": 1280, "height": 900}


def axe_problems(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Serious and critical violations on the page as it is now, one line each with the offending elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE)  # same origin: the page's CSP allows it
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def world(e2e_engine):  # type: ignore[no-untyped-def]
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        held = meeting_make(
            session, kelompok=w.kelompok, topic_no=1, day=w.today - timedelta(days=3), status="terlaksana"
        )
        today = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=w.today)
        for family in w.families:
            session.add(Attendance(meeting_id=held.id or 0, family_id=family.id or 0, status="hadir"))
        session.add(Attendance(meeting_id=today.id or 0, family_id=w.families[0].id or 0, status="izin"))
        session.flush()
        attendance_summaries_refresh(session=session)
        session.commit()
    return w, held, today


@pytest.mark.parametrize("width", [360, 1280])
def test_main_pages_have_no_serious_accessibility_violation(phones, live_server, world, width):  # type: ignore[no-untyped-def]
    w, held, today = world
    family = w.families[0]
    pages = {
        w.pendamping.username: [
            "/",
            f"/kelompok/{w.kelompok.id}",
            f"/pertemuan/{today.id}",
            f"/pertemuan/{held.id}",
            f"/kpm/{family.id}",
            f"/kpm/{family.id}/riwayat",
            f"/pertemuan/{today.id}/absensi/{family.id}/riwayat",
            "/laporan/bulanan",
            "/graduasi/kandidat",
        ],
        w.supervisor.username: ["/", "/dasbor", "/dasbor/penyelesaian", f"/pertemuan/{held.id}", "/laporan/bulanan"],
        w.admin.username: ["/admin/pengguna"],
    }
    problems = []
    for username, urls in pages.items():
        context = phones(username)
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            response = page.goto(live_server + url)
            assert response is not None and response.ok, (url, response and response.status)
            problems += [f"{username} {url}: {p}" for p in axe_problems(page)]
    login = phones().new_page()
    login.goto(live_server + "/masuk")
    problems += [f"/masuk: {p}" for p in axe_problems(login)]
    assert not problems, "\n".join(problems)


def test_dashboard_chart_labels_fit_at_1280(phones, live_server, world):  # type: ignore[no-untyped-def]
    w, _held, _today = world
    page = phones(w.supervisor.username).new_page()
    page.set_viewport_size(DESKTOP)
    page.goto(live_server + "/dasbor")
    boxes = page.evaluate(
        """[...document.querySelectorAll('svg.chart text')].map(t => {
             const svg = t.ownerSVGElement.getBoundingClientRect(), r = t.getBoundingClientRect();
             return {text: t.textContent, left: r.left - svg.left, right: svg.right - r.right};
           })"""
    )
    assert boxes, "no chart text on the dashboard"
    cut = [b for b in boxes if b["left"] < -0.5 or b["right"] < -0.5]
    assert not cut, cut
