"""Aid writes sent at once by several people: an application is decided once; a programme recorded once."""

from sqlmodel import Session, col, func, select

from app.aid.service import aid_held_recount
from app.clock import today_local
from app.models import AidApplication, AidApplicationStatus, AidProgramme, AidReceipt, AuditLog, Family, Member
from tests.concurrency.conftest import Person, Scene, server_errors, together


def _programme(session: Session, code: str) -> AidProgramme:
    return session.exec(select(AidProgramme).where(AidProgramme.code == code)).one()


def _held_drift(session: Session) -> int:
    family_bits, member_bits = aid_held_recount(session=session)
    drift = session.exec(
        select(func.count()).where(col(Family.aid_held).is_distinct_from(family_bits["aid_held"]))
    ).one()
    return (
        drift
        + session.exec(select(func.count()).where(col(Member.aid_held).is_distinct_from(member_bits["aid_held"]))).one()
    )


def test_one_application_granted_at_once_by_many_supervisors_is_decided_once(scene: Scene) -> None:
    family_id = scene.families[0]
    with Session(scene.engine) as session:
        member = session.exec(select(Member).where(Member.family_id == family_id)).first()
        assert member is not None
        application = AidApplication(
            family_id=family_id,
            member_id=member.id,
            programme_id=_programme(session, "PBI_JK").id or 0,
            submitted_on=today_local(),
        )
        session.add(application)
        session.commit()
        application_id, member_id = application.id, member.id
    people = [Person(scene.base, address=f"10.1.0.{i}").login(scene.supervisor) for i in range(8)]
    decision = {"decision": AidApplicationStatus.DIKABULKAN.value, "decided_on": today_local().isoformat()}

    def decide(i: int):  # type: ignore[no-untyped-def]
        return people[i].post(f"/bantuan/permohonan/{application_id}/keputusan", decision)

    responses = together(8, decide)
    for person in people:
        person.close()
    assert server_errors(responses) == []
    codes = sorted(r.status_code for r in responses)
    assert codes == [303] + [422] * 7, codes
    assert all("sudah diputuskan" in r.text for r in responses if r.status_code == 422)
    with Session(scene.engine) as session:
        stored = session.get(AidApplication, application_id)
        assert stored is not None and stored.status == AidApplicationStatus.DIKABULKAN and stored.receipt_id
        receipts = session.exec(select(AidReceipt).where(AidReceipt.member_id == member_id)).all()
        assert len(receipts) == 1
        decided = session.exec(
            select(func.count()).where(AuditLog.entity == "aid_application", AuditLog.entity_id == str(application_id))
        ).one()
        assert decided == 1
        assert _held_drift(session) == 0


def test_the_same_programme_recorded_at_once_is_stored_once(scene: Scene) -> None:
    family_id = scene.families[1]
    with Session(scene.engine) as session:
        programme_id = _programme(session, "SEMBAKO").id
    phones = [Person(scene.base, address=f"10.2.0.{i}").login(scene.pendamping) for i in range(6)]
    data = {"programme_id": str(programme_id), "since": "2024-02-01", "source": "DTSEN"}

    def record(i: int):  # type: ignore[no-untyped-def]
        return phones[i].post(f"/kpm/{family_id}/bantuan/program", data, target="aid")

    responses = together(6, record)
    for phone in phones:
        phone.close()
    assert server_errors(responses) == []
    assert {r.status_code for r in responses} <= {200, 422}
    with Session(scene.engine) as session:
        count = session.exec(
            select(func.count()).where(AidReceipt.family_id == family_id, col(AidReceipt.ended_on).is_(None))
        ).one()
        assert count == 1
        assert _held_drift(session) == 0
