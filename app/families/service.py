"""Writing families and members: identity numbers checked, every change audited."""

import secrets
from collections.abc import Callable, Iterable

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.access import (
    family_require_editor,
    family_require_registrar,
    kelompok_require_registrar,
    transfer_can_receive,
)
from app.areas.queries import area_exists
from app.audit import audit_record, snapshot
from app.clock import today_local
from app.errors import RuleViolation
from app.families.forms import (
    ExitInput,
    FamilyCreateInput,
    FamilyInput,
    MemberEndInput,
    MemberInput,
    TransferInput,
    member_row_prefix,
)
from app.families.rules import date_check, kk_check, nik_check, nik_duplicates, number_clean
from app.graduation.service import readiness_refresh_families
from app.i18n import N_
from app.models import Family, FamilyStatus, FamilyTransfer, Kelompok, Member, Sex, User, utcnow
from app.versioning import row_insert_once, version_claim

MSG_NIK_TAKEN = N_("NIK ini sudah terdaftar pada anggota keluarga lain.")
MSG_KK_TAKEN = N_("No. KK ini sudah terdaftar pada KPM aktif lain.")
MSG_NOT_ACTIVE = N_("KPM ini sudah tidak aktif di PKH.")


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


def numbers_lock(*, session: Session, numbers: Iterable[str]) -> None:
    """Serialise writers of the same NIK / No. KK until commit, so a check-then-insert cannot let two through:
    a transaction advisory lock per number on PostgreSQL; SQLite writers already hold the one write lock."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for number in sorted({n for n in numbers if n.isascii() and n.isdigit() and len(n) <= 18}):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(number)})


def _nik_taken(*, session: Session, nik: str, member: Member | None = None) -> bool:
    """Whether an active member (other than `member`) already has this NIK; a member who left (married out,
    moved out) may join another family with the same NIK."""
    clash = session.exec(
        select(Member.id).where(
            Member.nik == nik,
            col(Member.active),
            col(Member.id) != (member.id if member else -1),
        )
    ).first()
    return clash is not None


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
        numbers_lock(session=session, numbers=[nik])
        if _nik_taken(session=session, nik=nik, member=member):
            raise RuleViolation(MSG_NIK_TAKEN, field="nik")
    if member is None and data.join_reason:
        problems = date_check(
            data.joined_on or today_local(),
            today=today_local(),
            not_before=[(data.birth_date, N_("tanggal lahir")), (family.enrolled_on, N_("tanggal terdaftar KPM"))],
        )
        if problems:
            raise RuleViolation(problems[0], field="joined_on")
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
            joined_on=data.joined_on if data.join_reason else None,
            join_reason=data.join_reason,
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


def _family_by_token(*, session: Session, form_token: str) -> Family | None:
    if not form_token:
        return None
    return session.exec(select(Family).where(Family.form_token == form_token)).first()


def _member_check(*, session: Session, data: MemberInput, field: str) -> str | None:
    """The member's cleaned NIK (None without one), refused when malformed or already someone else's."""
    if data.pregnant and data.sex != Sex.PEREMPUAN:
        raise RuleViolation(N_("Hanya anggota perempuan yang dapat ditandai hamil."), field=field + "pregnant")
    if not data.nik:
        return None
    problems = nik_check(data.nik, area_exists=_exists(session), sex=data.sex, birth_date=data.birth_date)
    if problems:
        raise RuleViolation(problems[0], field=field + "nik")
    nik = number_clean(data.nik)
    if _nik_taken(session=session, nik=nik):
        raise RuleViolation(MSG_NIK_TAKEN, field=field + "nik")
    return nik


def family_create(
    *, session: Session, user: User, kelompok: Kelompok, data: FamilyCreateInput, form_token: str = ""
) -> Family:
    """Enrol a KPM with its members in a kelompok (the family lives in the kelompok's village); the same form
    sent twice (same `form_token`) adds one family. NIK and No. KK are checked as the roster import checks them."""
    kelompok_require_registrar(user, kelompok)
    if not kelompok.active:
        raise RuleViolation(N_("Kelompok ini tidak aktif."), field="form")
    kk = number_clean(data.kk_number)
    niks = [number_clean(m.nik) for m in data.members if m.nik]
    numbers_lock(session=session, numbers=[kk, *niks])
    sent_before = _family_by_token(session=session, form_token=form_token)
    if sent_before is not None:
        return sent_before
    problems = kk_check(data.kk_number, area_exists=_exists(session))
    if problems:
        raise RuleViolation(problems[0], field="kk_number")
    taken = session.exec(select(Family.id).where(Family.kk_number == kk, Family.status == FamilyStatus.AKTIF)).first()
    if taken is not None:
        raise RuleViolation(MSG_KK_TAKEN, field="kk_number")
    twice = nik_duplicates([m.nik for m in data.members])
    if twice:
        raise RuleViolation(twice[0], field="form")
    checked = [
        _member_check(session=session, data=m, field=member_row_prefix(row)) for row, m in enumerate(data.members)
    ]
    programme_id = data.programme_id or f"KPM-{kk}-{secrets.token_hex(3)}"
    if session.exec(select(Family.id).where(Family.programme_id == programme_id)).first() is not None:
        raise RuleViolation(N_("ID PKH ini sudah dipakai KPM lain."), field="programme_id")
    family = Family(
        programme_id=programme_id,
        kk_number=kk,
        head_name=data.head_name,
        address=data.address,
        village_code=kelompok.village_code,
        kelompok_id=kelompok.id,
        enrolled_on=data.enrolled_on,
        form_token=form_token or None,
    )
    try:
        with session.begin_nested():
            session.add(family)
            session.flush()
    except IntegrityError:  # the same form sent twice at once: the other request added the family
        existing = _family_by_token(session=session, form_token=form_token)
        if existing is None:
            raise RuleViolation(N_("Formulir ini sudah pernah dipakai. Muat ulang halaman lalu coba lagi.")) from None
        return existing
    audit_record(
        session=session, user=user, entity="family", entity_id=family.id, action="create", after=snapshot(family)
    )
    for data_member, nik in zip(data.members, checked, strict=True):
        member = Member(
            family_id=family.id or 0,
            name=data_member.name,
            nik=nik,
            birth_date=data_member.birth_date,
            sex=data_member.sex,
            relationship=data_member.relationship,
            schooling=data_member.schooling,
            is_pengurus=data_member.is_pengurus,
            pregnant=data_member.pregnant,
            severe_disability=data_member.severe_disability,
            has_birth_certificate=data_member.has_birth_certificate,
        )
        session.add(member)
        session.flush()
        audit_record(
            session=session, user=user, entity="member", entity_id=member.id, action="create", after=snapshot(member)
        )
    readiness_refresh_families(session=session, family_ids=[family.id or 0], commit=False)
    session.commit()
    return family


def member_end(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok | None,
    family: Family,
    member: Member,
    data: MemberEndInput,
    version: int | None = None,
) -> Member:
    """End a member's membership (died, moved out, married out) from a date: the row stays, inactive."""
    family_require_registrar(user, family, kelompok)
    if not member.active:
        raise RuleViolation(N_("Keanggotaan anggota ini sudah berakhir."), field="form")
    problems = date_check(
        data.left_on,
        today=today_local(),
        not_before=[(member.birth_date, N_("tanggal lahir")), (member.joined_on, N_("tanggal bergabung"))],
    )
    if problems:
        raise RuleViolation(problems[0], field="left_on")
    before = snapshot(member)
    version_claim(session=session, record=member, version=version, entity="member")
    member.active, member.left_on, member.leave_reason = False, data.left_on, data.reason
    member.is_pengurus = False
    session.add(member)
    family.updated_at = utcnow()
    session.add(family)
    audit_record(
        session=session, user=user, entity="member", entity_id=member.id, action="end", before=before,
        after=snapshot(member),
    )  # fmt: skip
    readiness_refresh_families(session=session, family_ids=[family.id or 0], commit=False)
    session.commit()
    return member


def _last_transfer_on(*, session: Session, family: Family) -> FamilyTransfer | None:
    return session.exec(
        select(FamilyTransfer)
        .where(FamilyTransfer.family_id == family.id)
        .order_by(col(FamilyTransfer.transferred_on).desc(), col(FamilyTransfer.id).desc())
        .limit(1)
    ).first()


def family_transfer(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok | None,
    family: Family,
    target: Kelompok | None,
    data: TransferInput,
    version: int | None = None,
) -> FamilyTransfer:
    """Move an active KPM to another kelompok (and its village) from a date. Its attendance marks, completed
    sessions and assessments stay with the family; the rolls and counts of both kelompok change at once; both
    pendamping see the move on the family, and the audit log says who moved it and when."""
    family_require_registrar(user, family, kelompok)
    if target is None or not transfer_can_receive(user, target):
        raise RuleViolation(N_("Pilih kelompok tujuan dari daftar."), field="to_kelompok_id")
    if family.status != FamilyStatus.AKTIF:
        raise RuleViolation(MSG_NOT_ACTIVE, field="form")
    if target.id == family.kelompok_id:
        raise RuleViolation(N_("KPM sudah berada di kelompok ini."), field="to_kelompok_id")
    last = _last_transfer_on(session=session, family=family)
    problems = date_check(
        data.transferred_on,
        today=today_local(),
        not_before=[
            (family.enrolled_on, N_("tanggal terdaftar KPM")),
            (last.transferred_on if last else None, N_("pindah kelompok terakhir")),
        ],
    )
    if problems:
        raise RuleViolation(problems[0], field="transferred_on")
    before = snapshot(family)
    version_claim(session=session, record=family, version=version, entity="family")
    move = FamilyTransfer(
        family_id=family.id or 0,
        from_kelompok_id=family.kelompok_id,
        to_kelompok_id=target.id or 0,
        transferred_on=data.transferred_on,
        reason=data.reason,
        user_id=user.id,
    )
    family.kelompok_id, family.village_code, family.updated_at = target.id, target.village_code, utcnow()
    session.add_all([family, move])
    session.flush()
    audit_record(
        session=session, user=user, entity="family", entity_id=family.id, action="transfer", before=before,
        after={**(snapshot(family) or {}), "transfer_id": move.id, "transferred_on": data.transferred_on.isoformat()},
    )  # fmt: skip
    readiness_refresh_families(session=session, family_ids=[family.id or 0], commit=False)
    session.commit()
    return move


def family_exit(
    *,
    session: Session,
    user: User,
    kelompok: Kelompok | None,
    family: Family,
    data: ExitInput,
    version: int | None = None,
) -> Family:
    """Take an active KPM out of PKH (not a graduation) from a date, with a reason: it stays readable, and leaves
    the rolls and counts, which list active families only."""
    family_require_registrar(user, family, kelompok)
    if family.status != FamilyStatus.AKTIF:
        raise RuleViolation(MSG_NOT_ACTIVE, field="form")
    problems = date_check(
        data.exited_on, today=today_local(), not_before=[(family.enrolled_on, N_("tanggal terdaftar KPM"))]
    )
    if problems:
        raise RuleViolation(problems[0], field="exited_on")
    before = snapshot(family)
    version_claim(session=session, record=family, version=version, entity="family")
    family.status, family.exited_on = FamilyStatus.KELUAR, data.exited_on
    family.exit_reason, family.exit_note, family.updated_at = data.reason, data.note, utcnow()
    session.add(family)
    audit_record(
        session=session, user=user, entity="family", entity_id=family.id, action="exit", before=before,
        after=snapshot(family),
    )  # fmt: skip
    readiness_refresh_families(session=session, family_ids=[family.id or 0], commit=False)
    session.commit()
    return family
