"""versions and access log: edit versions on family, member and meeting; one-time form tokens; the access log

Edit forms send the version they were made from and the services update `WHERE version = :v` (no lost updates);
creating forms carry a one-time token so a form sent twice adds one row; `accesslog` records who viewed full
identity numbers or exported personal data.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-30 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and unique indexes: no table is rebuilt, so SQLite keeps its foreign keys and data as they are.
    for table in ("family", "member", "meeting"):
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    for table in ("member", "meeting"):
        op.add_column(table, sa.Column("form_token", sa.String(length=64), nullable=True))
        op.create_index(f"uq_{table}_form_token", table, ["form_token"], unique=True)
    op.create_table(
        "accesslog",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
    )
    op.create_index("ix_accesslog_at", "accesslog", ["at"])
    op.create_index("ix_accesslog_user_at", "accesslog", ["user_id", "at"])
    op.create_index("ix_accesslog_action_at", "accesslog", ["action", "at"])


def downgrade() -> None:
    op.drop_index("ix_accesslog_action_at", table_name="accesslog")
    op.drop_index("ix_accesslog_user_at", table_name="accesslog")
    op.drop_index("ix_accesslog_at", table_name="accesslog")
    op.drop_table("accesslog")
    for table in ("meeting", "member"):
        op.drop_index(f"uq_{table}_form_token", table_name=table)
        op.drop_column(table, "form_token")
    for table in ("meeting", "member", "family"):
        op.drop_column(table, "version")
