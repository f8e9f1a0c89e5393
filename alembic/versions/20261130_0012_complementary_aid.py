"""complementary aid: programme catalogue (seeded), receipts per family or member, aid applications, and the
family's house livability (for the Rutilahu gap)

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-30 20:30:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
import sqlmodel

from alembic import op
from app.models import AID_PROGRAMMES_DEFAULT, AidApplicationStatus

revision: str = "0012"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EFFECTIVE = date(2020, 1, 1)
SEEDED_AT = datetime(2026, 11, 30, tzinfo=UTC)

programme = sa.table(
    "aidprogramme",
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("target", sa.String),
    sa.column("gap", sa.String),
    sa.column("effective_from", sa.Date),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite ≥ 3.35 has both): a batch copy of family would be refused by member's foreign key.
    op.add_column("family", sa.Column("house_livable", sa.Boolean(), nullable=True))
    op.add_column("family", sa.Column("aid_held", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("member", sa.Column("aid_held", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_index(
        "ix_family_aid_scan", "family", ["village_code", "kelompok_id", "status", "house_livable", "aid_held"]
    )
    op.create_index(
        "ix_member_aid_scan",
        "member",
        ["family_id", "active", "birth_date", "schooling", "has_birth_certificate", "nik", "aid_held"],
    )
    op.create_table(
        "aidprogramme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("target", sa.String(length=12), nullable=False),
        sa.Column("gap", sa.String(length=12), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_until", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "aidreceipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("end_note", sa.String(length=300), nullable=False),
        sa.Column("open_key", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["programme_id"], ["aidprogramme.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["ended_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("open_key"),
    )
    op.create_index("ix_aidreceipt_programme_id", "aidreceipt", ["programme_id"])
    op.create_index("ix_aidreceipt_member_programme", "aidreceipt", ["member_id", "programme_id", "ended_on"])
    op.create_index(
        "ix_aidreceipt_family_programme", "aidreceipt", ["family_id", "member_id", "programme_id", "ended_on"]
    )
    op.create_table(
        "aidapplication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False, server_default=str(AidApplicationStatus.DIAJUKAN)),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("form_token", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["programme_id"], ["aidprogramme.id"]),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["receipt_id"], ["aidreceipt.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("form_token"),
    )
    op.create_index("ix_aidapplication_family_id", "aidapplication", ["family_id"])
    op.create_index("ix_aidapplication_status_family", "aidapplication", ["status", "family_id"])
    op.bulk_insert(
        programme,
        [
            {
                "code": code,
                "name": name,
                "target": str(target),
                "gap": None if gap is None else str(gap),
                "effective_from": EFFECTIVE,
                "created_at": SEEDED_AT,
            }
            for code, name, target, gap in AID_PROGRAMMES_DEFAULT
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_aidapplication_status_family", table_name="aidapplication")
    op.drop_index("ix_aidapplication_family_id", table_name="aidapplication")
    op.drop_table("aidapplication")
    op.drop_index("ix_aidreceipt_family_programme", table_name="aidreceipt")
    op.drop_index("ix_aidreceipt_member_programme", table_name="aidreceipt")
    op.drop_index("ix_aidreceipt_programme_id", table_name="aidreceipt")
    op.drop_table("aidreceipt")
    op.drop_table("aidprogramme")
    op.drop_index("ix_member_aid_scan", table_name="member")
    op.drop_index("ix_family_aid_scan", table_name="family")
    op.drop_column("member", "aid_held")
    op.drop_column("family", "aid_held")
    op.drop_column("family", "house_livable")
