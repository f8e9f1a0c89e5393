"""Reading meetings: a kelompok's calendar, one meeting with its roll and history, a user's next meetings."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.access import kelompok_clause, meeting_can_edit
from app.attendance.queries import makeup_candidates, month_locked, roll_members, roll_recorders, roll_rows
from app.attendance.rules import next_status
from app.clock import JAKARTA
from app.curriculum.queries import TopicRef, topics_active
from app.errors import NotFound
from app.i18n import N_
from app.kelompok.queries import completions, kelompok_roster, pendamping_meetings_on, topics_by_status
from app.meetings import rules
from app.models import (
    ATTENDANCE_CYCLE,
    CurriculumModule,
    Family,
    Kelompok,
    Meeting,
    MeetingEvent,
    MeetingPhoto,
    MeetingStatus,
    Topic,
    User,
)
from app.supervision.queries import supervision_panel


@dataclass
class MeetingRow:
    meeting: Meeting
    topic: Topic
    module: CurriculumModule
    kelompok: Kelompok | None = None


MeetingSelect = Select[Meeting, Topic, CurriculumModule, Kelompok]


def _rows(session: Session, query: MeetingSelect) -> list[MeetingRow]:
    return [MeetingRow(meeting=m, topic=t, module=mod, kelompok=k) for m, t, mod, k in session.exec(query).all()]


def _base() -> MeetingSelect:
    return (
        select(Meeting, Topic, CurriculumModule, Kelompok)
        .join(Topic, col(Topic.id) == Meeting.topic_id)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
    )


def meetings_of_kelompok(
    *, session: Session, kelompok_id: int, today: date
) -> tuple[list[MeetingRow], list[MeetingRow]]:
    """(upcoming scheduled, everything else newest first) for one kelompok."""
    rows = _rows(
        session, _base().where(Meeting.kelompok_id == kelompok_id).order_by(col(Meeting.date), col(Meeting.start_time))
    )
    upcoming = [r for r in rows if r.meeting.status == MeetingStatus.SCHEDULED and r.meeting.date >= today]
    past = [r for r in reversed(rows) if r not in upcoming]
    return upcoming, past


def _visible(user: User) -> Any:
    """Meetings of the user's kelompok, probed kelompok by kelompok on the (kelompok, status, date) index."""
    return col(Meeting.kelompok_id).in_(select(Kelompok.id).where(kelompok_clause(user)))


def meetings_upcoming(*, session: Session, user: User, today: date, limit: int = 10) -> list[MeetingRow]:
    query = (
        _base()
        .where(_visible(user), Meeting.status == MeetingStatus.SCHEDULED, col(Meeting.date) >= today)
        .order_by(col(Meeting.date), col(Meeting.start_time))
        .limit(limit)
    )
    return _rows(session, query)


