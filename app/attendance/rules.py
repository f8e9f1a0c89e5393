"""Roll-call rules as plain functions over plain values."""

from app.models import ATTENDANCE_CYCLE, AttendanceStatus


def next_status(current: str | None) -> str:
    """hadir → izin → sakit → alpa → hadir; an empty mark starts at hadir."""
    if current not in ATTENDANCE_CYCLE:
        return AttendanceStatus.HADIR
    cycle = ATTENDANCE_CYCLE
    return cycle[(cycle.index(current) + 1) % len(cycle)]
