"""the KPM register by hand and its search: member name keys (backfilled) with their index, member join / leave
dates and reasons, a family's exit reason, and the transfer history between kelompok. On PostgreSQL a trigram
index on the name key, when the pg_trgm extension can be created, lets partial names be found without a scan.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-30 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from app.models import name_key_of

revision: str = "0011"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_CHUNK = 5_000
TRIGRAM_INDEX = "ix_member_name_key_trgm"
# SQLite: an FTS5 trigram index over member.name_key (external content, kept by triggers), so `LIKE '%nur%'`
# reads the index instead of every member. The name is app.search.queries.SQLITE_NAME_INDEX.
FTS = "member_name_fts"
SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(name_key, content='member', content_rowid='id', tokenize='trigram')",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON member BEGIN
        INSERT INTO {FTS}(rowid, name_key) VALUES (new.id, new.name_key); END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON member BEGIN
        INSERT INTO {FTS}({FTS}, rowid, name_key) VALUES ('delete', old.id, old.name_key); END""",
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE OF name_key ON member BEGIN
        INSERT INTO {FTS}({FTS}, rowid, name_key) VALUES ('delete', old.id, old.name_key);
        INSERT INTO {FTS}(rowid, name_key) VALUES (new.id, new.name_key); END""",
]


def _names_backfill(bind: sa.Connection) -> None:
    """Every member's name key, computed in Python (the same function the app uses), a chunk at a time."""
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, name FROM member WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BACKFILL_CHUNK},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text("UPDATE member SET name_key = :key WHERE id = :id"),
            [{"id": row[0], "key": name_key_of(row[1])} for row in rows],
        )
        last = rows[-1][0]


def _trigram_index(bind: sa.Connection) -> None:
    """A GIN trigram index where the extension exists and may be created; without it search scans the index."""
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    if available is None:
        return
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        bind.execute(sa.text(f"CREATE INDEX {TRIGRAM_INDEX} ON member USING gin (name_key gin_trgm_ops)"))
        savepoint.commit()
    except sa.exc.DBAPIError:
        savepoint.rollback()


def upgrade() -> None:
    # Plain ADD / DROP COLUMN (SQLite has both): a batch copy of `family` would trip the foreign keys to it.
    op.add_column("member", sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True))
    op.add_column("member", sa.Column("joined_on", sa.Date(), nullable=True))
    op.add_column("member", sa.Column("join_reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column("member", sa.Column("left_on", sa.Date(), nullable=True))
    op.add_column("member", sa.Column("leave_reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column("family", sa.Column("exit_reason", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True))
    op.add_column(
        "family",
        sa.Column("exit_note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""),
    )
    op.add_column("family", sa.Column("form_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_index("uq_family_form_token", "family", ["form_token"], unique=True)
    bind = op.get_bind()
    _names_backfill(bind)
    op.create_index("ix_member_name_key_family", "member", ["name_key", "family_id"])
    if bind.dialect.name == "postgresql":
        _trigram_index(bind)
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)
    op.create_table(
        "familytransfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("from_kelompok_id", sa.Integer(), nullable=True),
        sa.Column("to_kelompok_id", sa.Integer(), nullable=False),
        sa.Column("transferred_on", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["family.id"]),
        sa.ForeignKeyConstraint(["from_kelompok_id"], ["kelompok.id"]),
        sa.ForeignKeyConstraint(["to_kelompok_id"], ["kelompok.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_familytransfer_family_id", "familytransfer", ["family_id"])
    op.create_index("ix_familytransfer_from_kelompok_id", "familytransfer", ["from_kelompok_id"])
    op.create_index("ix_familytransfer_to_kelompok_id", "familytransfer", ["to_kelompok_id"])


def downgrade() -> None:
    op.drop_index("ix_familytransfer_to_kelompok_id", table_name="familytransfer")
    op.drop_index("ix_familytransfer_from_kelompok_id", table_name="familytransfer")
    op.drop_index("ix_familytransfer_family_id", table_name="familytransfer")
    op.drop_table("familytransfer")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    op.drop_index("ix_member_name_key_family", table_name="member")
    op.drop_index("uq_family_form_token", table_name="family")
    for column in ("form_token", "exit_note", "exit_reason"):
        op.drop_column("family", column)
    for column in ("leave_reason", "left_on", "join_reason", "joined_on", "name_key"):
        op.drop_column("member", column)