def meetings_for_offline(*, session: Session, user: User, today: date, days: int = 7, limit: int = 40) -> list[int]:
    """Ids of the scheduled meetings from today to `days` ahead: the roll-call pages a phone keeps for no signal."""
    query = (
        select(Meeting.id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(
            kelompok_clause(user),
            Meeting.status == MeetingStatus.SCHEDULED,
            col(Meeting.date) >= today,
            col(Meeting.date) <= today + timedelta(days=days),
        )
        .order_by(col(Meeting.date), col(Meeting.start_time))
        .limit(limit)
    )
    return [i for i in session.exec(query).all() if i is not None]


def meeting_photos(*, session: Session, meeting_id: int) -> list[MeetingPhoto]:
    return list(
        session.exec(
            select(MeetingPhoto).where(MeetingPhoto.meeting_id == meeting_id).order_by(col(MeetingPhoto.id))
        ).all()
    )


def meeting_photo_get(*, session: Session, meeting_id: int, photo_id: int) -> MeetingPhoto:
    photo = session.get(MeetingPhoto, photo_id)
    if photo is None or photo.meeting_id != meeting_id:
        raise NotFound(N_("Foto tidak ditemukan."))
    return photo


def meetings_waiting_roll(*, session: Session, user: User, today: date, limit: int = 10) -> list[MeetingRow]:
    """Scheduled meetings whose day has come: the roll is due and the meeting not yet marked held."""
    query = (
        _base()
        .where(_visible(user), Meeting.status == MeetingStatus.SCHEDULED, col(Meeting.date) < today)
        .order_by(col(Meeting.date).desc())
        .limit(limit)
    )
    return _rows(session, query)


def meeting_events(*, session: Session, meeting_id: int) -> list[tuple[MeetingEvent, str]]:
    rows = session.exec(
        select(MeetingEvent, User.full_name)
        .outerjoin(User, col(User.id) == MeetingEvent.user_id)
        .where(MeetingEvent.meeting_id == meeting_id)
        .order_by(col(MeetingEvent.at), col(MeetingEvent.id))
    ).all()
    return [(e, name or "–") for e, name in rows]


def meeting_topic(*, session: Session, meeting: Meeting) -> tuple[Topic, CurriculumModule]:
    row = session.exec(
        select(Topic, CurriculumModule)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .where(Topic.id == meeting.topic_id)
    ).one()
    return row[0], row[1]


def roll_families(*, session: Session, meeting: Meeting) -> list[Family]:
    """The kelompok's active KPM plus make-up guests already marked on this meeting.

    A UNION of two indexed lookups (family by kelompok, attendance by meeting): an `OR id IN (…)` scans every
    family on PostgreSQL."""
    on_roll = roll_members(meeting.kelompok_id, meeting.id)
    return list(
        session.exec(
            select(Family).join(on_roll, on_roll.c.id == Family.id).order_by(col(Family.head_name), col(Family.id))
        ).all()
    )


@dataclass
class PlannedMeeting:
    topic: TopicRef
    day: date
    conflict: bool


def completed_by_all(*, session: Session, kelompok_id: int) -> set[int]:
    """Topics every active KPM of the group has completed (make-ups included)."""
    roster = [f.id or 0 for f in kelompok_roster(session=session, kelompok_id=kelompok_id)]
    if not roster:
        return set()
    done = completions(session=session, family_ids=roster)
    per_topic: dict[int, int] = {}
    for _family, topic in done:
        per_topic[topic] = per_topic.get(topic, 0) + 1
    return {t for t, n in per_topic.items() if n >= len(roster)}


def topic_proposed(*, session: Session, kelompok: Kelompok, today: date) -> TopicRef | None:
    topics = topics_active(session=session, core_only=True)
    topic_id = rules.next_topic_id(
        ordered_topic_ids=[t.id for t in topics],
        held=topics_by_status(session=session, kelompok_id=kelompok.id or 0, status=MeetingStatus.HELD),
        scheduled=topics_by_status(
            session=session, kelompok_id=kelompok.id or 0, status=MeetingStatus.SCHEDULED, from_day=today
        ),
        completed_by_all=completed_by_all(session=session, kelompok_id=kelompok.id or 0),
    )
    return next((t for t in topics if t.id == topic_id), None)


def plan_rest_preview(
    *, session: Session, kelompok: Kelompok, first: date, start: time, today: date
) -> list[PlannedMeeting]:
    """One meeting a month for every core session the group has not held or scheduled yet."""
    topics = topics_active(session=session, core_only=True)
    remaining = rules.remaining_topic_ids(
        ordered_topic_ids=[t.id for t in topics],
        held=topics_by_status(session=session, kelompok_id=kelompok.id or 0, status=MeetingStatus.HELD),
        scheduled=topics_by_status(
            session=session, kelompok_id=kelompok.id or 0, status=MeetingStatus.SCHEDULED, from_day=today
        ),
        completed_by_all=completed_by_all(session=session, kelompok_id=kelompok.id or 0),
    )
    by_id = {t.id: t for t in topics}
    days = rules.monthly_dates(first=first, count=len(remaining))
    plan = []
    for topic_id, day in zip(remaining, days, strict=True):
        topic = by_id[topic_id]
        others = (
            pendamping_meetings_on(session=session, pendamping_id=kelompok.pendamping_id, day=day)
            if kelompok.pendamping_id
            else []
        )
        clash = rules.first_overlap(day=day, start=start, minutes=topic.duration_minutes, others=others)
        plan.append(PlannedMeeting(topic=topic, day=day, conflict=clash is not None))
    return plan


def roll_context(
    *, session: Session, user: User, meeting: Meeting, kelompok: Kelompok, today: date
) -> dict[str, object]:
    """What the roll (the page's `roll` block) shows: the KPM on it, their marks, the counts, whether it is open."""
    can_edit = meeting_can_edit(user, meeting, kelompok)
    locked = month_locked(session=session, kelompok_id=kelompok.id or 0, day=meeting.date)
    marks = roll_rows(session=session, meeting=meeting)
    return {
        "meeting": meeting,
        "kelompok": kelompok,
        "families": roll_families(session=session, meeting=meeting),
        "marks": marks,
        "recorders": roll_recorders(session=session, meeting=meeting),
        "can_edit": can_edit,
        "next_status": next_status,
        "jakarta": JAKARTA,
        "locked": locked,
        "roll_open": can_edit and meeting.status != MeetingStatus.CANCELLED and meeting.date <= today and not locked,
        "today": today,
        "counts": {s: sum(1 for a in marks.values() if a.status == s) for s in ATTENDANCE_CYCLE},
    }


def meeting_page_context(
    *, session: Session, user: User, meeting: Meeting, kelompok: Kelompok, today: date
) -> dict[str, object]:
    """Everything the meeting page shows: topic, roll, history, supervision; its fragments render from it too."""
    roll = roll_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today)
    topic, module = meeting_topic(session=session, meeting=meeting)
    return {
        **roll,
        "topic": topic,
        "module": module,
        "events": meeting_events(session=session, meeting_id=meeting.id or 0),
        "makeup": makeup_candidates(session=session, user=user, kelompok=kelompok, meeting=meeting)
        if roll["roll_open"]
        else [],
        "supervision": supervision_panel(session=session, user=user, meeting=meeting),
        "photos": meeting_photos(session=session, meeting_id=meeting.id or 0),
    }
