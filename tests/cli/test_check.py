"""`python -m app.cli check`: every derived column recounted, differences reported (exit 1), `--fix` stores them."""

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from app import cli
from app.attendance.service import attendance_summaries_refresh
from app.models import Attendance, AttendanceStatus, Family, Meeting, MeetingStatus
from tests.factories import meeting_make, world_make


def test_check_reports_each_drifted_column_and_fix_recounts(session, capsys) -> None:
    w = world_make(session)
    meeting = meeting_make(
        session, kelompok=w.kelompok, topic_no=1, day=w.today - timedelta(days=1), status=MeetingStatus.HELD
    )
    for family in w.families:
        session.add(Attendance(meeting_id=meeting.id or 0, family_id=family.id or 0, status=AttendanceStatus.HADIR))
    session.flush()
    attendance_summaries_refresh(
        session=session, meeting_ids=[meeting.id or 0], family_ids=[f.id or 0 for f in w.families]
    )
    assert cli.command_check(session=session) == cli.OK
    assert "Semua kolom turunan sesuai" in capsys.readouterr().out

    session.execute(update(Meeting).where(Meeting.id == meeting.id).values(present_count=0))
    session.execute(update(Family).where(Family.id == w.families[1].id).values(sessions_done=0, alpa_streak=3))
    assert cli.command_check(session=session) == cli.FAILED
    out = capsys.readouterr().out
    assert f"meeting.present_count: 1 baris berbeda — id {meeting.id} (0 ≠ 4)" in out
    assert f"family.sessions_done: 1 baris berbeda — id {w.families[1].id}" in out
    assert "family.alpa_streak: 1 baris berbeda" in out
    assert "meeting.marks_count: 0 baris berbeda" in out

    assert cli.command_check(session=session, fix=True) == cli.FAILED
    assert "3 baris dihitung ulang dan disimpan" in capsys.readouterr().out
    assert session.exec(select(Meeting.present_count).where(Meeting.id == meeting.id)).one() == 4
    assert cli.command_check(session=session) == cli.OK


def test_check_is_wired_into_the_parser() -> None:
    args = cli.parser_build().parse_args(["check", "--fix"])
    assert args.command == "check" and args.fix is True


def test_check_finds_a_mark_whose_year_is_not_its_meetings_and_fix_restores_it(session, capsys) -> None:
    w = world_make(session)
    meeting = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=w.today, status=MeetingStatus.HELD)
    mark = Attendance(meeting_id=meeting.id or 0, family_id=w.families[0].id or 0, status=AttendanceStatus.HADIR)
    session.add(mark)
    session.flush()
    attendance_summaries_refresh(session=session, meeting_ids=[meeting.id or 0], family_ids=[w.families[0].id or 0])
    session.execute(update(Attendance).where(Attendance.id == mark.id).values(year=w.today.year - 1))
    assert cli.command_check(session=session) == cli.FAILED
    assert f"attendance.year: 1 baris berbeda — id {mark.id} ({w.today.year - 1} ≠ {w.today.year})" in (
        capsys.readouterr().out
    )
    assert cli.command_check(session=session, fix=True) == cli.FAILED
    assert session.exec(select(Attendance.year).where(Attendance.id == mark.id)).one() == w.today.year
    assert cli.command_check(session=session) == cli.OK
