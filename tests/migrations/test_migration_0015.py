"""0015: a correction accepted before the migration gets its original mark back from the audit log."""

import json
from pathlib import Path

from sqlalchemy import text

from alembic import command
from app.db import engine_create
from app.models import AttendanceStatus, CorrectionStatus
from tests.conftest import scratch_url
from tests.migrations.test_upgrade_with_data import STAMP, alembic_config, rows_insert


def test_accepted_correction_keeps_its_original_after_upgrade(tmp_path: Path) -> None:
    url = scratch_url("mig0015", tmp_path)
    cfg = alembic_config(url)
    command.upgrade(cfg, "0009")
    engine = engine_create(url)
    try:
        rows_insert(engine)
        with engine.begin() as conn:
            # Family 602 was alpa at meeting 502; a supervisor accepted a correction to hadir.
            mark_id = conn.execute(
                text("SELECT id FROM attendance WHERE meeting_id = 502 AND family_id = 602")
            ).scalar()
            conn.execute(
                text("UPDATE attendance SET status = :s WHERE id = :i"), {"s": AttendanceStatus.HADIR, "i": mark_id}
            )
            conn.execute(
                text(
                    "INSERT INTO correctionrequest (meeting_id, family_id, requested_status, reason, status,"
                    " requested_by_id, requested_at, decision_note)"
                    " VALUES (502, 602, :r, 'Salah ketuk', :s, 901, :at, '')"
                ),
                {"r": AttendanceStatus.HADIR, "s": CorrectionStatus.DITERIMA, "at": STAMP},
            )
            conn.execute(
                text(
                    "INSERT INTO auditlog (at, user_id, entity, entity_id, action, before, after)"
                    " VALUES (:at, 901, 'attendance', :i, 'correction', :b, :a)"
                ),
                {
                    "at": STAMP,
                    "i": str(mark_id),
                    "b": json.dumps({"status": AttendanceStatus.ALPA}),
                    "a": json.dumps({"status": AttendanceStatus.HADIR}),
                },
            )
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            marks = conn.execute(
                text("SELECT id, status, corrected_from FROM attendance WHERE corrected_from IS NOT NULL")
            ).all()
            original = conn.execute(text("SELECT original_status FROM correctionrequest")).scalar()
        command.downgrade(cfg, "0009")
        command.upgrade(cfg, "head")
    finally:
        engine.dispose()
    assert [tuple(m) for m in marks] == [(mark_id, AttendanceStatus.HADIR, AttendanceStatus.ALPA)]
    assert original == AttendanceStatus.ALPA
