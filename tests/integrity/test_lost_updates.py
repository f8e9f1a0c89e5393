"""No lost updates: an edit made from an old version is refused with the current state shown and the typed
values kept; the same form sent twice leaves one state, one row and one audit entry."""

import re
from datetime import time

from sqlmodel import col, select

from app.families.forms import FamilyInput
from app.families.service import family_update
from app.meetings.service import meeting_reschedule
from app.models import AuditLog, Family, Meeting, MeetingEvent, Member
from tests.conftest import text_of
from tests.factories import days, meeting_make, topic_core, world_make

CONFLICT = "Data ini sudah diubah oleh"


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name}"
    return found.group(1)


def audits(session, entity: str, entity_id: object) -> list[AuditLog]:
    return list(
        session.exec(select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == str(entity_id))).all()
    )


def family_form(family: Family, **changes: str) -> dict[str, str]:
    return {"head_name": family.head_name, "kk_number": family.kk_number, "address": family.address, **changes}


def test_family_edit_from_an_old_version_is_refused_with_both_states_shown(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    form = web.get(f"/kpm/{family.id}/ubah").text
    assert hidden(form, "version") == "1"
    # Meanwhile the admin saves another address.
    family_update(
        session=session,
        user=w.admin,
        kelompok=w.kelompok,
        family=family,
        data=FamilyInput(head_name=family.head_name, kk_number=family.kk_number, address="Jl. Baru No. 9"),
        version=1,
    )
    r = web.post(f"/kpm/{family.id}/ubah", data=family_form(family, address="Jl. Lama Gg. 2", version="1"))
    page = text_of(r.text)
    assert r.status_code == 422 and CONFLICT in page and w.admin.full_name in page
    assert "Jl. Baru No. 9" in page  # the current state
    assert 'value="Jl. Lama Gg. 2"' in r.text  # what they typed
    assert hidden(r.text, "version") == "2"  # saving again now knowingly overwrites
    session.refresh(family)
    assert family.address == "Jl. Baru No. 9" and family.version == 2
    assert len(audits(session, "family", family.id)) == 1
    # Saving again from the state shown wins.
    r = web.post(f"/kpm/{family.id}/ubah", data=family_form(family, address="Jl. Lama Gg. 2", version="2"))
    assert r.status_code == 303
    session.refresh(family)
    assert family.address == "Jl. Lama Gg. 2" and family.version == 3


def test_family_edit_htmx_conflict_answers_422_in_place(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    assert web.post(f"/kpm/{family.id}/ubah", data=family_form(family, address="A", version="1")).status_code == 303
    r = web.post(f"/kpm/{family.id}/ubah", data=family_form(family, address="B", version="1"), htmx_target="main")
    assert r.status_code == 422 and CONFLICT in text_of(r.text) and 'id="current-state"' in r.text


def test_family_form_sent_twice_leaves_one_state_and_one_audit_entry(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    data = family_form(family, head_name="Ani Suryani Putri", version="1")
    assert web.post(f"/kpm/{family.id}/ubah", data=data).status_code == 303
    assert web.post(f"/kpm/{family.id}/ubah", data=data).status_code == 303  # resent after a timeout
    session.refresh(family)
    assert family.head_name == "Ani Suryani Putri" and family.version == 2
    assert len(audits(session, "family", family.id)) == 1


def test_member_edit_from_an_old_version_is_refused(web, session):
    w = world_make(session)
    family = w.families[0]
    member = session.exec(select(Member).where(Member.family_id == family.id)).one()
    web.login(w.pendamping.username)
    form = web.get(f"/kpm/{family.id}/anggota/{member.id}").text
    data = {
        "name": member.name,
        "nik": "",
        "birth_date": member.birth_date.isoformat(),
        "sex": "P",
        "relationship": "istri",
        "schooling": "belum",
        "is_pengurus": "on",
        "version": hidden(form, "version"),
    }
    assert web.post(f"/kpm/{family.id}/anggota/{member.id}", data={**data, "name": "Ani S."}).status_code == 303
    r = web.post(f"/kpm/{family.id}/anggota/{member.id}", data={**data, "name": "Ani Suryani (ibu)"})
    assert r.status_code == 422 and CONFLICT in text_of(r.text)
    assert 'value="Ani Suryani (ibu)"' in r.text and "Ani S." in text_of(r.text)
    session.refresh(member)
    assert member.name == "Ani S." and member.version == 2
    assert len(audits(session, "member", member.id)) == 1


def test_member_create_sent_twice_adds_one_member(web, session):
    w = world_make(session)
    family = w.families[0]
    web.login(w.pendamping.username)
    token = hidden(web.get(f"/kpm/{family.id}/anggota/baru").text, "form_token")
    data = {
        "name": "Rina",
        "nik": "",
        "birth_date": "2015-03-02",
        "sex": "P",
        "relationship": "anak",
        "schooling": "sd",
        "form_token": token,
    }
    assert web.post(f"/kpm/{family.id}/anggota", data=data).status_code == 303
    assert web.post(f"/kpm/{family.id}/anggota", data=data).status_code == 303
    rinas = session.exec(select(Member).where(Member.family_id == family.id, Member.name == "Rina")).all()
    assert len(rinas) == 1
    assert len(audits(session, "member", rinas[0].id)) == 1
    # A new form (new token) adds a second one: the token, not the values, tells a resend.
    token2 = hidden(web.get(f"/kpm/{family.id}/anggota/baru").text, "form_token")
    assert token2 != token
    assert web.post(f"/kpm/{family.id}/anggota", data={**data, "form_token": token2}).status_code == 303
    assert len(session.exec(select(Member).where(Member.family_id == family.id, Member.name == "Rina")).all()) == 2


def test_meeting_scheduled_twice_from_one_form_is_one_meeting(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    token = hidden(web.get(f"/kelompok/{w.kelompok.id}/pertemuan/baru").text, "form_token")
    data = {
        "topic_id": str(topic_core(session, 1).id),
        "date": days(3).isoformat(),
        "start_time": "09:00",
        "place": "Aula RW 05",
        "form_token": token,
    }
    first = web.post(f"/kelompok/{w.kelompok.id}/pertemuan", data=data)
    second = web.post(f"/kelompok/{w.kelompok.id}/pertemuan", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]  # both land on the one meeting
    meetings = session.exec(select(Meeting).where(Meeting.kelompok_id == w.kelompok.id)).all()
    assert len(meetings) == 1
    assert len(audits(session, "meeting", meetings[0].id)) == 1
    events = session.exec(select(MeetingEvent).where(MeetingEvent.meeting_id == meetings[0].id)).all()
    assert [e.kind for e in events] == ["dijadwalkan"]


def test_meeting_reschedule_from_an_old_version_is_refused_and_a_resend_is_one_move(web, session):
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=days(5))
    web.login(w.pendamping.username)
    form = web.get(f"/pertemuan/{meeting.id}/ubah").text
    assert hidden(form, "version") == "1"
    move = {"date": days(6).isoformat(), "start_time": "10:00", "place": "Aula", "reason": "Hujan", "version": "1"}
    assert web.post(f"/pertemuan/{meeting.id}/ubah", data=move).status_code == 303
    assert web.post(f"/pertemuan/{meeting.id}/ubah", data=move).status_code == 303  # resent: same move
    events = session.exec(select(MeetingEvent).where(MeetingEvent.meeting_id == meeting.id)).all()
    assert [e.kind for e in events] == ["dijadwal_ulang"]
    other = {**move, "date": days(8).isoformat(), "reason": "Bentrok posyandu"}
    r = web.post(f"/pertemuan/{meeting.id}/ubah", data=other)
    page = text_of(r.text)
    assert r.status_code == 422 and CONFLICT in page and 'id="current-state"' in r.text
    assert f'value="{days(8).isoformat()}"' in r.text and "Bentrok posyandu" in r.text
    session.refresh(meeting)
    assert meeting.date == days(6) and meeting.start_time == time(10, 0) and meeting.version == 2
    # Cancelling from the old version is refused too; cancelling twice from the current one is one cancel.
    r = web.post(f"/pertemuan/{meeting.id}/batal", data={"reason": "Ditunda", "version": "1"})
    assert r.status_code == 422 and CONFLICT in text_of(r.text)
    for _ in range(2):
        assert web.post(f"/pertemuan/{meeting.id}/batal", data={"reason": "Ditunda", "version": "2"}).status_code == 303
    kinds = [e.kind for e in session.exec(select(MeetingEvent).where(MeetingEvent.meeting_id == meeting.id)).all()]
    assert kinds == ["dijadwal_ulang", "dibatalkan"]


def test_reschedule_service_checks_the_version(session):
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=days(5))
    kwargs = {"session": session, "user": w.pendamping, "kelompok": w.kelompok, "meeting": meeting, "today": w.today}
    meeting_reschedule(**kwargs, day=days(6), start=time(9), place="", reason="Hujan deras", version=1)
    from app.errors import EditConflict

    try:
        meeting_reschedule(**kwargs, day=days(7), start=time(9), place="", reason="Hujan lagi", version=1)
    except EditConflict:
        session.rollback()
    else:
        raise AssertionError("a stale reschedule was saved")
    stored = session.exec(select(Meeting.date, Meeting.version).where(col(Meeting.id) == meeting.id)).one()
    assert tuple(stored) == (days(6), 2)


def test_plan_of_the_remaining_sessions_sent_twice_is_saved_once(web, session):
    w = world_make(session)
    web.login(w.pendamping.username)
    form = web.get(f"/kelompok/{w.kelompok.id}/rencana?date={days(7).isoformat()}&start_time=09:00").text
    data = {
        "date": days(7).isoformat(),
        "start_time": "09:00",
        "place": "Aula",
        "form_token": hidden(form, "form_token"),
    }
    first = web.post(f"/kelompok/{w.kelompok.id}/rencana", data=data)
    second = web.post(f"/kelompok/{w.kelompok.id}/rencana", data=data)
    assert first.status_code == second.status_code == 303, text_of(second.text)[:300]
    meetings = session.exec(select(Meeting).where(Meeting.kelompok_id == w.kelompok.id)).all()
    assert len(meetings) == 14
    created = session.exec(select(AuditLog).where(AuditLog.entity == "meeting", AuditLog.action == "create")).all()
    assert len(created) == 14


def test_odd_versions_and_a_token_of_another_family_answer_a_message(web, session):
    w = world_make(session)
    family, other = w.families[0], w.families[1]
    web.login(w.pendamping.username)
    for version in ("²", "-1", "99999999999999999999", "abc"):  # treated as "no version sent": saved, not a 500
        r = web.post(f"/kpm/{family.id}/ubah", data=family_form(family, address=f"Jl. {version}", version=version))
        assert r.status_code == 303, version
    data = {"name": "Rina", "birth_date": "2015-03-02", "sex": "P", "relationship": "anak", "form_token": "t-1"}
    assert web.post(f"/kpm/{family.id}/anggota", data=data).status_code == 303
    r = web.post(f"/kpm/{other.id}/anggota", data=data)
    assert r.status_code == 422 and "Formulir ini sudah pernah dipakai" in text_of(r.text)
