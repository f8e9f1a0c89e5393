"""Attendance and auditlog partitioned by year on PostgreSQL: marks carry their meeting's year, a row of a year with
no partition lands in the default one, and `python -m app.cli partitions` makes years ahead and moves such rows."""

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import cli
from app.attendance.service import attendance_set
from app.db import engine_create
from app.models import Attendance, AuditLog, MeetingStatus
from app.partitions import partitions_ensure, partitions_list
from tests.conftest import migrate, scratch_url
from tests.factories import meeting_make, world_make

FAR_YEAR = 2031  # no partition made ahead reaches it


def on_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def partition_of(session: Session, table: str, row_id: int) -> str:
    return str(session.execute(text(f"SELECT tableoid::regclass FROM {table} WHERE id = :id"), {"id": row_id}).scalar())


def test_a_mark_carries_its_meeting_year_and_lands_in_that_years_partition(session: Session) -> None:
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status=MeetingStatus.HELD)
    row = attendance_set(
        session=session,
        user=w.pendamping,
        kelompok=w.kelompok,
        meeting=meeting,
        family_id=w.families[0].id or 0,
        today=w.today,
        status="hadir",
    ).mark
    assert row is not None and row.year == meeting.date.year
    if on_pg(session):
        assert partition_of(session, "attendance", row.id or 0) == f"attendance_y{meeting.date.year}"
        audit = session.exec(select(AuditLog).where(AuditLog.entity == "attendance")).first()
        assert audit is not None and partition_of(session, "auditlog", audit.id or 0) == f"auditlog_y{audit.at.year}"


def test_a_row_of_a_year_without_partition_goes_to_default_then_moves_to_its_own(session: Session) -> None:
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=date(FAR_YEAR, 3, 2))
    # No year given: the column default reads it from the meeting (how older writers and fixtures insert).
    mark = Attendance(meeting_id=meeting.id or 0, family_id=w.families[0].id or 0, status="hadir")
    audit = AuditLog(at=datetime(FAR_YEAR, 6, 1, tzinfo=UTC), entity="meeting", entity_id="1", action="test")
    session.add_all([mark, audit])
    session.flush()
    assert mark.year == FAR_YEAR
    if not on_pg(session):
        assert partitions_ensure(connection=session.connection(), years=[FAR_YEAR]) == []
        return
    assert partition_of(session, "attendance", mark.id or 0) == "attendance_default"
    assert partition_of(session, "auditlog", audit.id or 0) == "auditlog_default"

    created = partitions_ensure(connection=session.connection(), years=[])
    assert created == [f"attendance_y{FAR_YEAR}", f"auditlog_y{FAR_YEAR}"]
    assert partition_of(session, "attendance", mark.id or 0) == f"attendance_y{FAR_YEAR}"
    assert partition_of(session, "auditlog", audit.id or 0) == f"auditlog_y{FAR_YEAR}"
    assert partitions_ensure(connection=session.connection(), years=[FAR_YEAR]) == []
    # The moved mark keeps its unique key: the same (meeting, family) cannot be marked twice.
    listed = {name for _table, name, _rows in partitions_list(connection=session.connection())}
    assert {f"attendance_y{FAR_YEAR}", "attendance_default", "auditlog_default"} <= listed


def test_a_rescheduled_meeting_takes_its_marks_year_along(session: Session) -> None:
    from app.meetings.service import meeting_reschedule

    w = world_make(session)
    day = date(w.today.year, 12, 30) if w.today < date(w.today.year, 12, 20) else w.today + timedelta(days=3)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=day)
    session.add(Attendance(meeting_id=meeting.id or 0, family_id=w.families[0].id or 0, status="hadir"))
    session.flush()
    moved = date(day.year + 1, 1, 6)
    meeting_reschedule(
        session=session,
        user=w.pendamping,
        kelompok=w.kelompok,
        meeting=meeting,
        day=moved,
        start=meeting.start_time,
        place="",
        reason="Bergeser ke awal tahun",
        today=w.today,
    )
    years = session.exec(select(Attendance.year).where(Attendance.meeting_id == meeting.id)).all()
    assert years == [moved.year]


def _engine_and_url(tmp_path: Path, suffix: str) -> tuple[Engine, str]:
    url = scratch_url(suffix, tmp_path)
    engine = engine_create(url)
    migrate(url, engine)
    return engine, url


def test_partitions_command_makes_years_ahead_and_two_runs_at_once_both_succeed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine, url = _engine_and_url(tmp_path, "ops_partitions")
    try:
        outcomes: list[int] = []
        runs = [
            threading.Thread(target=lambda: outcomes.append(cli.command_partitions(ahead=3, url=url))) for _ in range(2)
        ]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=120)
        assert outcomes == [cli.OK, cli.OK]
        out = capsys.readouterr().out
        with engine.connect() as connection:
            names = {name for _table, name, _rows in partitions_list(connection=connection)}
        if engine.dialect.name != "postgresql":
            assert "SQLite tidak dipartisi" in out and names == set()
            return
        this_year = datetime.now(UTC).year
        for table in ("attendance", "auditlog"):
            assert {f"{table}_y{this_year + n}" for n in range(4)} | {f"{table}_default"} <= names
        assert out.count(f"Partisi dibuat: attendance_y{this_year + 3}") == 1
    finally:
        engine.dispose()


def test_partitions_is_wired_into_the_parser() -> None:
    args = cli.parser_build().parse_args(["partitions", "--ahead", "2"])
    assert args.command == "partitions" and args.ahead == 2
