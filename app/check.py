"""Every derived column recounted from its source rows and compared with what is stored (`python -m app.cli check`).

The recount expressions are the ones the writers store (app.attendance.service, app.assessments.service), read
here in a SELECT so the check writes nothing; `derived_fix` stores them for the rows that differ.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, extract, update
from sqlmodel import Session, col, select

from app.aid.service import aid_held_recount, aid_held_refresh
from app.assessments.service import assessment_scores_recount, assessment_scores_refresh
from app.attendance.service import attendance_summaries_refresh, family_counts_recount, meeting_counts_recount
from app.models import Assessment, Attendance, Family, Meeting, Member

FIRST_IDS = 10


@dataclass
class ColumnDrift:
    """The rows of one derived column whose stored value differs from a recount."""

    column: str
    count: int = 0
    first: list[tuple[int, Any, Any]] = field(default_factory=list)
    """(id, stored, recounted) of the first rows by id."""


def _drifts(session: Session, table: Any, recount: dict[str, Any]) -> list[tuple[ColumnDrift, list[int]]]:
    found = []
    for name, expression in recount.items():
        stored = getattr(table, name)
        stmt: Select[Any] = (
            select(col(table.id), stored, expression).where(stored.is_distinct_from(expression)).order_by(col(table.id))
        )
        rows = session.execute(stmt).all()
        drift = ColumnDrift(
            column=f"{table.__tablename__}.{name}",
            count=len(rows),
            first=[(row[0], row[1], row[2]) for row in rows[:FIRST_IDS]],
        )
        found.append((drift, [row[0] for row in rows]))
    return found


def attendance_year_recount() -> dict[str, Any]:
    """The partition key of a mark: its meeting's year."""
    meeting_year = select(extract("year", col(Meeting.date))).where(Meeting.id == Attendance.meeting_id)
    return {"year": meeting_year.scalar_subquery()}


def _all_drifts(session: Session) -> list[tuple[ColumnDrift, list[int]]]:
    dialect = session.get_bind().dialect.name
    return [
        *_drifts(session, Attendance, attendance_year_recount()),
        *_drifts(session, Meeting, meeting_counts_recount()),
        *_drifts(session, Family, family_counts_recount(dialect=dialect)),
        *_drifts(session, Assessment, assessment_scores_recount()),
        *_aid_drifts(session),
    ]


def _aid_drifts(session: Session) -> list[tuple[ColumnDrift, list[int]]]:
    family_bits, member_bits = aid_held_recount(session=session)
    return [*_drifts(session, Family, family_bits), *_drifts(session, Member, member_bits)]


def derived_check(*, session: Session) -> list[ColumnDrift]:
    """Every derived column with the number of rows that differ from a recount (0 when it is right)."""
    return [drift for drift, _ids in _all_drifts(session)]


def derived_fix(*, session: Session) -> list[ColumnDrift]:
    """Recount and store the rows that differ; returns what differed. The caller commits."""
    found = _all_drifts(session)
    ids: dict[str, set[int]] = {
        "attendance": set(),
        "meeting": set(),
        "family": set(),
        "assessment": set(),
        "member": set(),
    }
    aid: dict[str, set[int]] = {"family": set(), "member": set()}
    for drift, drifted in found:
        table, column = drift.column.split(".")
        (aid if column == "aid_held" else ids)[table] |= set(drifted)
    if aid["family"] or aid["member"]:
        aid_held_refresh(session=session, family_ids=sorted(aid["family"]), member_ids=sorted(aid["member"]))
    if ids["attendance"]:
        session.execute(
            update(Attendance)
            .where(col(Attendance.id).in_(sorted(ids["attendance"])))
            .values(attendance_year_recount())
            .execution_options(synchronize_session=False)
        )
    if ids["meeting"] or ids["family"]:
        attendance_summaries_refresh(
            session=session, meeting_ids=sorted(ids["meeting"]), family_ids=sorted(ids["family"])
        )
    if ids["assessment"]:
        assessment_scores_refresh(session=session, assessment_ids=sorted(ids["assessment"]))
    return [drift for drift, _ids in found]
