"""Many people at once against a real server: nothing answers 5xx, nothing is lost, the kept counts equal a
recount, the login throttle counts every guess, and a locked month refuses every later tap."""

import random

from sqlmodel import Session, col, func, select

from app.attendance.service import attendance_summaries_refresh
from app.models import Attendance, AuditLog, Family, LoginFailure, Meeting, MonthLock
from tests.concurrency.conftest import Person, Scene, server_errors, together

STATUSES = ("hadir", "izin", "sakit", "alpa")


def kept_and_recounted(scene: Scene, meeting_id: int, family_ids: list[int]) -> tuple[object, object]:
    """What is stored beside the marks, and what a recount gives (computed in a transaction rolled back)."""
    with Session(scene.engine) as session:
        stored = (
            session.exec(select(Meeting.marks_count, Meeting.present_count).where(Meeting.id == meeting_id)).one(),
            sorted(
                session.exec(
                    select(Family.id, Family.sessions_done, Family.alpa_streak).where(col(Family.id).in_(family_ids))
                ).all()
            ),
        )
        attendance_summaries_refresh(session=session, meeting_ids=[meeting_id], family_ids=family_ids)
        session.flush()
        recounted = (
            session.exec(select(Meeting.marks_count, Meeting.present_count).where(Meeting.id == meeting_id)).one(),
            sorted(
                session.exec(
                    select(Family.id, Family.sessions_done, Family.alpa_streak).where(col(Family.id).in_(family_ids))
                ).all()
            ),
        )
        session.rollback()
    return stored, recounted


def marks_of(scene: Scene, meeting_id: int) -> dict[int, str]:
    with Session(scene.engine) as session:
        rows = session.exec(select(Attendance.family_id, Attendance.status).where(Attendance.meeting_id == meeting_id))
        return dict(rows.all())


def mark_audits(scene: Scene, meeting_id: int) -> list[int]:
    """Audit rows of the meeting's marks, in id order."""
    with Session(scene.engine) as session:
        mark_ids = [str(i) for i in session.exec(select(Attendance.id).where(Attendance.meeting_id == meeting_id))]
        return list(
            session.exec(
                select(AuditLog.id)
                .where(AuditLog.entity == "attendance", col(AuditLog.entity_id).in_(mark_ids))
                .order_by(col(AuditLog.id))
            ).all()
        )


def test_taps_on_one_meeting_from_many_phones(scene: Scene) -> None:
    meeting = scene.meetings["taps"]
    phones = [Person(scene.base).login(scene.pendamping) for _ in range(6)]
    plans = {
        i: [
            (family, random.Random(family * 7 + k).choice(STATUSES))
            for k in range(5)
            for family in scene.families[i::6]
        ]
        for i in range(6)
    }

    def tap_all(i: int) -> list:  # type: ignore[type-arg]
        return [
            phones[i].post(f"/pertemuan/{meeting}/absensi/{family}", {"status": status}, target=f"kpm-{family}")
            for family, status in plans[i]
        ]

    responses = [r for rs in together(6, tap_all) for r in rs]
    for phone in phones:
        phone.close()

    assert server_errors(responses) == []
    assert {r.status_code for r in responses} == {200}
    last = {family: status for plan in plans.values() for family, status in plan}
    assert marks_of(scene, meeting) == last
    stored, recounted = kept_and_recounted(scene, meeting, scene.families)
    assert stored == recounted
    assert stored[0] == (len(last), sum(1 for s in last.values() if s == "hadir"))
    assert len(mark_audits(scene, meeting)) == len(responses)  # every tap audited once


def test_everyone_present_against_taps(scene: Scene) -> None:
    meeting = scene.meetings["all_present"]
    phones = [Person(scene.base).login(scene.pendamping) for _ in range(5)]

    def act(i: int) -> list:  # type: ignore[type-arg]
        if i == 0:
            return [phones[0].post(f"/pertemuan/{meeting}/semua-hadir", target="roll") for _ in range(2)]
        return [
            phones[i].post(f"/pertemuan/{meeting}/absensi/{family}", {"status": "alpa"}, target=f"kpm-{family}")
            for family in scene.families[i::4]
        ]

    responses = [r for rs in together(5, act) for r in rs]
    for phone in phones:
        phone.close()

    assert server_errors(responses) == []
    assert all(r.status_code == 200 for r in responses), [r.status_code for r in responses]
    marks = marks_of(scene, meeting)
    assert set(marks) == set(scene.families)  # "semua hadir" reached every KPM on the roll
    stored, recounted = kept_and_recounted(scene, meeting, scene.families)
    assert stored == recounted
    assert stored[0] == (len(marks), sum(1 for s in marks.values() if s == "hadir"))


