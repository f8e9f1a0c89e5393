"""versions and access log: edit versions on family, member and meeting; one-time form tokens; the access log

Edit forms send the version they were made from and the services update `WHERE version = :v` (no lost updates);
creating forms carry a one-time token so a form sent twice adds one row; `accesslog` records who viewed full
identity numbers or exported personal data; NIK and No. KK already in the audit log are masked like new ones.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:30:00.000000
"""

import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
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
    _audit_mask_existing()


SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})(\d{8})(\d{4})(?!\d)")


def _masked(key: str | None, value: Any) -> Any:
    """As app.audit masks new rows (kept here: a migration must not change when the app does)."""
    if isinstance(value, dict):
        return {k: _masked(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(None, v) for v in value]
    if isinstance(value, str):
        if key in ("nik", "kk_number") and value:
            return value[:4] + "•" * (len(value) - 8) + value[-4:] if len(value) > 8 else "•" * len(value)
        return SIXTEEN_DIGITS.sub(lambda m: m.group(1) + "•" * 8 + m.group(3), value)
    return value


def _remasked(text: str | None) -> str | None:
    """The stored JSON with identity numbers masked; None when there is nothing to change."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    masked = _masked(None, value)
    return None if masked == value else json.dumps(masked, sort_keys=True)


def _audit_mask_existing() -> None:
    """Audit rows written before masking keep no full NIK or No. KK either (read and rewritten in batches)."""
    bind = op.get_bind()
    audit = sa.table("auditlog", sa.column("id", sa.Integer), sa.column("before", sa.Text), sa.column("after", sa.Text))
    query = sa.select(audit.c.id, audit.c.before, audit.c.after).order_by(audit.c.id).limit(2000)
    last = 0
    while rows := bind.execute(query.where(audit.c.id > last)).all():
        for row_id, before, after in rows:
            new_before, new_after = _remasked(before), _remasked(after)
            if new_before is not None or new_after is not None:
                bind.execute(
                    sa.update(audit)
                    .where(audit.c.id == row_id)
                    .values(before=new_before or before, after=new_after or after)
                )
        last = rows[-1][0]


def downgrade() -> None:
    # Audit values stay masked: a full number cannot be put back, and should not be.
    op.drop_index("ix_accesslog_action_at", table_name="accesslog")
    op.drop_index("ix_accesslog_user_at", table_name="accesslog")
    op.drop_index("ix_accesslog_at", table_name="accesslog")
    op.drop_table("accesslog")
    for table in ("meeting", "member"):
        op.drop_index(f"uq_{table}_form_token", table_name=table)
        op.drop_column(table, "form_token")
    for table in ("meeting", "member", "family"):
        op.drop_column(table, "version")
