"""Migration 0007 on a database with data: every family, member and meeting starts at version 1; the access log
table exists; the downgrade removes it all again."""

import json

from alembic.config import Config
from sqlalchemy import inspect, text

from alembic import command
from app.db import engine_create
from app.settings import ROOT
from tests.conftest import migrate, scratch_url


def test_upgrade_from_0004_with_data_and_back(tmp_path):
    url = scratch_url("integrity_mig", tmp_path)
    engine = engine_create(url)
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    try:
        migrate(url, engine)  # head, then down to 0004 and fill it
        command.downgrade(cfg, "0004")
        assert "accesslog" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO area (code, name, level) VALUES ('99', 'Uji', 1)"))
            conn.execute(
                text(
                    "INSERT INTO kelompok (name, village_code, default_place, active, created_at) "
                    "VALUES ('K', '99', '', true, '2026-01-01 00:00:00')"
                ),
            )
            conn.execute(
                text(
                    "INSERT INTO family (programme_id, kk_number, head_name, address, village_code, kelompok_id, "
                    "status, enrolled_on, created_at, updated_at) VALUES ('P1', '3277011201000001', 'Ani', '', '99', "
                    "1, 'aktif', '2026-01-01', '2026-01-01', '2026-01-01')"
                ),
            )
            conn.execute(
                text(
                    "INSERT INTO member (family_id, name, birth_date, sex, relationship, is_pengurus, schooling, "
                    "pregnant, severe_disability, active) "
                    "VALUES (1, 'Ani', '1990-01-01', 'P', 'istri', true, 'lulus', false, "
                    "false, true)"
                ),
            )
            conn.execute(
                text("INSERT INTO curriculummodule (no, code, title, core, active) VALUES (99, 'X', 'X', true, true)")
            )
            conn.execute(
                text(
                    "INSERT INTO topic (module_id, no, title, core, confirmed, duration_minutes, active, notes) "
                    "SELECT id, 1, 'T', true, true, 120, true, '' FROM curriculummodule WHERE code = 'X'"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO meeting (kelompok_id, topic_id, date, start_time, duration_minutes, place, status, "
                    "is_makeup, notes, created_at, updated_at) "
                    "SELECT 1, id, '2026-01-01', '09:00:00', 120, '', 'dijadwalkan', false, "
                    "'', '2026-01-01', '2026-01-01' FROM topic WHERE title = 'T'"
                ),
            )
            conn.execute(
                text(
                    "INSERT INTO auditlog (at, entity, entity_id, action, before, after) VALUES ('2026-01-01', "
                    "'member', '1', 'update', :before, :after)"
                ),
                {
                    "before": '{"name": "Ani", "nik": "3277014509880002"}',
                    "after": '{"name": "Ani", "nik": "3277014509880003", "note": "KK 3277011201000001"}',
                },
            )
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            for table in ("family", "member", "meeting"):
                assert conn.execute(text(f"SELECT version FROM {table}")).scalars().all() == [1], table
            assert conn.execute(text("SELECT form_token FROM meeting")).scalars().all() == [None]
            assert conn.execute(text("SELECT count(*) FROM accesslog")).scalar() == 0
            before, after = conn.execute(text("SELECT before, after FROM auditlog")).one()
            assert json.loads(before) == {"name": "Ani", "nik": "3277••••••••0002"}
            assert json.loads(after) == {"name": "Ani", "nik": "3277••••••••0003", "note": "KK 3277••••••••0001"}
        command.downgrade(cfg, "0004")
        columns = {c["name"] for c in inspect(engine).get_columns("family")}
        assert "version" not in columns and "accesslog" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
