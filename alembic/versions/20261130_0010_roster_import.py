"""rosterimport and rosterimportrefusal: every uploaded roster file, its dry run's counts and refused rows

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0010"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("rows_total", "rows_done", "new_families", "new_members", "updated", "unchanged", "refused")


def upgrade() -> None:
    op.create_table(
        "rosterimport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("file_kind", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=13), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False, server_default="0") for name in COUNTS),
        sa.Column("sheets", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["applied_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rosterimport_sha256", "rosterimport", ["sha256"])
    op.create_index("ix_rosterimport_status", "rosterimport", ["status"])
    op.create_index("ix_rosterimport_created_by_id", "rosterimport", ["created_by_id"])
    op.create_index("ix_rosterimport_area_created", "rosterimport", ["area_code", "created_at"])
    op.create_table(
        "rosterimportrefusal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["rosterimport.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rosterimportrefusal_import_row", "rosterimportrefusal", ["import_id", "position"])


def downgrade() -> None:
    op.drop_index("ix_rosterimportrefusal_import_row", table_name="rosterimportrefusal")
    op.drop_table("rosterimportrefusal")
    for name in ("ix_rosterimport_area_created", "ix_rosterimport_created_by_id", "ix_rosterimport_status"):
        op.drop_index(name, table_name="rosterimport")
    op.drop_index("ix_rosterimport_sha256", table_name="rosterimport")
    op.drop_table("rosterimport")
