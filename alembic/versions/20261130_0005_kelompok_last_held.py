"""kelompok last held: the date of each kelompok's latest held meeting, stored beside the kelompok

Beranda, the overdue lists and readiness read it instead of scanning every held meeting of the database;
app.meetings.service.kelompok_last_held_refresh keeps it current in the transaction that changes a meeting.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op
from app.models import MeetingStatus

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD = str(MeetingStatus.HELD)


def upgrade() -> None:
    with op.batch_alter_table("kelompok") as batch:
        batch.add_column(sa.Column("last_held_on", sa.Date(), nullable=True))
    op.get_bind().execute(
        sa.text(
            """UPDATE kelompok SET last_held_on = (SELECT max(m.date) FROM meeting m
                WHERE m.kelompok_id = kelompok.id AND m.status = :held)"""
        ),
        {"held": HELD},
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite ≥ 3.35): a batch copy of kelompok would trip the foreign keys pointing at it.
    op.drop_column("kelompok", "last_held_on")
