"""A kelompok's monthly meetings through the core sessions: held, cancelled and the next ones scheduled."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.curriculum.queries import TopicRef
from app.demo.base import DemoState, moment, month_shift, slot_date
from app.demo.texts import CANCEL_REASONS
from app.models import Meeting, MeetingEvent, MeetingEventKind, MeetingStatus


@dataclass(frozen=True)
class Held:
    """A held meeting, remembered for make-up attendance in another kelompok."""

    meeting_id: int
    kelompok_id: int
    topic_id: int
    day: date


class MeetingBuilder(DemoState):
    def _meeting(
        self,
        *,
        pendamping_id: int,
        kelompok_id: int,
        topic: TopicRef,
        day: date,
        start: time,
        place: str,
        status: str,
        scheduled_at: datetime,
    ) -> int:
        meeting_id = self._id(Meeting)
        updated = scheduled_at if status == MeetingStatus.SCHEDULED else moment(day, 11)
        self.rows[Meeting].append(
            {
                "id": meeting_id,
                "kelompok_id": kelompok_id,
                "topic_id": topic.id,
                "date": day,
                "start_time": start,
                "duration_minutes": topic.duration_minutes,
                "place": place,
                "status": status,
                "is_makeup": False,
                "notes": "",
                "created_by_id": pendamping_id,
                "created_at": scheduled_at,
                "updated_at": updated,
            }
        )
        self._event(
            meeting_id=meeting_id,
            kind=MeetingEventKind.SCHEDULED,
            detail=f"Sesi {topic.no}, {day:%d/%m/%Y} {start:%H.%M}, {place}",
            user_id=pendamping_id,
            at=scheduled_at,
        )
        return meeting_id

    def _event(self, *, meeting_id: int, kind: str, detail: str, user_id: int, at: datetime, reason: str = "") -> None:
        self.rows[MeetingEvent].append(
            {
                "id": self._id(MeetingEvent),
                "meeting_id": meeting_id,
                "kind": kind,
                "detail": detail,
                "reason": reason,
                "user_id": user_id,
                "at": at,
            }
        )

    def _history(
        self,
        *,
        pendamping_id: int,
        kelompok_id: int,
        place: str,
        start: time,
        slot: tuple[int, int],
        months: int,
        mature: bool,
    ) -> tuple[list[Held], int | None]:
        """`months` of monthly meetings through the core sessions; return the held ones and the next session.

        A mature kelompok starts at session 1 and, once past the last, begins again for the KPM who missed some."""
        rng = self.rng
        this_month = self.today.replace(day=1)
        days = [slot_date(month_shift(this_month, shift), *slot) for shift in range(-months - 1, 1)]
        days = [day for day in days if day < self.today][-months:]
        overdue = rng.random() < 0.08
        recent = self.today - timedelta(days=60)
        plan: list[tuple[date, str]] = []
        for index, day in enumerate(days):
            if overdue and day >= recent:
                continue
            latest = index == len(days) - 1
            draw = rng.random()
            if not latest and draw < 0.05:
                continue
            plan.append((day, MeetingStatus.CANCELLED if not latest and draw < 0.08 else MeetingStatus.HELD))
        held_count = sum(1 for _, status in plan if status == MeetingStatus.HELD)
        # Groups started at different points of the curriculum; each still has a core session ahead of it.
        position = 0 if mature else rng.randint(0, max(0, min(3, len(self.topics) - 1 - held_count)))
        held: list[Held] = []
        for day, status in plan:
            if position == len(self.topics):
                if not mature:  # an administrator switched core sessions off
                    break
                position = 0
            topic = self.topics[position]
            meeting_id = self._meeting(
                pendamping_id=pendamping_id,
                kelompok_id=kelompok_id,
                topic=topic,
                day=day,
                start=start,
                place=place,
                status=status,
                scheduled_at=moment(day - timedelta(days=rng.randint(5, 14)), 2),
            )
            if status == MeetingStatus.CANCELLED:
                self._event(
                    meeting_id=meeting_id,
                    kind=MeetingEventKind.CANCELLED,
                    detail=f"Sesi {topic.no} batal",
                    reason=rng.choice(CANCEL_REASONS),
                    user_id=pendamping_id,
                    at=moment(day - timedelta(days=1), 3),
                )
                continue
            self._event(
                meeting_id=meeting_id,
                kind=MeetingEventKind.HELD,
                detail=f"Sesi {topic.no} terlaksana",
                user_id=pendamping_id,
                at=moment(day, 11),
            )
            held.append(Held(meeting_id=meeting_id, kelompok_id=kelompok_id, topic_id=topic.id, day=day))
            position += 1
        if mature:
            return held, position % len(self.topics)
        return held, position if position < len(self.topics) else None

    def _upcoming(self, *, pendamping_id: int, futures: list[tuple[int, str, time, int, date]]) -> None:
        """Schedule each kelompok's next session within three weeks, on a day none of its siblings uses."""
        horizon = self.today + timedelta(days=21)
        taken = {natural for *_, natural in futures if natural <= horizon}
        free = [
            day
            for offset in range(1, 22)
            if (day := self.today + timedelta(days=offset)).weekday() < 5 and day not in taken
        ]
        for kelompok_id, place, start, position, natural in futures:
            day = natural
            if natural > horizon:
                if not free:
                    continue
                day = free.pop(self.rng.randrange(len(free)))
            self._meeting(
                pendamping_id=pendamping_id,
                kelompok_id=kelompok_id,
                topic=self.topics[position],
                day=day,
                start=start,
                place=place,
                status=MeetingStatus.SCHEDULED,
                scheduled_at=moment(self.today - timedelta(days=self.rng.randint(1, 10)), 2),
            )
