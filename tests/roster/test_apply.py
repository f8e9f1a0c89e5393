"""Applying: all or nothing, idempotent, changes audited with before and after, scoped to the importer's area."""

import json
from datetime import date

import pytest
from sqlmodel import Session, func, select

from app.errors import RuleViolation
from app.models import AuditLog, Family, Member, RosterImport, RosterImportStatus
from app.roster import service
from tests.factories import family_make
from tests.roster.conftest import apply, csv_bytes, dry_run, family_rows, good_rows, nik_of, problems_of


def _counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.exec(select(func.count()).select_from(Family)).one(),
        session.exec(select(func.count()).select_from(Member)).one(),
        session.exec(select(func.count()).select_from(AuditLog)).one(),
    )


def test_a_failure_on_the_last_row_leaves_nothing_written(session, world, tmp_path, monkeypatch):
    record = dry_run(session, world.admin, csv_bytes(good_rows(4)), tmp_path)
    assert record.refused == 0
    before = _counts(session)
    real = service._member_row
    calls = {"n": 0}

    def failing(family_id, values):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 12:  # the file's last row
            raise RuntimeError("disk full")
        return real(family_id, values)

    monkeypatch.setattr(service, "_member_row", failing)
    record = apply(session, world.admin, record)
    assert record.status == RosterImportStatus.GAGAL
    assert "tidak ada yang diubah" in record.error
    assert _counts(session) == before


def test_the_database_changed_since_the_dry_run_refuses_the_whole_apply(session, world, tmp_path):
    rows = good_rows(3)
    record = dry_run(session, world.admin, csv_bytes(rows), tmp_path)
    family_make(
        session,
        kelompok=world.other_kelompok,
        members=[
            {
                "name": "Baru Masuk",
                "nik": rows[-1]["NIK"],
                "birth_date": date(2017, 7, 9),
                "sex": "L",
                "relationship": "anak",
            }
        ],
    )
    session.commit()
    before = _counts(session)
    record = apply(session, world.admin, record)
    assert record.status == RosterImportStatus.GAGAL
    assert "berubah sejak uji coba" in record.error
    assert _counts(session) == before


def test_same_file_twice_changes_nothing(session, world, tmp_path):
    data = csv_bytes(good_rows(3))
    first = apply(session, world.admin, dry_run(session, world.admin, data, tmp_path))
    assert (first.new_families, first.new_members) == (3, 9)
    after_first = _counts(session)
    second = apply(session, world.admin, dry_run(session, world.admin, data, tmp_path))
    assert second.status == RosterImportStatus.DITERAPKAN
    assert (second.new_families, second.new_members, second.updated, second.unchanged) == (0, 0, 0, 9)
    assert _counts(session) == after_first


def test_a_changed_row_updates_with_before_and_after_in_the_audit_log(session, world, tmp_path):
    apply(session, world.admin, dry_run(session, world.admin, csv_bytes(good_rows(1)), tmp_path))
    rows = good_rows(1)
    rows[0]["Alamat"] = "Jl. Pindahan 9"
    rows[1]["Nama"] = "Bapak Uji Satu"
    record = apply(session, world.admin, dry_run(session, world.admin, csv_bytes(rows), tmp_path))
    assert (record.updated, record.unchanged) == (2, 2)
    family = session.exec(select(Family).where(Family.kk_number == rows[0]["No. KK"])).one()
    assert family.address == "Jl. Pindahan 9" and family.version == 2
    logs = session.exec(select(AuditLog).where(AuditLog.action == f"impor:{record.id}").order_by(AuditLog.entity)).all()
    assert [log.entity for log in logs] == ["family", "member"]
    assert json.loads(logs[0].before or "{}")["address"] == "Jl. Uji 1"
    assert json.loads(logs[0].after or "{}")["address"] == "Jl. Pindahan 9"
    assert json.loads(logs[1].after or "{}")["name"] == "Bapak Uji Satu"
    assert "•" in json.loads(logs[1].after or "{}")["nik"]  # identity numbers masked in the log


def test_supervisor_imports_only_into_their_own_area(session, world, tmp_path):
    rows = [*family_rows(1), *family_rows(2, kelompok="", area="32.77.03.1001")]
    record = dry_run(session, world.supervisor_utara, csv_bytes(rows), tmp_path)
    problems = problems_of(session, record)
    assert "di luar wilayah Anda" in " ".join(m for _, m in problems[2])
    assert (record.refused, record.new_families) == (3, 1)
    other = dry_run(session, world.supervisor_utara, csv_bytes(family_rows(1, kelompok="")), tmp_path)
    assert other.refused == 3


def test_supervisor_cannot_see_or_apply_another_areas_import(session, world, tmp_path):
    record = dry_run(session, world.supervisor, csv_bytes(good_rows(1)), tmp_path)
    from app.errors import NotFound
    from app.roster.queries import import_get

    with pytest.raises(NotFound):
        import_get(session=session, user=world.supervisor_utara, import_id=record.id or 0)
    assert import_get(session=session, user=world.admin, import_id=record.id or 0).id == record.id


def test_apply_twice_queues_once(session, world, tmp_path):
    record = dry_run(session, world.admin, csv_bytes(good_rows(1)), tmp_path)
    service.roster_apply_request(session=session, user=world.admin, record=record)
    with pytest.raises(RuleViolation):
        service.roster_apply_request(session=session, user=world.admin, record=record)


def test_imports_are_listed_with_who_and_counts(session, world, tmp_path, web):
    from tests.conftest import text_of

    apply(
        session, world.admin, dry_run(session, world.admin, csv_bytes(good_rows(2)), tmp_path, "kelurahan-melong.csv")
    )
    web.login(world.admin.username)
    page = text_of(web.get("/impor-kpm").text)
    assert "kelurahan-melong.csv" in page and world.admin.full_name in page and "Diterapkan" in page
    assert session.exec(select(func.count()).select_from(RosterImport)).one() == 1
    web.login(world.pendamping.username)
    assert web.get("/impor-kpm").status_code == 403
    assert nik_of(1)


def test_imported_and_renamed_members_carry_the_search_key(session, world, tmp_path):
    apply(session, world.admin, dry_run(session, world.admin, csv_bytes(good_rows(1)), tmp_path))
    rows = good_rows(1)
    rows[1]["Nama"] = "Bapak Ùji  Satu"
    apply(session, world.admin, dry_run(session, world.admin, csv_bytes(rows), tmp_path))
    family = session.exec(select(Family).where(Family.kk_number == rows[0]["No. KK"])).one()
    members = session.exec(select(Member).where(Member.family_id == family.id)).all()
    assert members and all(m.name_key for m in members)
    assert any(m.name_key == "bapak uji satu" for m in members)
