"""Backups: a consistent copy while rows are being written, restored into a new database with every row that
was committed before the backup started; a damaged copy is refused."""

import shutil
import threading
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app import cli
from app.db import engine_create
from app.errors import RuleViolation
from app.models import AuditLog
from tests.conftest import migrate, scratch_url


def pg_tools_missing(url: str) -> bool:
    return not url.startswith("sqlite") and (shutil.which("pg_dump") is None or shutil.which("pg_restore") is None)


def test_backup_under_write_load_restores_every_committed_row(tmp_path: Path) -> None:
    url = scratch_url("ops_backup", tmp_path)
    if pg_tools_missing(url):
        pytest.skip("pg_dump/pg_restore are not installed: the PostgreSQL backup runs them")
    engine = engine_create(url)
    migrate(url, engine)
    committed: list[int] = []
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            with Session(engine) as session:
                row = AuditLog(entity="ops", entity_id=str(len(committed)), action="write")
                session.add(row)
                session.commit()
                assert row.id is not None
                committed.append(row.id)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(committed) < 200 and thread.is_alive():
            stop.wait(0.01)
        before = list(committed)
        assert cli.command_backup(to=tmp_path / "copy.bak", url=url) == 0
        written_during = len(committed) - len(before)
        while len(committed) < len(before) + written_during + 20 and thread.is_alive():
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join()
    engine.dispose()
    assert len(before) >= 200

    restored_url = scratch_url("ops_restored", tmp_path)
    assert cli.command_restore(source=tmp_path / "copy.bak", url=restored_url) == 0
    restored = engine_create(restored_url)
    with Session(restored) as session:
        ids = set(session.exec(select(AuditLog.id).where(AuditLog.entity == "ops")).all())
    restored.dispose()
    assert set(before) <= ids, "a row committed before the backup started is missing"
    assert ids <= set(committed), "the copy holds a row that was never committed"
    assert len(ids) < len(committed), "rows written after the backup must not be in it"


def test_restore_refuses_a_damaged_copy(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100 + b"garbage" * 1000)
    target = tmp_path / "target.sqlite3"
    with pytest.raises(RuleViolation):
        cli.command_restore(source=damaged, url=f"sqlite:///{target}")
    assert not target.exists()


def test_backup_into_a_folder_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    engine = engine_create(url)
    migrate(url, engine)
    engine.dispose()
    folder = tmp_path / "backups"
    folder.mkdir()
    assert cli.command_backup(to=folder, url=url) == 0
    (copy,) = folder.iterdir()
    assert copy.name.startswith("p2k2-") and copy.suffix == ".sqlite3"
    assert "Cadangan ditulis ke" in capsys.readouterr().out
