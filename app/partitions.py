"""Yearly partitions of the two tables that grow without end, attendance and auditlog (PostgreSQL only).

On PostgreSQL both are range-partitioned (migration 0016): attendance by `year` (the meeting's year), auditlog by
`at`. Each year has a partition `<table>_y<year>`, made ahead by `python -m app.cli partitions --ahead N` (also
run by `migrate`); a row of a year without one lands in `<table>_default`, so no insert ever fails, and the next
run moves such rows into their own year's partition. On SQLite the tables are plain and this module does nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class PartitionedTable:
    name: str
    key: str
    years_sql: str
    """The distinct years of the rows of a table named {table}."""

    def bounds(self, year: int) -> str:
        if self.key == "year":
            return f"FROM ({year}) TO ({year + 1})"
        return f"FROM ('{year}-01-01 00:00:00+00') TO ('{year + 1}-01-01 00:00:00+00')"

    def in_year(self, year: int) -> str:
        if self.key == "year":
            return f"year = {year}"
        return f"at >= '{year}-01-01 00:00:00+00' AND at < '{year + 1}-01-01 00:00:00+00'"


PARTITIONED = (
    PartitionedTable(name="attendance", key="year", years_sql="SELECT DISTINCT year FROM {table}"),
    PartitionedTable(
        name="auditlog",
        key="at",
        years_sql="SELECT DISTINCT CAST(EXTRACT(YEAR FROM at AT TIME ZONE 'UTC') AS INTEGER) FROM {table}",
    ),
)


def partition_name(table: PartitionedTable, year: int) -> str:
    return f"{table.name}_y{year}"


def _is_partitioned(connection: Connection, table: PartitionedTable) -> bool:
    found = connection.execute(
        text("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:name)"), {"name": table.name}
    ).first()
    return found is not None


def _exists(connection: Connection, name: str) -> bool:
    return connection.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar() is not None


def partition_default_create(connection: Connection, table: PartitionedTable) -> None:
    connection.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {table.name}_default PARTITION OF {table.name} DEFAULT")


def partition_year_create(connection: Connection, table: PartitionedTable, year: int) -> bool:
    """Make the partition of `year` unless it exists, moving the default partition's rows of that year into it
    (PostgreSQL refuses a new partition while the default one holds rows that belong to it)."""
    name = partition_name(table, year)
    if _exists(connection, name):
        return False
    default = f"{table.name}_default"
    if not _exists(connection, default):
        connection.exec_driver_sql(f"CREATE TABLE {name} PARTITION OF {table.name} FOR VALUES {table.bounds(year)}")
        return True
    connection.exec_driver_sql(f"CREATE TABLE {name} (LIKE {table.name} INCLUDING DEFAULTS)")
    connection.exec_driver_sql(
        f"WITH moved AS (DELETE FROM {default} WHERE {table.in_year(year)} RETURNING *) "
        f"INSERT INTO {name} SELECT * FROM moved"
    )
    connection.exec_driver_sql(f"ALTER TABLE {table.name} ATTACH PARTITION {name} FOR VALUES {table.bounds(year)}")
    connection.exec_driver_sql(f"ANALYZE {name}, {default}")  # row estimates (partitions_list) and plans
    return True


def partitions_ensure(*, connection: Connection, years: Iterable[int]) -> list[str]:
    """Partitions of `years`, and of every year whose rows sit in a default partition, for both tables; the names
    of those created. Nothing on SQLite or on a table that is not partitioned."""
    if connection.dialect.name != "postgresql":
        return []
    created: list[str] = []
    for table in PARTITIONED:
        if not _is_partitioned(connection, table):
            continue
        partition_default_create(connection, table)
        stray = connection.execute(text(table.years_sql.format(table=f"{table.name}_default"))).scalars().all()
        for year in sorted({*years, *(int(y) for y in stray)}):
            if partition_year_create(connection, table, year):
                created.append(partition_name(table, year))
    return created


def partitions_list(*, connection: Connection) -> list[tuple[str, str, int]]:
    """(table, partition, rows estimate) of every partition, in name order; empty on SQLite."""
    if connection.dialect.name != "postgresql":
        return []
    rows = connection.execute(
        text(
            "SELECT parent.relname, child.relname, GREATEST(child.reltuples, 0)::bigint FROM pg_inherits "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE parent.relname IN ('attendance', 'auditlog') AND child.relkind = 'r' ORDER BY child.relname"
        )
    ).all()
    return [(row[0], row[1], int(row[2])) for row in rows]
