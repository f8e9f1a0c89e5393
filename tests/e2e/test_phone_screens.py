"""Phone screens measured in a real browser: the progress grid's columns, the roll call's first row and tap targets."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.models import Attendance
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, World, meeting_make, world_make

# Everything a finger can press: links, buttons, form controls, disclosure summaries.
TARGETS_JS = """() => {
  const sel = 'a[href], button, summary, select, textarea, input:not([type=hidden]), [role=button], [tabindex]';
  const outer = el => el.parentElement ? el.parentElement.closest('a, button, summary') : null;
  return [...document.querySelectorAll(sel)].filter(el => !outer(el))
    .map(el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
      return {what: el.outerHTML.slice(0, 90), x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
              shown: r.width > 0 && r.height > 0 && s.visibility !== 'hidden',
              visible: el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})}; })
    .filter(t => t.shown && t.visible);
}"""


def _world_with_roll(e2e_engine) -> tuple[World, int]:  # type: ignore[no-untyped-def]
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today)
        # two rows marked, so the "who attended" control shows under them
        for family in w.families[:2]:
            session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status="hadir"))
        session.commit()
    return w, meeting.id or 0


@pytest.mark.parametrize("width", [360, 1280])
def test_progress_grid_cells_sit_under_their_session_numbers(browser, live_server, e2e_engine, width):  # type: ignore[no-untyped-def]
    with Session(e2e_engine, expire_on_commit=False) as session:
        w = world_make(session)
        held = meeting_make(session, kelompok=w.kelompok, topic_no=3, day=w.today, status="terlaksana")
        session.add(Attendance(meeting_id=held.id or 0, family_id=w.families[0].id or 0, status="hadir"))
        session.commit()
    context = browser.new_context(viewport={"width": width, "height": 800})
    sign_in(context, live_server, w.pendamping.username, PASSWORD)
    page = context.new_page()
    page.goto(f"{live_server}/kelompok/{w.kelompok.id}")
    grid = page.locator("#progress-grid")
    expect(grid.locator("td[data-state=selesai]")).to_have_count(1)
    headers = grid.locator("thead tr").first.locator("th")
    rows = grid.locator("tbody tr")
    assert rows.count() == 4
    for r in range(rows.count()):
        cells = rows.nth(r).locator("th, td")
        assert cells.count() == headers.count() == 15
        for i in range(cells.count()):
            head, cell = headers.nth(i).bounding_box(), cells.nth(i).bounding_box()
            assert head and cell
            middle = cell["x"] + cell["width"] / 2
            assert head["x"] <= middle <= head["x"] + head["width"], (r, i, head, cell)
            assert cell["y"] > head["y"]  # rows below the header, not beside it
    # ✓ is under session 3
    done = grid.locator("td[data-state=selesai]").bounding_box()
    three = headers.nth(3).bounding_box()
    assert done and three and three["x"] <= done["x"] + done["width"] / 2 <= three["x"] + three["width"]
    context.close()


def _open_roll(phone, live_server: str, w: World, meeting_id: int) -> Page:  # type: ignore[no-untyped-def]
    sign_in(phone, live_server, w.pendamping.username, PASSWORD)
    page = phone.new_page()
    page.goto(f"{live_server}/pertemuan/{meeting_id}")
    return page


def test_first_roll_row_is_visible_without_scrolling(phone, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    w, meeting_id = _world_with_roll(e2e_engine)
    page = _open_roll(phone, live_server, w, meeting_id)
    first = page.locator("li.roll-row").first.locator("button.tap").bounding_box()
    assert first is not None
    assert first["y"] + first["height"] <= 740, first


@pytest.mark.parametrize("opened", [False, True], ids=["closed", "who-attended-open"])
def test_every_tap_target_on_the_roll_page_is_big_and_apart(phone, live_server, e2e_engine, opened):  # type: ignore[no-untyped-def]
    w, meeting_id = _world_with_roll(e2e_engine)
    page = _open_roll(phone, live_server, w, meeting_id)
    if opened:
        page.locator("details.attendee > summary").first.click()
        expect(page.locator("select[name=attendee]").first).to_be_visible()
    targets = page.evaluate(TARGETS_JS)
    assert len(targets) > 10
    small = [t for t in targets if t["w"] < 44 or t["h"] < 44]
    assert not small, small
    close = []
    for i, a in enumerate(targets):
        for b in targets[i + 1 :]:
            dx = max(b["x"] - (a["x"] + a["w"]), a["x"] - (b["x"] + b["w"]))
            dy = max(b["y"] - (a["y"] + a["h"]), a["y"] - (b["y"] + b["h"]))
            if max(dx, dy) < 8:
                close.append(f"{a['what'][:50]} / {b['what'][:50]}: {round(dx)},{round(dy)}")
    assert not close, "\n".join(close)


def test_today_is_marked_on_beranda_and_kelompok(phone, live_server, e2e_engine):  # type: ignore[no-untyped-def]
    w, meeting_id = _world_with_roll(e2e_engine)
    sign_in(phone, live_server, w.pendamping.username, PASSWORD)
    page = phone.new_page()
    page.goto(live_server + "/")
    card = page.locator(f"#upcoming a[href$='/pertemuan/{meeting_id}']").locator("..")
    expect(card.locator("mark.today")).to_have_text("Hari ini")
    page.goto(f"{live_server}/kelompok/{w.kelompok.id}")
    expect(page.locator("mark.today")).to_have_count(1)
