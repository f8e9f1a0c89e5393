"""Reading the monthly P2K2 report of a pendamping: each kelompok's held meetings of a month, the roll per KPM
with the pengurus' NIK, the photos. A handful of queries for the whole report, whatever its size."""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from app.access import kelompok_clause, nik_visible
from app.errors import NotFound
from app.i18n import N_
from app.meetings.rules import add_months
from app.models import (
    Area,
    Attendance,
    AttendanceStatus,
    CurriculumModule,
    Family,
    FamilyStatus,
    Kelompok,
    Meeting,
    MeetingPhoto,
    MeetingStatus,
    Member,
    Role,
    Topic,
    User,
)

# Photos printed per meeting: the page must stay one A4 sheet per kelompok.
PHOTOS_PRINTED = 3


@dataclass
class ReportMeeting:
    meeting: Meeting
    topic: Topic
    module: CurriculumModule
    photos: list[MeetingPhoto] = field(default_factory=list)


@dataclass
class ReportRow:
    family: Family
    nik: str | None
    marks: list[Attendance | None]  # one per meeting of the kelompok's report, in order


@dataclass
class KelompokReport:
    kelompok: Kelompok
    village: str
    meetings: list[ReportMeeting]
    rows: list[ReportRow]
    show_nik: bool

    def present(self, index: int) -> int:
        """KPM hadir at the meeting at `index`."""
        return sum(
            1 for r in self.rows if (mark := r.marks[index]) is not None and mark.status == AttendanceStatus.HADIR
        )


@dataclass
class MonthlyReport:
    pendamping: User
    month: date
    groups: list[KelompokReport]


def report_pendamping_options(*, session: Session, user: User) -> list[User]:
    """The pendamping whose report this user may read: themselves, or those with a kelompok in the user's scope."""
    if user.role == Role.PENDAMPING:
        return [user]
    owners = select(Kelompok.pendamping_id).where(kelompok_clause(user), col(Kelompok.pendamping_id).is_not(None))
    return list(
        session.exec(
            select(User).where(col(User.id).in_(owners), User.role == Role.PENDAMPING).order_by(col(User.full_name))
        ).all()
    )


def monthly_report(*, session: Session, user: User, pendamping_id: int, month: date) -> MonthlyReport:
    """The report of one pendamping for one month: only kelompok the user may see (else NotFound)."""
    pendamping = session.get(User, pendamping_id)
    if pendamping is None or pendamping.role != Role.PENDAMPING:
        raise NotFound(N_("Pendamping tidak ditemukan."))
    if user.role == Role.PENDAMPING and pendamping.id != user.id:
        raise NotFound(N_("Pendamping tidak ditemukan."))
    groups = list(
        session.exec(
            select(Kelompok)
            .where(Kelompok.pendamping_id == pendamping_id, kelompok_clause(user))
            .order_by(col(Kelompok.name), col(Kelompok.id))
        ).all()
    )
    if not groups and user.id != pendamping.id:
        raise NotFound(N_("Pendamping tidak ditemukan."))
    ids = [k.id or 0 for k in groups]
    meetings = _meetings(session=session, kelompok_ids=ids, month=month)
    meeting_ids = [m.meeting.id or 0 for m in meetings]
    marks = _marks(session=session, meeting_ids=meeting_ids)
    families = _families(session=session, kelompok_ids=ids, marked={a.family_id for a in marks.values()})
    niks = _pengurus_nik(session=session, family_ids=[f.id or 0 for f in families])
    villages = dict(
        session.exec(select(Area.code, Area.name).where(col(Area.code).in_({k.village_code for k in groups}))).all()
    )
    out = []
    for kelompok in groups:
        own = [m for m in meetings if m.meeting.kelompok_id == kelompok.id]
        marked = {f for m in own for (meeting_id, f) in marks if meeting_id == m.meeting.id}
        rows = [
            ReportRow(
                family=f,
                nik=niks.get(f.id or 0),
                marks=[marks.get((m.meeting.id or 0, f.id or 0)) for m in own],
            )
            for f in families
            if (f.kelompok_id == kelompok.id and f.status == FamilyStatus.AKTIF) or f.id in marked
        ]
        out.append(
            KelompokReport(
                kelompok=kelompok,
                village=villages.get(kelompok.village_code, kelompok.village_code),
                meetings=own,
                rows=rows,
                show_nik=nik_visible(user, kelompok),
            )
        )
    return MonthlyReport(pendamping=pendamping, month=month, groups=out)


def _meetings(*, session: Session, kelompok_ids: list[int], month: date) -> list[ReportMeeting]:
    if not kelompok_ids:
        return []
    rows = session.exec(
        select(Meeting, Topic, CurriculumModule)
        .join(Topic, col(Topic.id) == Meeting.topic_id)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .where(
            col(Meeting.kelompok_id).in_(kelompok_ids),
            Meeting.status == MeetingStatus.HELD,
            col(Meeting.date) >= month,
            col(Meeting.date) < add_months(month, 1),
        )
        .order_by(col(Meeting.date), col(Meeting.start_time), col(Meeting.id))
    ).all()
    found = [ReportMeeting(meeting=m, topic=t, module=mod) for m, t, mod in rows]
    by_id = {m.meeting.id: m for m in found}
    if by_id:
        photos = session.exec(
            select(MeetingPhoto).where(col(MeetingPhoto.meeting_id).in_(list(by_id))).order_by(col(MeetingPhoto.id))
        ).all()
        for photo in photos:
            target = by_id[photo.meeting_id]
            if len(target.photos) < PHOTOS_PRINTED:
                target.photos.append(photo)
    return found


def _marks(*, session: Session, meeting_ids: list[int]) -> dict[tuple[int, int], Attendance]:
    if not meeting_ids:
        return {}
    rows = session.exec(select(Attendance).where(col(Attendance.meeting_id).in_(meeting_ids))).all()
    return {(a.meeting_id, a.family_id): a for a in rows}


def _families(*, session: Session, kelompok_ids: list[int], marked: set[int]) -> list[Family]:
    if not kelompok_ids:
        return []
    own = select(Family).where(col(Family.kelompok_id).in_(kelompok_ids))
    found = {f.id: f for f in session.exec(own).all()}
    missing = [i for i in marked if i not in found]
    if missing:
        found.update({f.id: f for f in session.exec(select(Family).where(col(Family.id).in_(missing))).all()})
    return sorted(found.values(), key=lambda f: (f.head_name, f.id or 0))


def _pengurus_nik(*, session: Session, family_ids: list[int]) -> dict[int, str | None]:
    """The NIK of each family's pengurus (who attends P2K2), else of its first member with one."""
    if not family_ids:
        return {}
    rows = session.exec(
        select(Member.family_id, Member.nik, Member.is_pengurus)
        .where(col(Member.family_id).in_(family_ids), col(Member.active))
        .order_by(col(Member.is_pengurus).desc(), col(Member.id))
    ).all()
    niks: dict[int, str | None] = {}
    for family_id, nik, _pengurus in rows:
        if nik and family_id not in niks:
            niks[family_id] = nik
    return niks
