"""Attendance marks at every held meeting, and make-ups in a sibling kelompok."""

from collections import defaultdict

from app.demo.base import DemoState, moment
from app.demo.families import THRIVING, Household
from app.demo.meetings import Held
from app.models import Attendance, AttendanceStatus, Attendee


class AttendanceBuilder(DemoState):
    def _attendance_row(
        self, *, meeting: Held, family_id: int, status: str, attendee: str, name: str, pendamping_id: int
    ) -> None:
        self.rows[Attendance].append(
            {
                "id": self._id(Attendance),
                "meeting_id": meeting.meeting_id,
                "family_id": family_id,
                "status": status,
                "attendee": attendee,
                "attendee_name": name,
                "recorded_by_id": pendamping_id,
                "recorded_at": moment(meeting.day, 11),
                "year": meeting.day.year,
            }
        )

    def _attendance(
        self, *, pendamping_id: int, meetings: list[Held], families: list[Household]
    ) -> list[tuple[int, Held]]:
        """Record every family at every held meeting of its kelompok; return the (family, meeting) misses."""
        rng = self.rng
        misses: list[tuple[int, Held]] = []
        for family in families:
            family_id, others = family.family_id, family.others
            habit = rng.random()
            absence = 0.10 if habit < 0.75 else 0.25 if habit < 0.97 else 0.45
            if family.outlook is THRIVING:  # the families that changed most are the ones that keep coming
                absence = 0.06
            # A few families stop coming for three or four meetings in a row (the 3x alpa warning).
            streak = range(0)
            if len(meetings) >= 4 and rng.random() < 0.01:
                length = rng.randint(3, 4)
                first = rng.randint(0, len(meetings) - length)
                streak = range(first, first + length)
            for index, meeting in enumerate(meetings):
                attendee, name = Attendee.PENGURUS, ""
                if index in streak:
                    status = AttendanceStatus.ALPA
                elif rng.random() >= absence:
                    status = AttendanceStatus.HADIR
                    if others and rng.random() < 0.12:
                        attendee, name = Attendee.ANGGOTA_LAIN, rng.choice(others)
                else:
                    status = rng.choices(
                        (AttendanceStatus.IZIN, AttendanceStatus.SAKIT, AttendanceStatus.ALPA), weights=(36, 28, 36)
                    )[0]
                if status != AttendanceStatus.HADIR:
                    misses.append((family_id, meeting))
                self._attendance_row(
                    meeting=meeting,
                    family_id=family_id,
                    status=status,
                    attendee=attendee,
                    name=name,
                    pendamping_id=pendamping_id,
                )
        return misses

    def _makeups(self, *, pendamping_id: int, held: list[Held], misses: list[tuple[int, Held]]) -> None:
        """Some families make up a missed session at a later meeting of it in a sibling kelompok."""
        by_topic: dict[int, list[Held]] = defaultdict(list)
        for meeting in sorted(held, key=lambda item: item.day):
            by_topic[meeting.topic_id].append(meeting)
        for family_id, missed in misses:
            if self.rng.random() >= 0.05:
                continue
            later = next(
                (
                    meeting
                    for meeting in by_topic[missed.topic_id]
                    if meeting.day > missed.day and meeting.kelompok_id != missed.kelompok_id
                ),
                None,
            )
            if later is not None:
                self._attendance_row(
                    meeting=later,
                    family_id=family_id,
                    status=AttendanceStatus.HADIR,
                    attendee=Attendee.PENGURUS,
                    name="",
                    pendamping_id=pendamping_id,
                )
