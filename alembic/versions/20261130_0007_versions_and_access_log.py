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
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("form_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_member_form_token", ["form_token"])
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("form_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_meeting_form_token", ["form_token"])
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
    with op.batch_alter_table("meeting") as batch:
        batch.drop_constraint("uq_meeting_form_token", type_="unique")
        batch.drop_column("form_token")
        batch.drop_column("version")
    with op.batch_alter_table("member") as batch:
        batch.drop_constraint("uq_member_form_token", type_="unique")
        batch.drop_column("form_token")
        batch.drop_column("version")
    with op.batch_alter_table("family") as batch:
        batch.drop_column("version")
