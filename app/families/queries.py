"""Reading one family: members with components, attendance history, sessions still to make up."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access import family_can_edit, transfer_target_clause
from app.assessments.forms import KINDS
from app.assessments.queries import domain_trends, domains_list, family_assessments
from app.assessments.scores import sparkline_points
from app.curriculum.queries import TopicRef, topics_active
from app.db import rows_select
from app.errors import NotFound
from app.graduation.labels import LABELS
from app.graduation.queries import family_graduation_panel
from app.graduation.rules import MemberFacts, age_on, member_components
from app.i18n import N_
from app.kelompok.queries import completions, topics_by_status
from app.models import (
    Area,
    Attendance,
    CurriculumModule,
    Family,
    FamilyTransfer,
    Kelompok,
    Meeting,
    MeetingStatus,
    Member,
    Topic,
    User,
)

TRANSFER_TARGETS_MAX = 500


@dataclass
class MemberView:
    member: Member
    age: int
    components: list[str]


@dataclass
class AttendanceLine:
    meeting: Meeting
    topic: Topic
    module: CurriculumModule
    kelompok: Kelompok
    attendance: Attendance


def member_facts(member: Member) -> MemberFacts:
    return MemberFacts(
        birth_date=member.birth_date,
        schooling=member.schooling,
        pregnant=member.pregnant,
        severe_disability=member.severe_disability,
        active=member.active,
    )


def family_members(*, session: Session, family_id: int, today: date) -> list[MemberView]:
    members = session.exec(
        select(Member)
        .where(Member.family_id == family_id)
        .order_by(col(Member.is_pengurus).desc(), col(Member.birth_date))
    ).all()
    return [
        MemberView(
            member=m, age=age_on(m.birth_date, today), components=member_components(member_facts(m), today=today)
        )
        for m in members
    ]


def family_attendance(*, session: Session, family_id: int) -> list[AttendanceLine]:
    rows = session.exec(
        rows_select(Attendance, Meeting, Topic, CurriculumModule, Kelompok)
        .join(Meeting, col(Meeting.id) == Attendance.meeting_id)
        .join(Topic, col(Topic.id) == Meeting.topic_id)
        .join(CurriculumModule, col(CurriculumModule.id) == Topic.module_id)
        .join(Kelompok, col(Kelompok.id) == Meeting.kelompok_id)
        .where(Attendance.family_id == family_id)
        .order_by(col(Meeting.date).desc())
    ).all()
    return [AttendanceLine(attendance=a, meeting=m, topic=t, module=mod, kelompok=k) for a, m, t, mod, k in rows]


def family_makeup_needed(*, session: Session, family: Family) -> list[TopicRef]:
    """Core sessions the family's kelompok has held that the family has not completed anywhere."""
    if family.kelompok_id is None:
        return []
    held = topics_by_status(session=session, kelompok_id=family.kelompok_id, status=MeetingStatus.HELD)
    done = {t for _, t in completions(session=session, family_ids=[family.id or 0])}
    return [t for t in topics_active(session=session, core_only=True) if t.id in held and t.id not in done]


def family_completed_count(*, session: Session, family: Family) -> tuple[int, int]:
    core = topics_active(session=session, core_only=True)
    done = {t for _, t in completions(session=session, family_ids=[family.id or 0])}
    return sum(1 for t in core if t.id in done), len(core)


def family_page_extras(
    *, session: Session, user: User, family: Family, kelompok: Kelompok | None, today: date
) -> dict[str, Any]:
    """What the family page shows for issue 3: verdict, proposals, assessments and domain trends."""
    assessments = family_assessments(session=session, family_id=family.id or 0)
    can_record = family_can_edit(user, family, kelompok)
    return {
        "graduation": family_graduation_panel(
            session=session, user=user, family=family, kelompok=kelompok, today=today
        ),
        "assessments": assessments,
        "assessment_kinds": KINDS,
        "can_record": can_record,
        "trends": domain_trends(summaries=assessments, domains=domains_list(session=session)),
        "sparkline": sparkline_points,
        "graduation_labels": LABELS,
    }


def member_get(*, session: Session, family: Family, member_id: int) -> Member:
    """One member of this family (a member id of another family is not found)."""
    member = session.exec(select(Member).where(Member.id == member_id, Member.family_id == family.id)).first()
    if member is None:
        raise NotFound(N_("Anggota keluarga tidak ditemukan."))
    return member


@dataclass
class TransferLine:
    transfer: FamilyTransfer
    from_name: str
    to_name: str
    by_name: str


def family_transfers(*, session: Session, family_id: int) -> list[TransferLine]:
    """The family's moves between kelompok, newest first, with the kelompok names and who moved it."""
    source, target = aliased(Kelompok), aliased(Kelompok)
    rows = session.exec(
        rows_select(FamilyTransfer, source.name, target.name, User.full_name)
        .join(source, col(source.id) == FamilyTransfer.from_kelompok_id, isouter=True)
        .join(target, col(target.id) == FamilyTransfer.to_kelompok_id)
        .join(User, col(User.id) == FamilyTransfer.user_id, isouter=True)
        .where(FamilyTransfer.family_id == family_id)
        .order_by(col(FamilyTransfer.transferred_on).desc(), col(FamilyTransfer.id).desc())
    ).all()
    return [TransferLine(transfer=t, from_name=f or "–", to_name=to, by_name=by or "–") for t, f, to, by in rows]


def transfer_targets(*, session: Session, user: User, family: Family) -> list[tuple[Kelompok, str]]:
    """The kelompok this user may move the family into, with their village names, by name."""
    rows = session.exec(
        rows_select(Kelompok, Area.name)
        .join(Area, col(Area.code) == Kelompok.village_code)
        .where(transfer_target_clause(user), col(Kelompok.id) != (family.kelompok_id or 0))
        .order_by(col(Kelompok.name), col(Kelompok.id))
        .limit(TRANSFER_TARGETS_MAX)
    ).all()
    return [(k, village) for k, village in rows]


def kelompok_transfers_recent(*, session: Session, kelompok_id: int, limit: int = 10) -> list[TransferLine]:
    """The latest KPM moved into or out of a kelompok, for its page (both pendamping see the move)."""
    source, target = aliased(Kelompok), aliased(Kelompok)
    rows = session.exec(
        rows_select(FamilyTransfer, source.name, target.name, User.full_name)
        .join(source, col(source.id) == FamilyTransfer.from_kelompok_id, isouter=True)
        .join(target, col(target.id) == FamilyTransfer.to_kelompok_id)
        .join(User, col(User.id) == FamilyTransfer.user_id, isouter=True)
        .where(
            (col(FamilyTransfer.from_kelompok_id) == kelompok_id) | (col(FamilyTransfer.to_kelompok_id) == kelompok_id)
        )
        .order_by(col(FamilyTransfer.at).desc(), col(FamilyTransfer.id).desc())
        .limit(limit)
    ).all()
    return [TransferLine(transfer=t, from_name=f or "–", to_name=to, by_name=by or "–") for t, f, to, by in rows]
