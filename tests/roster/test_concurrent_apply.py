"""Concurrent applies of the same file, each in its own session and thread on a committing database: the families
are inserted once; the later apply finds every row unchanged."""

import threading
from pathlib import Path

from sqlmodel import Session, func, select

from app.db import engine_create
from app.models import Family, Member, RosterImport, RosterImportStatus
from app.roster import service
from tests.conftest import migrate, scratch_url
from tests.factories import base_data_load, world_make
from tests.roster.conftest import csv_bytes, good_rows


def test_two_applies_of_the_same_file_at_once_insert_once(tmp_path: Path) -> None:
    url = scratch_url("roster_concurrent", tmp_path)
    engine = engine_create(url)
    migrate(url, engine)
    data = csv_bytes(good_rows(5))
    try:
        with Session(engine) as session:
            base_data_load(session=session)
            world = world_make(session)
            session.commit()
            admin = world.admin
            families_before = session.exec(select(func.count()).select_from(Family)).one()
            ids = []
            for n in range(3):
                path = tmp_path / f"upload-{n}.csv"
                path.write_bytes(data)
                record = service.roster_import_create(session=session, user=admin, filename="kpm.csv", path=path)
                service.roster_import_check(session=session, record_id=record.id or 0)
                session.refresh(record)
                service.roster_apply_request(session=session, user=admin, record=record)
                ids.append(record.id or 0)
            ids.append(ids[0])  # the same import applied by two workers at once too
        barrier = threading.Barrier(len(ids))
        results: list[bool] = []

        def run(record_id: int) -> None:
            with Session(engine) as own:
                barrier.wait()
                results.append(service.roster_import_apply(session=own, record_id=record_id))

        threads = [threading.Thread(target=run, args=(i,)) for i in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        with Session(engine) as session:
            assert session.exec(select(func.count()).select_from(Family)).one() == families_before + 5
            assert session.exec(select(func.count()).select_from(Member).where(Member.name.like("%Uji%"))).one() >= 15
            records = session.exec(select(RosterImport).order_by(RosterImport.applied_at)).all()
            assert {r.status for r in records} == {RosterImportStatus.DITERAPKAN}
            assert sorted(r.new_families for r in records) == [0, 0, 5]
            assert sorted(results) == [False, True, True, True]
    finally:
        engine.dispose()
