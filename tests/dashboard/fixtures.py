"""A small fixed dataset whose dashboard figures are worked out by hand in the tests."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app.attendance.service import attendance_summaries_refresh
from app.clock import today_local
from app.models import Attendance, Kelompok, Meeting
from tests.factories import World, family_make, kelompok_make, meeting_make, world_make


@dataclass
class Fixed:
    world: World
    recent: Meeting  # Mawar, topic 1, 20 days ago: Ani, Budi hadir; Cucu alpa; Dewi izin
    older: Meeting  # Mawar, topic 2, 80 days ago: all four hadir
    anggrek: Meeting  # Anggrek, topic 1, 80 days ago: Fitri hadir
    cancelled: Meeting  # Mawar, topic 3, 75 days ago, cancelled
    utara: Kelompok  # Cimahi Utara, one KPM, no meeting


def mark(session: Session, meeting: Meeting, family_id: int, status: str) -> None:
    session.add(Attendance(meeting_id=meeting.id or 0, family_id=family_id, status=status))


def fixed_make(session: Session) -> Fixed:
    w = world_make(session)
    today = today_local()
    ani, budi, cucu, dewi = (f.id or 0 for f in w.families)
    recent = meeting_make(session, kelompok=w.kelompok, topic_no=1, day=today - timedelta(days=20), status="terlaksana")
    older = meeting_make(session, kelompok=w.kelompok, topic_no=2, day=today - timedelta(days=80), status="terlaksana")
    anggrek = meeting_make(
        session, kelompok=w.other_kelompok, topic_no=1, day=today - timedelta(days=80), status="terlaksana"
    )
    cancelled = meeting_make(
        session, kelompok=w.kelompok, topic_no=3, day=today - timedelta(days=75), status="dibatalkan"
    )
    for family_id, status in ((ani, "hadir"), (budi, "hadir"), (cucu, "alpa"), (dewi, "izin")):
        mark(session, recent, family_id, status)
    for family_id in (ani, budi, cucu, dewi):
        mark(session, older, family_id, "hadir")
    mark(session, anggrek, w.other_family.id or 0, "hadir")
    utara = kelompok_make(session, pendamping=w.other_pendamping, village_code="32.77.03.1001", name="Kelompok Utara")
    family_make(session, kelompok=utara, head_name="Gita Utara")
    session.flush()
    attendance_summaries_refresh(session=session)  # marks written directly: recount what the services keep
    return Fixed(world=w, recent=recent, older=older, anggrek=anggrek, cancelled=cancelled, utara=utara)
