"""readiness_pending: families whose stored verdict waits for the worker (READINESS_REFRESH=worker)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "readiness_pending",
        sa.Column("family_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("changes", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_readiness_pending_queued_at", "readiness_pending", ["queued_at"])


def downgrade() -> None:
    op.drop_index("ix_readiness_pending_queued_at", table_name="readiness_pending")
    op.drop_table("readiness_pending")
