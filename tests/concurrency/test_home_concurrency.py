"""Two reviewers decide one proposal at once, two admins save one user at once: one wins, the other is told,
nothing is written twice (issue 13)."""

from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from app.models import AuditLog, Family, GraduationEvent, GraduationProposal, Notification, Role, User
from tests.concurrency.conftest import Person, Scene, server_errors, together
from tests.factories import PASSWORD, family_make, kelompok_make, user_make

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def people_make(scene: Scene, role: str, n: int, tag: str) -> list[str]:
    with Session(scene.engine) as session:
        names = []
        for i in range(n):
            user = user_make(session, role=role, area_code="32.77", username=f"{tag}{i}")
            user.password_hash = CHEAP.hash(PASSWORD)
            names.append(user.username)
        session.commit()
    return names


def test_two_reviewers_decide_one_proposal(scene: Scene) -> None:
    deciders = people_make(scene, Role.PENINJAU, 4, "peninjau_serentak")
    with Session(scene.engine) as session:
        pendamping = session.exec(select(User).where(User.username == scene.pendamping)).one()
        kelompok = kelompok_make(session, pendamping=pendamping, name="Kelompok Keputusan")
        family = family_make(session, kelompok=kelompok, head_name="Ibu Diputuskan")
        proposal = GraduationProposal(
            family_id=family.id or 0, route="alamiah", status="diverifikasi", proposed_by_id=pendamping.id
        )
        session.add(proposal)
        session.commit()
        proposal_id, family_id = proposal.id, family.id
    people = [Person(scene.base, address=f"10.7.0.{i + 1}").login(name) for i, name in enumerate(deciders)]
    choices = [
        {"decision": "disetujui", "reason": ""},
        {"decision": "ditolak", "reason": "Belum ada asesmen lanjutan"},
        {"decision": "ditunda", "reason": "Menunggu musyawarah"},
        {"decision": "disetujui", "reason": ""},
    ]
    results = together(4, lambda i: people[i].post(f"/graduasi/usulan/{proposal_id}/keputusan", choices[i]))
    for person in people:
        person.close()
    assert server_errors(results) == []
    codes = sorted(r.status_code for r in results)
    # a deferred proposal may be decided again, so a ditunda may be followed by one more decision
    with Session(scene.engine) as session:
        final = session.get(GraduationProposal, proposal_id)
        assert final is not None
        steps = session.exec(
            select(GraduationEvent.step)
            .where(GraduationEvent.proposal_id == proposal_id)
            .order_by(col(GraduationEvent.id))
        ).all()
        notices = session.exec(select(Notification.kind).where(Notification.proposal_id == proposal_id)).all()
        family = session.get(Family, family_id)
        assert family is not None
    decided = [s for s in steps if s != "diverifikasi"]
    assert codes.count(303) == len(decided) and codes.count(422) == 4 - len(decided)
    assert all(s == "ditunda" for s in decided[:-1])  # only a deferral leaves the proposal open to another decision
    assert final.status == decided[-1]
    assert len(notices) == len(decided)  # one notice per decision taken, none for the refused ones
    assert (family.status == "graduasi_alamiah") == (final.status == "disetujui")
    refused = [r for r in results if r.status_code == 422]
    assert all("tidak dapat diproses pada status sekarang" in r.text for r in refused)


def test_two_admins_save_one_user(scene: Scene) -> None:
    admins = people_make(scene, Role.ADMIN, 2, "admin_serentak")
    with Session(scene.engine) as session:
        target = user_make(session, role=Role.SUPERVISOR, area_code="32.77", username="disunting_serentak")
        session.commit()
        target_id = target.id
    people = [Person(scene.base, address=f"10.8.0.{i + 1}").login(name) for i, name in enumerate(admins)]
    forms = [
        {"full_name": "Nama Dari Admin A", "role": "supervisor", "area_code": "32.77.01", "version": "1"},
        {"full_name": "Nama Dari Admin B", "role": "peninjau", "area_code": "32.77", "version": "1"},
    ]
    results = together(2, lambda i: people[i].post(f"/admin/pengguna/{target_id}/ubah", forms[i]))
    for person in people:
        person.close()
    assert server_errors(results) == []
    assert sorted(r.status_code for r in results) == [303, 422]
    loser = next(r for r in results if r.status_code == 422)
    assert "baru saja diubah oleh admin lain" in loser.text
    winner = forms[[r.status_code for r in results].index(303)]
    with Session(scene.engine) as session:
        user = session.get(User, target_id)
        assert user is not None
        assert (user.full_name, user.role, user.area_code, user.version) == (
            winner["full_name"],
            winner["role"],
            winner["area_code"],
            2,
        )
        updates = session.exec(
            select(AuditLog).where(
                AuditLog.entity == "user", AuditLog.entity_id == str(target_id), AuditLog.action == "update"
            )
        ).all()
        assert len(updates) == 1
