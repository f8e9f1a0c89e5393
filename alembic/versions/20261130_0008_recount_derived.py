"""recount derived family counts: 0004 backfilled them from meeting status 'held', which the app never stores

Any database with marks before 0004 read 0 sessions done and 0 alpa streak for every family. This recounts
`family.sessions_done` and `family.alpa_streak` from the marks of held meetings, the way
app.attendance.service.attendance_summaries_refresh does, and (cheap, and right whatever wrote the rows) the
per-meeting counts and per-assessment score parts; status values are bound parameters from the app's enums.

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from alembic import op
from app.models import AttendanceStatus, MeetingStatus

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD_MARKS = """FROM attendance a JOIN meeting m ON m.id = a.meeting_id
    WHERE a.family_id = family.id AND m.status = :held"""


def upgrade() -> None:
    bind = op.get_bind()
    fold = (
        "bit_or(CAST(1 AS BIGINT) << m.topic_id)"
        if bind.dialect.name == "postgresql"
        else "sum(DISTINCT 1 << m.topic_id)"
    )
    statuses = {"held": MeetingStatus.HELD, "present": AttendanceStatus.HADIR, "absent": AttendanceStatus.ALPA}
    bind.execute(
        sa.text("""UPDATE meeting SET
        marks_count = (SELECT count(*) FROM attendance a WHERE a.meeting_id = meeting.id),
        present_count = (SELECT count(*) FROM attendance a WHERE a.meeting_id = meeting.id AND a.status = :present)"""),
        {"present": statuses["present"]},
    )
    family = sa.text(f"""UPDATE family SET
        sessions_done = coalesce((SELECT {fold} {HELD_MARKS} AND a.status = :present), 0),
        alpa_streak = (SELECT count(*) {HELD_MARKS} AND a.status = :absent AND m.date > coalesce(
            (SELECT max(m2.date) FROM attendance a2 JOIN meeting m2 ON m2.id = a2.meeting_id
             WHERE a2.family_id = family.id AND m2.status = :held AND a2.status <> :absent), :day_min))""")
    bind.execute(family.bindparams(sa.bindparam("day_min", date.min, type_=sa.Date())), statuses)
    bind.execute(
        sa.text("""UPDATE assessment SET
        score_met = (SELECT sum(CASE WHEN v.value_bool THEN 1
                                     WHEN v.value_num IS NOT NULL AND i.target IS NOT NULL AND v.value_num >= i.target
                                     THEN 1 ELSE 0 END)
                     FROM assessmentvalue v JOIN indicator i ON i.id = v.indicator_id
                     WHERE v.assessment_id = assessment.id),
        score_answered = (SELECT sum(CASE WHEN v.value_bool IS NOT NULL THEN 1
                                          WHEN v.value_num IS NOT NULL AND i.target IS NOT NULL THEN 1 ELSE 0 END)
                          FROM assessmentvalue v JOIN indicator i ON i.id = v.indicator_id
                          WHERE v.assessment_id = assessment.id)""")
    )


def downgrade() -> None:
    """Nothing to undo: the recounted values are the right ones under every revision since 0004."""
