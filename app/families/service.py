"""Writing families and members: identity numbers checked, every change audited."""

from collections.abc import Callable

from sqlmodel import Session, col, select

from app.access import family_require_editor
from app.areas.queries import area_exists
from app.audit import audit_record, snapshot
from app.errors import RuleViolation
from app.families.forms import FamilyInput, MemberInput
from app.graduation.service import readiness_refresh_families
from app.i18n import N_
from app.identity.rules import kk_check, nik_check, number_clean
from app.models import Family, Kelompok, Member, Sex, User, utcnow
from app.versioning import row_insert_once, version_claim


def _exists(session: Session) -> Callable[[str], bool]:
    return lambda code: area_exists(session=session, code=code)


def _member_fields(source: Member | MemberInput, *, nik: str | None = None) -> tuple[object, ...]:
    return (
        source.name,
        source.nik if isinstance(source, Member) else nik,
        source.birth_date,
        source.sex,
        source.relationship,
        source.schooling,
        source.is_pengurus,
        source.pregnant,
        source.severe_disability,
        source.has_birth_certificate,
    )


def _member_by_token(*, session: Session, family: Family, form_token: str) -> Member | None:
    if not form_token:
        return None
    return session.exec(select(Member).where(Member.form_token == form_token, Member.family_id == family.id)).first()


def family_update(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok | None,
    family: Family,
    data: FamilyInput,
    version: int | None = None,
) -> Family:
    """Save the family form made from `version`; the same form sent twice changes nothing the second time."""
    family_require_editor(user, family, kelompok)
    problems = kk_check(data.kk_number, area_exists=_exists(session))
    if problems:
        raise RuleViolation(problems[0], field="kk_number")
    wanted = (data.head_name, number_clean(data.kk_number), data.address)
    if (family.head_name, family.kk_number, family.address) == wanted:
        return family
    before = snapshot(family)
    version_claim(session=session, record=family, version=version, entity="family")
    family.head_name, family.kk_number, family.address = wanted
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
    version: int | None = None,
    form_token: str = "",
) -> Member:
    """Create (member None) or update a member; the NIK must be structurally valid and not used elsewhere.
    An update names the version it was made from; a create form sent twice (same `form_token`) adds one member."""
    family_require_editor(user, family, kelompok)
    if member is None and form_token:
        sent_before = _member_by_token(session=session, family=family, form_token=form_token)
        if sent_before is not None:
            return sent_before
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
    if data.pregnant and data.sex != Sex.PEREMPUAN:
        raise RuleViolation(N_("Hanya anggota perempuan yang dapat ditandai hamil."), field="pregnant")
    if member is not None:
        if _member_fields(member) == _member_fields(data, nik=nik):
            return member
        before = snapshot(member)
        version_claim(session=session, record=member, version=version, entity="member")
    else:
        before = None
    if member is None:
        member = Member(
            family_id=family.id or 0,
            name=data.name,
            birth_date=data.birth_date,
            sex=data.sex,
            relationship=data.relationship,
            form_token=form_token or None,
        )
    member.name, member.nik, member.birth_date, member.sex = data.name, nik, data.birth_date, data.sex
    member.relationship, member.schooling, member.is_pengurus = data.relationship, data.schooling, data.is_pengurus
    member.pregnant, member.severe_disability = data.pregnant, data.severe_disability
    member.has_birth_certificate = data.has_birth_certificate
    stored = row_insert_once(
        session=session,
        row=member,
        sent_before=lambda: _member_by_token(session=session, family=family, form_token=form_token),
    )
    if stored is not member:  # the same create form, sent twice at once: the other request added the member
        return stored
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
