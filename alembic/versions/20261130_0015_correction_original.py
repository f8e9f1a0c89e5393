"""attendance.corrected_from and correctionrequest.original_status: a correction keeps the original mark

Revision ID: 0015
Revises: 0009
Create Date: 2026-11-30 20:30:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.models import CorrectionStatus

revision: str = "0015"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("attendance") as batch:
        batch.add_column(sa.Column("corrected_from", sa.String(length=8), nullable=True))
    with op.batch_alter_table("correctionrequest") as batch:
        batch.add_column(sa.Column("original_status", sa.String(length=8), nullable=True))
    _backfill()


def _backfill() -> None:
    """Corrections accepted before: the mark they replaced is the `before` of the mark's first correction audit."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT entity_id, before FROM auditlog WHERE entity = 'attendance' AND action = 'correction' ORDER BY id"
        )
    ).all()
    for entity_id, before in rows:
        status = (json.loads(before) or {}).get("status") if before else None
        if status and str(entity_id).isdigit():
            bind.execute(
                sa.text("UPDATE attendance SET corrected_from = :s WHERE id = :i AND corrected_from IS NULL"),
                {"s": status, "i": int(entity_id)},
            )
    bind.execute(
        sa.text(
            "UPDATE correctionrequest SET original_status = (SELECT a.corrected_from FROM attendance a"
            " WHERE a.meeting_id = correctionrequest.meeting_id AND a.family_id = correctionrequest.family_id)"
            " WHERE status = :accepted"
        ),
        {"accepted": str(CorrectionStatus.DITERIMA)},
    )


def downgrade() -> None:
    with op.batch_alter_table("correctionrequest") as batch:
        batch.drop_column("original_status")
    with op.batch_alter_table("attendance") as batch:
        batch.drop_column("corrected_from")
