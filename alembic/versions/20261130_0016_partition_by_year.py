"""attendance.year (the meeting's year), and on PostgreSQL attendance and auditlog partitioned by year

PostgreSQL wants the partition key in every primary key and unique constraint, so attendance gets a `year` column
(copied from its meeting's date) that joins its primary key (id, year) and its unique (meeting_id, family_id, year);
auditlog is partitioned on `at` and its primary key becomes (id, at). Each table is rebuilt as a partitioned one:
the rows are copied into partitions of the years they hold, plus this year and the next, plus a default partition.
No foreign key points at either table. On SQLite only the column is added.

Revision ID: 0016
Revises: 0009
Create Date: 2026-11-30 20:30:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from alembic import op
from app.partitions import PARTITIONED, partition_default_create, partition_year_create

revision: str = "0016"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOREIGN_KEYS = {
    "attendance": [("family_id", "family"), ("meeting_id", "meeting"), ("recorded_by_id", '"user"')],
    "auditlog": [("user_id", '"user"')],
}
INDEXES = {
    "attendance": [
        ("ix_attendance_family_status", "family_id, status"),
        ("ix_attendance_family_status_meeting", "family_id, status, meeting_id"),
        ("ix_attendance_meeting_status_family", "meeting_id, status, family_id"),
    ],
    "auditlog": [("ix_auditlog_at", "at"), ("ix_auditlog_entity", "entity, entity_id")],
}
KEYS = {"attendance": "year", "auditlog": "at"}
UNIQUE_PARTITIONED = {"attendance": ("attendance_meeting_id_family_id_year_key", "meeting_id, family_id, year")}
UNIQUE_PLAIN = {"attendance": ("attendance_meeting_id_family_id_key", "meeting_id, family_id")}


def _rebuild(table: str, *, partitioned: bool) -> None:
    """Copy `table` into a new one of the same columns, partitioned by year or plain, with its keys and indexes."""
    run = op.execute
    old = f"{table}_old"
    run(f"ALTER SEQUENCE {table}_id_seq OWNED BY NONE")
    run(f"ALTER TABLE {table} RENAME TO {old}")
    partition_by = f" PARTITION BY RANGE ({KEYS[table]})" if partitioned else ""
    run(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS){partition_by}")
    if partitioned:
        connection = op.get_bind()
        spec = next(t for t in PARTITIONED if t.name == table)
        years = {int(y) for y in connection.execute(sa.text(spec.years_sql.format(table=old))).scalars()}
        this_year = datetime.now(UTC).year
        for year in sorted(years | {this_year, this_year + 1}):
            partition_year_create(connection, spec, year)
        partition_default_create(connection, spec)
    run(f"INSERT INTO {table} SELECT * FROM {old}")
    run(f"DROP TABLE {old}")
    run(f"ALTER SEQUENCE {table}_id_seq OWNED BY {table}.id")
    primary = f"id, {KEYS[table]}" if partitioned else "id"
    run(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({primary})")
    unique = (UNIQUE_PARTITIONED if partitioned else UNIQUE_PLAIN).get(table)
    if unique is not None:
        run(f"ALTER TABLE {table} ADD CONSTRAINT {unique[0]} UNIQUE ({unique[1]})")
    for column, target in FOREIGN_KEYS[table]:
        run(f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fkey FOREIGN KEY ({column}) REFERENCES {target}(id)")
    for name, columns in INDEXES[table]:
        run(f"CREATE INDEX {name} ON {table} ({columns})")


def upgrade() -> None:
    op.add_column("attendance", sa.Column("year", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE attendance SET year = CAST(EXTRACT(YEAR FROM meeting.date) AS INTEGER) FROM meeting "
            "WHERE meeting.id = attendance.meeting_id"
        )
        op.alter_column("attendance", "year", nullable=False)
        for table in ("attendance", "auditlog"):
            _rebuild(table, partitioned=True)
        return
    op.execute(
        "UPDATE attendance SET year = (SELECT CAST(strftime('%Y', meeting.date) AS INTEGER) FROM meeting "
        "WHERE meeting.id = attendance.meeting_id)"
    )
    with op.batch_alter_table("attendance") as batch_op:
        batch_op.alter_column("year", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("attendance", "auditlog"):
            _rebuild(table, partitioned=False)
        op.drop_column("attendance", "year")
        return
    with op.batch_alter_table("attendance") as batch_op:
        batch_op.drop_column("year")
