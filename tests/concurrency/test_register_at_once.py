"""The KPM register under concurrent use against a real server: two transfers of one family at once move it once;
adds with the same NIK at once let one through and tell the others why; the kept counts still equal a recount."""

import re
from datetime import date

from sqlmodel import Session, col, func, select

from app.check import derived_check
from app.identity.rules import nik_make
from app.models import AuditLog, Family, FamilyTransfer, Kelompok, Member
from tests.concurrency.conftest import Person, Scene, server_errors, together
from tests.factories import family_make

ROUNDS = 3


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name}"
    return found.group(1)


def _kelompok_named(scene: Scene, name: str) -> int:
    with Session(scene.engine) as session:
        return session.exec(select(Kelompok.id).where(Kelompok.name == name)).one() or 0


def test_two_transfers_of_one_family_at_once_move_it_once(scene: Scene) -> None:
    targets = [_kelompok_named(scene, "Kelompok Melati"), _kelompok_named(scene, "Kelompok Anggrek")]
    with Session(scene.engine) as session:
        kelompok = session.get(Kelompok, scene.kelompok_id)
        assert kelompok is not None
        family_ids = [family_make(session, kelompok=kelompok, head_name=f"Ibu Pindah {n}").id or 0 for n in range(3)]
        session.commit()
    people = [Person(scene.base, address=f"10.0.2.{n}").login(scene.supervisor) for n in range(2)]
    try:
        for family_id in family_ids[:ROUNDS]:
            versions = [hidden(p.client.get(f"/kpm/{family_id}/pindah").text, "version") for p in people]
            responses = together(
                2,
                lambda i, fid=family_id, v=versions: people[i].post(
                    f"/kpm/{fid}/pindah",
                    {"version": v[i], "to_kelompok_id": str(targets[i]), "transferred_on": date.today().isoformat()},
                ),
            )
            assert not server_errors(responses)
            codes = sorted(r.status_code for r in responses)
            assert codes == [303, 422], codes
            refused = next(r for r in responses if r.status_code == 422)
            assert "sudah diubah oleh" in refused.text
            winner = targets[[r.status_code for r in responses].index(303)]
            with Session(scene.engine) as session:
                moves = session.exec(select(FamilyTransfer).where(FamilyTransfer.family_id == family_id)).all()
                assert [(m.from_kelompok_id, m.to_kelompok_id) for m in moves] == [(scene.kelompok_id, winner)]
                family = session.get(Family, family_id)
                assert family is not None and family.kelompok_id == winner and family.version == 2
                audits = session.exec(
                    select(func.count()).where(
                        AuditLog.entity == "family", AuditLog.entity_id == str(family_id), AuditLog.action == "transfer"
                    )
                ).one()
                assert audits == 1
        with Session(scene.engine) as session:
            assert not [d for d in derived_check(session=session) if d.count], "kept counts differ from a recount"
    finally:
        for p in people:
            p.close()


def test_adds_with_the_same_nik_at_once_one_wins(scene: Scene) -> None:
    n = 4
    nik = nik_make(kecamatan_code="32.77.01", birth_date=date(1990, 6, 15), sex="P", serial=4321)
    people = [Person(scene.base, address=f"10.0.3.{i}").login(scene.pendamping) for i in range(n)]
    try:
        tokens = [hidden(p.client.get(f"/kelompok/{scene.kelompok_id}/kpm/baru").text, "form_token") for p in people]

        def add(i: int):  # type: ignore[no-untyped-def]
            return people[i].post(
                f"/kelompok/{scene.kelompok_id}/kpm",
                {
                    "form_token": tokens[i],
                    "kk_number": f"32770115062{i:05d}",
                    "enrolled_on": "2025-01-06",
                    "m0_name": f"Ibu Kembar {i}",
                    "m0_nik": nik,
                    "m0_birth_date": "1990-06-15",
                    "m0_sex": "P",
                    "m0_relationship": "istri",
                    "m0_schooling": "lulus",
                },
            )

        responses = together(n, add)
        assert not server_errors(responses)
        codes = sorted(r.status_code for r in responses)
        assert codes == [303] + [422] * (n - 1), codes
        for refused in (r for r in responses if r.status_code == 422):
            assert "NIK ini sudah terdaftar" in refused.text
        with Session(scene.engine) as session:
            holders = session.exec(select(Member.family_id).where(Member.nik == nik, col(Member.active))).all()
            assert len(holders) == 1
            families = session.exec(select(Family.id).where(col(Family.head_name).like("Ibu Kembar %"))).all()
            assert families == holders  # no family was left half-written without its pengurus
    finally:
        for p in people:
            p.close()
