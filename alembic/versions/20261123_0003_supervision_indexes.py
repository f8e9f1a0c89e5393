"""supervision indexes: covering indexes for the supervisor dashboard's aggregates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Attendance rate per month: counted per held meeting straight from the index, no table visit.
    op.create_index("ix_attendance_meeting_status_family", "attendance", ["meeting_id", "status", "family_id"])
    # Completion: a family's present marks and their meetings, read in family order from the index.
    op.create_index("ix_attendance_family_status_meeting", "attendance", ["family_id", "status", "meeting_id"])
    # Held meetings of a kelompok in a date range (and the last one held), with their topic.
    op.create_index("ix_meeting_kelompok_status_date", "meeting", ["kelompok_id", "status", "date", "topic_id"])
    # Open correction requests of a meeting; quality reviews by supervisor and date come from existing indexes.
    op.create_index("ix_correctionrequest_status_meeting", "correctionrequest", ["status", "meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_correctionrequest_status_meeting", table_name="correctionrequest")
    op.drop_index("ix_meeting_kelompok_status_date", table_name="meeting")
    op.drop_index("ix_attendance_family_status_meeting", table_name="attendance")
    op.drop_index("ix_attendance_meeting_status_family", table_name="attendance")
