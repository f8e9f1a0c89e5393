"""Loading the curriculum CSV: 5 core modules with sessions 1–14, the stunting module switched off."""

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.config import Config
from sqlmodel import Session, col, select

from alembic import command
from app.curriculum.service import SHARED_CURRICULUM_CSV, curriculum_csv_path, curriculum_load
from app.db import engine_create
from app.models import CurriculumModule, Topic
from app.settings import ROOT


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Session]:
    """An empty migrated database of its own: the loader commits."""
    url = f"sqlite:///{tmp_path / 'curriculum.sqlite3'}"
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")
    engine = engine_create(url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def modules_by_no(session: Session) -> dict[int, CurriculumModule]:
    return {module.no: module for module in session.exec(select(CurriculumModule)).all()}


def test_repository_copy_is_read_and_matches_shared_reference() -> None:
    path = curriculum_csv_path()
    assert path.parent.name == "curriculum" and path.exists()
    if SHARED_CURRICULUM_CSV.exists():
        assert path.read_text(encoding="utf-8") == SHARED_CURRICULUM_CSV.read_text(encoding="utf-8")


def test_load_into_empty_tables(db: Session) -> None:
    session = db
    with curriculum_csv_path().open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    assert curriculum_load(session=session) == len({row["module_no"] for row in rows}) + len(rows)

    modules = modules_by_no(session)
    assert [(m.no, m.code, m.core, m.active) for m in sorted(modules.values(), key=lambda m: m.no)] == [
        (1, "PENGASUHAN", True, True),
        (2, "EKONOMI", True, True),
        (3, "KESEHATAN", True, True),
        (4, "PERLINDUNGAN", True, True),
        (5, "KESOS", True, True),
        (6, "STUNTING", False, False),
    ]
    core_ids = [m.id for m in modules.values() if m.core]
    core = session.exec(select(Topic).where(col(Topic.module_id).in_(core_ids)).order_by(col(Topic.no))).all()
    assert [t.no for t in core] == list(range(1, 15))
    assert all(t.core and t.confirmed for t in core)
    assert core[0].title == "Menjadi Orang Tua yang Lebih Baik"
    assert {t.no: t.duration_minutes for t in core if t.duration_minutes != 120} == {11: 140, 12: 135}
    assert "Memahami Perkembangan dan Perilaku Anak" in core[1].notes

    stunting = session.exec(select(Topic).where(Topic.module_id == modules[6].id).order_by(col(Topic.no))).all()
    assert len(stunting) == 15
    assert not any(t.core or t.confirmed for t in stunting)
    assert {t.duration_minutes for t in stunting} == {120}


def test_reload_keeps_edits_and_only_adds_what_is_missing(db: Session) -> None:
    session = db
    curriculum_load(session=session)
    modules = modules_by_no(session)
    first = session.exec(select(Topic).where(Topic.module_id == modules[1].id, Topic.no == 1)).one()
    first.title = "Menjadi Orang Tua Hebat"
    modules[6].active = True
    modules[2].title = "Ekonomi Keluarga"
    removed = session.exec(select(Topic).where(Topic.module_id == modules[5].id, Topic.no == 14)).one()
    session.delete(removed)
    session.commit()

    assert curriculum_load(session=session) == 1

    session.expire_all()
    assert session.get(Topic, first.id).title == "Menjadi Orang Tua Hebat"  # type: ignore[union-attr]
    modules = modules_by_no(session)
    assert modules[6].active is True
    assert modules[2].title == "Ekonomi Keluarga"
    restored = session.exec(select(Topic).where(Topic.module_id == modules[5].id, Topic.no == 14)).one()
    assert restored.title == "Pentingnya Kesejahteraan Lanjut Usia"
    assert curriculum_load(session=session) == 0
