"""Cases worked by two people at once on a real server: two status changes from the same version (one wins, the
other is told), one referral's outcome recorded twice at once, the same new-case form sent twice at once."""

from sqlmodel import Session, col, func, select

from app.models import AuditLog, CaseFile, CaseNote, CaseStatus, CaseType, Family, Referral, ReferralService, User
from tests.cases.factories import case_make
from tests.concurrency.conftest import Person, Scene, server_errors, together
from tests.factories import days


def _case(scene: Scene) -> tuple[int, int]:
    with Session(scene.engine) as session:
        user = session.exec(select(User).where(User.username == scene.pendamping)).one()
        family = session.get(Family, scene.families[0])
        assert family is not None
        case = case_make(session, user=user, family=family, case_type=CaseType.PENELANTARAN, opened_on=days(-10))
        referral = Referral(
            case_id=case.id or 0, service=ReferralService.PUSKESMAS, referred_on=days(-5), request="Periksa gizi anak"
        )
        session.add(referral)
        session.commit()
        return case.id or 0, referral.id or 0


def test_two_status_changes_at_once_one_wins(scene: Scene) -> None:
    case_id, _ = _case(scene)
    people = [
        Person(scene.base, f"10.1.0.{n}").login(scene.pendamping if n == 0 else scene.supervisor) for n in range(2)
    ]
    wanted = [
        {"status": CaseStatus.DITANGANI, "status_note": "Kunjungan rumah", "version": "1"},
        {"status": CaseStatus.DITUTUP, "status_note": "Keluarga pindah", "version": "1"},
    ]
    try:
        answers = together(2, lambda i: people[i].post(f"/kasus/{case_id}/status", wanted[i]))
    finally:
        for p in people:
            p.close()
    assert not server_errors(answers)
    assert sorted(a.status_code for a in answers) == [303, 422], [a.status_code for a in answers]
    loser = next(a for a in answers if a.status_code == 422)
    assert "sudah diubah" in loser.text
    with Session(scene.engine) as session:
        case = session.get(CaseFile, case_id)
        assert case is not None and case.version == 2
        winner = wanted[[a.status_code for a in answers].index(303)]
        assert case.status == winner["status"]
        notes = session.exec(
            select(func.count()).where(CaseNote.case_id == case_id, col(CaseNote.status_to).is_not(None))
        ).one()
        audits = session.exec(
            select(func.count()).where(
                AuditLog.entity == "case", AuditLog.entity_id == str(case_id), AuditLog.action == "status"
            )
        ).one()
        assert notes == 1 and audits == 1


def test_one_outcome_recorded_twice_at_once(scene: Scene) -> None:
    case_id, referral_id = _case(scene)
    people = [Person(scene.base, f"10.1.1.{n}").login(scene.pendamping) for n in range(2)]
    sent = {"outcome_on": days(-1).isoformat(), "referral_version": "1"}
    try:
        answers = together(
            2,
            lambda i: people[i].post(
                f"/kasus/{case_id}/rujukan/{referral_id}/hasil", {**sent, "outcome": f"Hasil dari orang {i}"}
            ),
        )
    finally:
        for p in people:
            p.close()
    assert not server_errors(answers)
    assert sorted(a.status_code for a in answers) == [303, 422]
    with Session(scene.engine) as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None and referral.version == 2 and referral.outcome.startswith("Hasil dari orang")


def test_two_referrals_at_once_both_kept_case_referred_once(scene: Scene) -> None:
    case_id, _ = _case(scene)
    people = [Person(scene.base, f"10.1.2.{n}").login(scene.pendamping) for n in range(2)]
    try:
        answers = together(
            2,
            lambda i: people[i].post(
                f"/kasus/{case_id}/rujukan",
                {"service": ReferralService.DUKCAPIL, "referred_on": days(-1).isoformat(), "request": f"Akta {i}"},
            ),
        )
    finally:
        for p in people:
            p.close()
    assert not server_errors(answers)
    assert [a.status_code for a in answers] == [303, 303]
    with Session(scene.engine) as session:
        assert session.exec(select(func.count()).where(Referral.case_id == case_id)).one() == 3
        case = session.get(CaseFile, case_id)
        assert case is not None and case.status == CaseStatus.DIRUJUK
        moves = session.exec(
            select(func.count()).where(CaseNote.case_id == case_id, CaseNote.status_to == CaseStatus.DIRUJUK)
        ).one()
        assert moves == 1


def test_same_new_case_form_sent_twice_at_once_opens_one_case(scene: Scene) -> None:
    with Session(scene.engine) as session:
        family = session.get(Family, scene.families[1])
        assert family is not None
        programme_id = family.programme_id
    person = Person(scene.base, "10.1.3.1").login(scene.pendamping)
    data = {
        "kpm": programme_id,
        "case_type": CaseType.ADMINDUK,
        "urgency": "sedang",
        "description": "Anak belum punya akta kelahiran",
        "opened_on": days(0).isoformat(),
        "form_token": "serentak-kasus-1",
    }
    try:
        answers = together(2, lambda i: person.post("/kasus", data))
    finally:
        person.close()
    assert not server_errors(answers)
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    with Session(scene.engine) as session:
        assert session.exec(select(func.count()).where(CaseFile.form_token == "serentak-kasus-1")).one() == 1
