"""derived counts: per-meeting marks, per-family completed sessions and alpa streak, per-assessment score parts

The supervisor dashboard and the readiness pass read these instead of millions of marks and indicator values;
the services that write marks and assessments keep them current (app.attendance.service
.attendance_summaries_refresh, app.assessments.service.assessment_scores_refresh).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD_MARKS = """FROM attendance a JOIN meeting m ON m.id = a.meeting_id
    WHERE a.family_id = family.id AND m.status = 'held'"""


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("marks_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("present_count", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("family") as batch:
        batch.add_column(sa.Column("sessions_done", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("alpa_streak", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("assessment") as batch:
        batch.add_column(sa.Column("score_met", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("score_answered", sa.Integer(), nullable=True))

    fold = (
        "bit_or(CAST(1 AS BIGINT) << m.topic_id)"
        if op.get_bind().dialect.name == "postgresql"
        else "sum(DISTINCT 1 << m.topic_id)"
    )
    op.execute("""UPDATE meeting SET
        marks_count = (SELECT count(*) FROM attendance a WHERE a.meeting_id = meeting.id),
        present_count = (SELECT count(*) FROM attendance a WHERE a.meeting_id = meeting.id AND a.status = 'hadir')""")
    op.execute(f"""UPDATE family SET
        sessions_done = coalesce((SELECT {fold} {HELD_MARKS} AND a.status = 'hadir'), 0),
        alpa_streak = (SELECT count(*) {HELD_MARKS} AND a.status = 'alpa' AND m.date > coalesce(
            (SELECT max(m2.date) FROM attendance a2 JOIN meeting m2 ON m2.id = a2.meeting_id
             WHERE a2.family_id = family.id AND m2.status = 'held' AND a2.status <> 'alpa'), '0001-01-01'))""")
    op.execute("""UPDATE assessment SET
        score_met = (SELECT sum(CASE WHEN v.value_bool THEN 1
                                     WHEN v.value_num IS NOT NULL AND i.target IS NOT NULL AND v.value_num >= i.target
                                     THEN 1 ELSE 0 END)
                     FROM assessmentvalue v JOIN indicator i ON i.id = v.indicator_id
                     WHERE v.assessment_id = assessment.id),
        score_answered = (SELECT sum(CASE WHEN v.value_bool IS NOT NULL THEN 1
                                          WHEN v.value_num IS NOT NULL AND i.target IS NOT NULL THEN 1 ELSE 0 END)
                          FROM assessmentvalue v JOIN indicator i ON i.id = v.indicator_id
                          WHERE v.assessment_id = assessment.id)""")


def downgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        batch.drop_column("score_answered")
        batch.drop_column("score_met")
    with op.batch_alter_table("family") as batch:
        batch.drop_column("alpa_streak")
        batch.drop_column("sessions_done")
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("present_count")
        batch.drop_column("marks_count")
