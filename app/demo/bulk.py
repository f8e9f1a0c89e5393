"""Writing the demo's rows in bulk: the driver's executemany on SQLite, COPY on PostgreSQL."""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, func, text
from sqlmodel import Session, SQLModel, select

from app.models import Assessment, AssessmentValue, Attendance, Family, Kelompok, Meeting, MeetingEvent, Member, User

# Insert order follows the foreign keys.
TABLES: tuple[type[SQLModel], ...] = (
    User, Kelompok, Family, Member, Meeting, MeetingEvent, Attendance, Assessment, AssessmentValue,
)  # fmt: skip

Row = dict[str, Any]


def table_of(model: type[SQLModel]) -> Table:
    return SQLModel.metadata.tables[str(model.__tablename__)]


def max_id(*, session: Session, model: type[SQLModel]) -> int:
    return int(session.exec(select(func.coalesce(func.max(table_of(model).c.id), 0))).one())


def rows_insert(*, session: Session, table: Table, rows: list[Row]) -> None:
    """SQLite: the driver's executemany within the session's transaction, each value through its column type's
    bind processor as Core would do it; Core's own executemany spends longer on the parameters than SQLite on
    the rows (the ORM's bulk path is slower still: it splits a batch wherever optional values turn None)."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    columns = [
        (column.name, _memoised(column.type.dialect_impl(dialect).bind_processor(dialect)))
        for column in table.columns
        if column.name in rows[0]
    ]
    names = ", ".join(f'"{name}"' for name, _ in columns)
    statement = f"""INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" for _ in columns)})"""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    driver.executemany(
        statement, ([process(row[name]) if process else row[name] for name, process in columns] for row in rows)
    )


def _memoised(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """A bind processor that converts each distinct value once: the demo's dates and flags repeat endlessly."""
    if process is None:
        return None
    done: dict[Any, Any] = {}

    def processed(value: Any) -> Any:
        if value not in done:
            done[value] = process(value)
        return done[value]

    return processed


def rows_copy(*, session: Session, table: Table, rows: list[Row]) -> None:
    """COPY into PostgreSQL within the session's transaction: psycopg's executemany sends one INSERT per row.
    Columns the rows leave out (derived counts) take their server defaults, as with executemany."""
    if not rows:
        return
    names = [column.name for column in table.columns if column.name in rows[0]]
    statement = f"""COPY "{table.name}" ({", ".join(f'"{name}"' for name in names)}) FROM STDIN"""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def sequences_reset(*, session: Session) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move each past the highest id. ANALYZE too: the counts
    that follow join the new rows, and a planner that still believes the tables empty picks nested loops."""
    for model in TABLES:
        name = table_of(model).name
        session.execute(
            text(f"""SELECT setval(pg_get_serial_sequence('"{name}"', 'id'), (SELECT max(id) FROM "{name}"))""")
        )
        session.execute(text(f'ANALYZE "{name}"'))
