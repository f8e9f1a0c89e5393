"""The schedule form pre-selects only a session the server accepts; sessions it refuses are offered disabled."""

import re

from sqlmodel import Session, select

from app.models import Attendance, CurriculumModule, Topic
from tests.factories import World, days, meeting_make, world_make


def _preselected(html: str) -> str:
    """The value a browser would submit for topic_id: the selected option, else the first enabled one."""
    select_html = html.split('name="topic_id"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select_html)
    chosen = [v for v, attrs in options if "selected" in attrs]
    return chosen[0] if chosen else next(v for v, attrs in options if "disabled" not in attrs)


def _disabled(html: str) -> set[str]:
    select_html = html.split('name="topic_id"', 1)[1].split("</select>", 1)[0]
    return {v for v, attrs in re.findall(r'<option value="([^"]*)"([^>]*)>', select_html) if "disabled" in attrs}


def _completed_by_everyone(session: Session, w: World, topic_no: int) -> int:
    day = days(-30 - topic_no)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=topic_no, day=day, status="terlaksana")
    for family in w.families:
        session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status="hadir"))
    session.flush()
    return meeting.topic_id


def _schedule(web, w: World, topic_id: str):  # type: ignore[no-untyped-def]
    return web.post(
        f"/kelompok/{w.kelompok.id}/pertemuan",
        data={"topic_id": topic_id, "date": days(7).isoformat(), "start_time": "09:00", "place": "Aula"},
    )


def test_the_proposed_session_is_accepted_and_finished_ones_are_disabled(web, session):
    w = world_make(session)
    done = _completed_by_everyone(session, w, 1)
    web.login(w.pendamping.username)
    page = web.get(f"/kelompok/{w.kelompok.id}/pertemuan/baru")
    assert str(done) in _disabled(page.text)
    chosen = _preselected(page.text)
    assert chosen and chosen != str(done)
    assert _schedule(web, w, chosen).status_code == 303


def test_with_every_core_session_finished_nothing_refused_is_preselected(web, session):
    w = world_make(session)
    core = session.exec(select(Topic).join(CurriculumModule).where(CurriculumModule.core == True)).all()  # noqa: E712
    finished = {str(_completed_by_everyone(session, w, t.no)) for t in core}
    web.login(w.pendamping.username)
    page = web.get(f"/kelompok/{w.kelompok.id}/pertemuan/baru")
    assert finished <= _disabled(page.text)
    chosen = _preselected(page.text)
    assert chosen not in finished
    if chosen:  # an optional session the group has not finished
        assert _schedule(web, w, chosen).status_code == 303
    else:
        assert _schedule(web, w, chosen).status_code == 422
