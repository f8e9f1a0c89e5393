"""Writing families and members: identity numbers checked, every change audited."""

from sqlmodel import Session, col, select

from app.access import kelompok_require_editor
from app.areas.queries import area_exists
from app.audit import audit_record, snapshot
from app.errors import RuleViolation
from app.families.forms import FamilyInput, MemberInput
from app.graduation.service import readiness_refresh_families
from app.i18n import N_
from app.identity.rules import kk_check, nik_check, number_clean
from app.models import Family, Kelompok, Member, User, utcnow


def _exists(session: Session):  # type: ignore[no-untyped-def]
    return lambda code: area_exists(session=session, code=code)


def family_update(
    *, session: Session, user: User, kelompok: Kelompok | None, family: Family, data: FamilyInput
) -> Family:
    if kelompok is not None:
        kelompok_require_editor(user, kelompok)
    problems = kk_check(data.kk_number, area_exists=_exists(session))
    if problems:
        raise RuleViolation(problems[0], field="kk_number")
    before = snapshot(family)
    family.head_name, family.kk_number, family.address = data.head_name, number_clean(data.kk_number), data.address
    family.updated_at = utcnow()
    session.add(family)
    audit_record(
        session=session,
        user=user,
        entity="family",
        entity_id=family.id,
        action="update",
        before=before,
        after=snapshot(family),
    )
    session.commit()
    return family


def member_save(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok | None,
    family: Family,
    data: MemberInput,
    member: Member | None = None,
) -> Member:
    """Create (member None) or update a member; the NIK must be structurally valid and not used elsewhere."""
    if kelompok is not None:
        kelompok_require_editor(user, kelompok)
    nik = None
    if data.nik:
        problems = nik_check(data.nik, area_exists=_exists(session), sex=data.sex, birth_date=data.birth_date)
        if problems:
            raise RuleViolation(problems[0], field="nik")
        nik = number_clean(data.nik)
        clash = session.exec(
            select(Member.id).where(Member.nik == nik, col(Member.id) != (member.id if member else -1))
        ).first()
        if clash is not None:
            raise RuleViolation(N_("NIK ini sudah terdaftar pada anggota keluarga lain."), field="nik")
    if data.pregnant and data.sex != "P":
        raise RuleViolation(N_("Hanya anggota perempuan yang dapat ditandai hamil."), field="pregnant")
    before = snapshot(member)
    if member is None:
        member = Member(
            family_id=family.id or 0,
            name=data.name,
            birth_date=data.birth_date,
            sex=data.sex,
            relationship=data.relationship,
        )
    member.name, member.nik, member.birth_date, member.sex = data.name, nik, data.birth_date, data.sex
    member.relationship, member.schooling, member.is_pengurus = data.relationship, data.schooling, data.is_pengurus
    member.pregnant, member.severe_disability = data.pregnant, data.severe_disability
    member.has_birth_certificate = data.has_birth_certificate
    session.add(member)
    session.flush()
    family.updated_at = utcnow()
    session.add(family)
    audit_record(
        session=session,
        user=user,
        entity="member",
        entity_id=member.id,
        action="create" if before is None else "update",
        before=before,
        after=snapshot(member),
    )
    readiness_refresh_families(session=session, family_ids=[family.id or 0], commit=False)
    session.commit()
    return member