def test_simultaneous_logins_all_succeed(scene: Scene) -> None:
    people = [Person(scene.base, address=f"10.1.0.{n}") for n in range(len(scene.login_users))]
    for person in people:
        person.csrf()
    responses = together(len(people), lambda i: people[i].login_post(scene.login_users[i]))
    for person in people:
        person.close()
    assert server_errors(responses) == []
    assert [r.status_code for r in responses] == [303] * len(people)


def test_parallel_guesses_are_all_counted_and_lock_strangers_but_not_the_owner(scene: Scene) -> None:
    victim = scene.victim
    owner = Person(scene.base, address="10.2.0.7").login(victim)  # signed in before: the browser is known
    owner.client.cookies.delete("p2k2_session")
    attackers = [Person(scene.base, address="10.66.0.1") for _ in range(36)]
    for attacker in attackers:
        attacker.csrf()

    responses = together(36, lambda i: attackers[i].login_post(victim, "tebakan-salah"))

    assert server_errors(responses) == []
    assert [r.status_code for r in responses] == [422] * 36
    with Session(scene.engine) as session:
        recorded = session.exec(select(func.count()).where(LoginFailure.username == victim)).one()
    assert recorded == 36
    # The right password from the attacker's address, or from any browser the account never used: refused.
    assert attackers[0].login_post(victim).status_code == 422
    assert "Terlalu banyak percobaan" in attackers[0].login_post(victim).text
    stranger = Person(scene.base, address="10.3.0.9")
    assert stranger.login_post(victim).status_code == 422
    # The owner's own browser still signs in.
    assert owner.login_post(victim).status_code == 303
    for person in (*attackers, stranger, owner):
        person.close()


def test_month_lock_against_taps(scene: Scene) -> None:
    meeting = scene.meetings["locked"]
    with Session(scene.engine) as session:
        for family in scene.families:  # the held meeting's roll is complete before the month is verified
            session.add(Attendance(meeting_id=meeting, family_id=family, status="hadir"))
        session.commit()
        attendance_summaries_refresh(session=session, meeting_ids=[meeting], family_ids=scene.families)
        session.commit()
    phones = [Person(scene.base).login(scene.pendamping) for _ in range(4)]
    supervisor = Person(scene.base, address="10.4.0.1").login(scene.supervisor)

    def act(i: int) -> list:  # type: ignore[type-arg]
        if i == 4:
            return [supervisor.post(f"/kelompok/{scene.kelompok_id}/kunci", {"bulan": scene.last_month})]
        out = []
        for k in range(6):
            family = scene.families[(i * 3 + k) % len(scene.families)]
            status = STATUSES[(i + k) % 4]
            out.append(
                phones[i].post(f"/pertemuan/{meeting}/absensi/{family}", {"status": status}, target=f"kpm-{family}")
            )
        return out

    results = together(5, act)
    for person in (*phones, supervisor):
        person.close()
    taps = [r for rs in results[:4] for r in rs]
    assert server_errors([*taps, *results[4]]) == []
    assert results[4][0].status_code in (200, 204, 303)
    assert {r.status_code for r in taps} <= {200, 422}
    refused = [r for r in taps if r.status_code == 422]
    assert all("dikunci" in r.text for r in refused)
    with Session(scene.engine) as session:
        lock = session.exec(select(MonthLock).where(MonthLock.kelompok_id == scene.kelompok_id)).one()
        lock_audit = session.exec(
            select(AuditLog.id).where(AuditLog.entity == "monthlock", AuditLog.entity_id == str(lock.id))
        ).one()
    tap_audits = mark_audits(scene, meeting)  # the marks were stored directly, so these are the taps
    accepted = sum(1 for r in taps if r.status_code == 200)
    assert len(tap_audits) == accepted  # each accepted tap saved once, each refused one not at all
    assert all(a < lock_audit for a in tap_audits)  # and every saved tap came before the lock
    stored, recounted = kept_and_recounted(scene, meeting, scene.families)
    assert stored == recounted


def test_server_recovers_by_itself_when_postgresql_drops_its_connections(scene: Scene) -> None:
    if scene.engine.dialect.name != "postgresql":
        return  # SQLite has no server connection to lose
    person = Person(scene.base).login(scene.pendamping)
    assert person.client.get("/").status_code == 200
    with scene.engine.connect() as conn:
        killed = conn.exec_driver_sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).scalar()
    assert killed and killed > 0
    answers = [person.client.get("/").status_code for _ in range(3)]
    person.close()
    assert all(a in (200, 503) for a in answers) and answers[-1] == 200
