"""Reading one family: members with components, attendance history, sessions still to make up."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.access import family_can_edit
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
from app.models import Attendance, CurriculumModule, Family, Kelompok, Meeting, MeetingStatus, Member, Topic, User


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
