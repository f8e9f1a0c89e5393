"""Writes of complementary aid: programmes received and ended, the house's livability, aid applications and their
decision, the programme catalogue. Every change is audited in the transaction that makes it."""

from datetime import date
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.access import aid_require_decider, aid_require_editor, require_role
from app.aid.forms import ApplicationInput, DecisionInput, EndInput, ProgrammeInput, ReceiptInput
from app.aid.queries import programme_by_code, programme_ref
from app.aid.rules import PROGRAMME_ID_MAX, decision_check, holder_key, programme_in_force, programme_mask
from app.audit import audit_record, snapshot
from app.clock import today_local
from app.errors import NotFound, RuleViolation
from app.i18n import N_
from app.models import (
    AidApplication,
    AidApplicationStatus,
    AidProgramme,
    AidReceipt,
    AidTarget,
    Family,
    Kelompok,
    Member,
    Role,
    User,
    utcnow,
)


def _held_mark(*, session: Session, receipt: AidReceipt, held: bool) -> None:
    """Set (or clear) the programme's bit on its holder in one statement: the stored twin of the open receipts
    that the gap counts read (one open receipt per holder and programme, so clearing on end is exact)."""
    bit = programme_mask([receipt.programme_id])
    model: type[Member] | type[Family] = Member if receipt.member_id is not None else Family
    holder = receipt.member_id if receipt.member_id is not None else receipt.family_id
    column = col(model.aid_held)
    value = column.op("|")(bit) if held else column - column.op("&")(bit)
    session.exec(
        update(model).where(col(model.id) == holder).values(aid_held=value).execution_options(synchronize_session=False)
    )


def aid_held_recount(*, session: Session) -> tuple[dict[str, Any], dict[str, Any]]:
    """The aid_held of a family and of a member, recounted from the open receipts (correlated to its row)."""
    ids = [p for p in session.exec(select(AidProgramme.id)).all() if p is not None and p <= PROGRAMME_ID_MAX]
    bit = case({p: programme_mask([p]) for p in ids}, value=col(AidReceipt.programme_id), else_=0) if ids else 0
    open_ = col(AidReceipt.ended_on).is_(None)
    member_bits = (
        select(func.coalesce(func.sum(bit), 0))
        .where(col(AidReceipt.member_id) == Member.id, open_)
        .correlate(Member)
        .scalar_subquery()
    )
    family_bits = (
        select(func.coalesce(func.sum(bit), 0))
        .where(col(AidReceipt.family_id) == Family.id, col(AidReceipt.member_id).is_(None), open_)
        .correlate(Family)
        .scalar_subquery()
    )
    return {"aid_held": family_bits}, {"aid_held": member_bits}


def aid_held_refresh(
    *, session: Session, family_ids: list[int] | None = None, member_ids: list[int] | None = None
) -> None:
    """Store the recount for these families and members (all when both are None: after a bulk load)."""
    family_bits, member_bits = aid_held_recount(session=session)
    every = family_ids is None and member_ids is None
    if every or family_ids:
        families = update(Family).values(aid_held=family_bits["aid_held"])
        if not every:
            families = families.where(col(Family.id).in_(family_ids or []))
        session.exec(families.execution_options(synchronize_session=False))
    if every or member_ids:
        members = update(Member).values(aid_held=member_bits["aid_held"])
        if not every:
            members = members.where(col(Member.id).in_(member_ids or []))
        session.exec(members.execution_options(synchronize_session=False))


def _holder_check(*, programme: AidProgramme, member: Member | None) -> None:
    if programme.target == AidTarget.ANGGOTA and member is None:
        raise RuleViolation(N_("Program ini diberikan per anggota: pilih anggota keluarga."), field="member_id")
    if programme.target == AidTarget.KELUARGA and member is not None:
        raise RuleViolation(N_("Program ini diberikan per keluarga: pilih seluruh keluarga."), field="member_id")


def _member_of(*, session: Session, family: Family, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = session.exec(
        select(Member).where(Member.id == member_id, Member.family_id == family.id, col(Member.active).is_(True))
    ).first()
    if member is None:
        raise RuleViolation(N_("Anggota tidak ditemukan di keluarga ini."), field="member_id")
    return member


def _programme_usable(*, session: Session, programme_id: int, today: date) -> AidProgramme:
    programme = session.get(AidProgramme, programme_id)
    if programme is None or not programme_in_force(programme_ref(programme), today):
        raise RuleViolation(N_("Program tidak dikenal atau tidak berlaku lagi."), field="programme_id")
    return programme


def _open_receipt(*, session: Session, key: str) -> AidReceipt | None:
    return session.exec(select(AidReceipt).where(AidReceipt.open_key == key)).first()


def _receipt_add(
    *,
    session: Session,
    actor: User | None,
    family: Family,
    member: Member | None,
    programme: AidProgramme,
    since: date,
    source: str,
) -> AidReceipt:
    """The family or member receives the programme from `since`; already receiving it, the open receipt stays."""
    if since > today_local():
        raise RuleViolation(N_("Tanggal tidak boleh di masa depan."), field="since")
    _holder_check(programme=programme, member=member)
    key = holder_key(programme_id=programme.id or 0, family_id=family.id or 0, member_id=member.id if member else None)
    existing = _open_receipt(session=session, key=key)
    if existing is not None:
        return existing
    receipt = AidReceipt(
        family_id=family.id or 0,
        member_id=member.id if member else None,
        programme_id=programme.id or 0,
        since=since,
        source=source[:120],
        open_key=key,
        created_by_id=actor.id if actor else None,
    )
    try:
        with session.begin_nested():
            session.add(receipt)
            session.flush()
    except IntegrityError:  # the same programme added at once by another request: theirs stands
        existing = _open_receipt(session=session, key=key)
        if existing is None:
            raise
        return existing
    _held_mark(session=session, receipt=receipt, held=True)
    audit_record(
        session=session,
        user=actor,
        entity="aid_receipt",
        entity_id=receipt.id,
        action="create",
        after=snapshot(receipt),
    )
    return receipt


def aid_programme_set(
    *,
    session: Session,
    family_id: int | None = None,
    member_id: int | None = None,
    programme_code: str,
    since: date,
    source: str,
    actor: User | None,
    commit: bool = True,
) -> AidReceipt:
    """Record that a family (or one member) receives a programme of the catalogue, by its code: for callers such as
    the roster import, which check access themselves. Idempotent: an open receipt of the same holder stays."""
    member = session.get(Member, member_id) if member_id is not None else None
    if member_id is not None and member is None:
        raise NotFound(N_("Anggota keluarga tidak ditemukan."))
    family = session.get(Family, member.family_id if member else family_id or 0)
    if family is None:
        raise NotFound(N_("Keluarga (KPM) tidak ditemukan."))
    programme = programme_by_code(session=session, code=programme_code.strip().upper())
    if programme is None:
        raise RuleViolation(N_("Kode program tidak dikenal: %(code)s."), field="programme_id", code=programme_code[:32])
    receipt = _receipt_add(
        session=session, actor=actor, family=family, member=member, programme=programme, since=since, source=source
    )
    if commit:
        session.commit()
    return receipt


def receipt_add(
    *, session: Session, user: User, family: Family, kelompok: Kelompok | None, data: ReceiptInput
) -> AidReceipt:
    aid_require_editor(user, family, kelompok)
    programme = _programme_usable(session=session, programme_id=data.programme_id, today=today_local())
    member = _member_of(session=session, family=family, member_id=data.member_id)
    if _open_receipt(
        session=session,
        key=holder_key(programme_id=programme.id or 0, family_id=family.id or 0, member_id=data.member_id),
    ):
        raise RuleViolation(N_("Program ini sudah tercatat diterima."), field="programme_id")
    receipt = _receipt_add(
        session=session,
        actor=user,
        family=family,
        member=member,
        programme=programme,
        since=data.since,
        source=data.source,
    )
    session.commit()
    return receipt


def receipt_end(
    *, session: Session, user: User, family: Family, kelompok: Kelompok | None, receipt: AidReceipt, data: EndInput
) -> AidReceipt:
    """The programme stopped: ended on a date, the history kept; a second end is refused."""
    aid_require_editor(user, family, kelompok)
    if data.ended_on < receipt.since:
        raise RuleViolation(N_("Tanggal berakhir tidak boleh sebelum tanggal mulai."), field="ended_on")
    before = snapshot(receipt)
    result = session.exec(
        update(AidReceipt)
        .where(col(AidReceipt.id) == receipt.id, col(AidReceipt.ended_on).is_(None))
        .values(ended_on=data.ended_on, end_note=data.note, open_key=None, ended_by_id=user.id, ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise RuleViolation(N_("Program ini sudah diakhiri."), field="ended_on")
    _held_mark(session=session, receipt=receipt, held=False)
    session.refresh(receipt)
    audit_record(
        session=session,
        user=user,
        entity="aid_receipt",
        entity_id=receipt.id,
        action="end",
        before=before,
        after=snapshot(receipt),
    )
    session.commit()
    return receipt


def house_livable_set(
    *, session: Session, user: User, family: Family, kelompok: Kelompok | None, livable: bool | None
) -> Family:
    aid_require_editor(user, family, kelompok)
    if family.house_livable is livable:
        return family
    before = {"house_livable": family.house_livable}
    session.exec(
        update(Family)
        .where(col(Family.id) == family.id)
        .values(house_livable=livable, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.refresh(family)
    audit_record(
        session=session,
        user=user,
        entity="family",
        entity_id=family.id,
        action="house_livable",
        before=before,
        after={"house_livable": livable},
    )
    session.commit()
    return family


def _application_by_token(*, session: Session, family: Family, form_token: str) -> AidApplication | None:
    return session.exec(
        select(AidApplication).where(AidApplication.form_token == form_token, AidApplication.family_id == family.id)
    ).first()


def application_file(
    *,
    session: Session,
    user: User,
    family: Family,
    kelompok: Kelompok | None,
    data: ApplicationInput,
    form_token: str = "",
) -> AidApplication:
    """A new application, status diajukan. The same form sent twice (same `form_token`) files one."""
    aid_require_editor(user, family, kelompok)
    if form_token:
        sent_before = _application_by_token(session=session, family=family, form_token=form_token)
        if sent_before is not None:
            return sent_before
    programme = _programme_usable(session=session, programme_id=data.programme_id, today=today_local())
    member = _member_of(session=session, family=family, member_id=data.member_id)
    _holder_check(programme=programme, member=member)
    if data.submitted_on > today_local():
        raise RuleViolation(N_("Tanggal tidak boleh di masa depan."), field="submitted_on")
    key = holder_key(programme_id=programme.id or 0, family_id=family.id or 0, member_id=data.member_id)
    if _open_receipt(session=session, key=key) is not None:
        raise RuleViolation(N_("Program ini sudah diterima; tidak perlu diajukan."), field="programme_id")
    waiting = session.exec(
        select(AidApplication.id).where(
            AidApplication.family_id == family.id,
            AidApplication.programme_id == programme.id,
            AidApplication.member_id == data.member_id if data.member_id else col(AidApplication.member_id).is_(None),
            AidApplication.status == AidApplicationStatus.DIAJUKAN,
        )
    ).first()
    if waiting is not None:
        raise RuleViolation(N_("Sudah ada permohonan program ini yang menunggu keputusan."), field="programme_id")
    application = AidApplication(
        family_id=family.id or 0,
        member_id=data.member_id,
        programme_id=programme.id or 0,
        submitted_on=data.submitted_on,
        note=data.note,
        submitted_by_id=user.id,
        form_token=form_token or None,
    )
    try:
        with session.begin_nested():
            session.add(application)
            session.flush()
    except IntegrityError:
        sent_before = _application_by_token(session=session, family=family, form_token=form_token)
        if sent_before is None:
            raise RuleViolation(N_("Formulir ini sudah pernah dipakai. Muat ulang halaman lalu coba lagi.")) from None
        return sent_before
    audit_record(
        session=session,
        user=user,
        entity="aid_application",
        entity_id=application.id,
        action="create",
        after=snapshot(application),
    )
    session.commit()
    return application


def application_decide(
    *,
    session: Session,
    user: User,
    application: AidApplication,
    family: Family,
    kelompok: Kelompok | None,
    data: DecisionInput,
) -> AidApplication:
    """Grant or refuse, once: the status moves in one `UPDATE … WHERE status = diajukan`, so of two decisions sent
    at once one wins and the other is told. A grant adds the programme to the family or member."""
    aid_require_decider(user, family, kelompok)
    problem = decision_check(submitted_on=application.submitted_on, decided_on=data.decided_on, today=today_local())
    if problem:
        raise RuleViolation(problem, field="decided_on")
    before = snapshot(application)
    result = session.exec(
        update(AidApplication)
        .where(col(AidApplication.id) == application.id, col(AidApplication.status) == AidApplicationStatus.DIAJUKAN)
        .values(
            status=data.decision,
            decided_on=data.decided_on,
            decision_note=data.note,
            decided_by_id=user.id,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise RuleViolation(N_("Permohonan ini sudah diputuskan."), field="decision")
    if data.decision == AidApplicationStatus.DIKABULKAN:
        programme = session.get(AidProgramme, application.programme_id)
        member = session.get(Member, application.member_id) if application.member_id else None
        if programme is None:
            raise NotFound(N_("Program tidak ditemukan."))
        receipt = _receipt_add(
            session=session,
            actor=user,
            family=family,
            member=member,
            programme=programme,
            since=data.decided_on,
            source=f"Permohonan bantuan #{application.id}",
        )
        session.exec(
            update(AidApplication)
            .where(col(AidApplication.id) == application.id)
            .values(receipt_id=receipt.id)
            .execution_options(synchronize_session=False)
        )
    session.refresh(application)
    audit_record(
        session=session,
        user=user,
        entity="aid_application",
        entity_id=application.id,
        action=str(data.decision),
        before=before,
        after=snapshot(application),
    )
    session.commit()
    return application


# --- the catalogue (admin) ---


def programme_add(*, session: Session, user: User, data: ProgrammeInput) -> AidProgramme:
    require_role(user, Role.ADMIN)
    if programme_by_code(session=session, code=data.code) is not None:
        raise RuleViolation(N_("Kode program ini sudah dipakai."), field="code")
    row = AidProgramme(
        code=data.code, name=data.name, target=data.target, gap=data.gap, effective_from=data.effective_from
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
            if (row.id or 0) > PROGRAMME_ID_MAX:  # ids are bits of aid_held
                raise RuleViolation(
                    N_("Katalog program sudah penuh (%(n)s program)."), field="code", n=PROGRAMME_ID_MAX
                )
    except IntegrityError:
        raise RuleViolation(N_("Kode program ini sudah dipakai."), field="code") from None
    audit_record(
        session=session, user=user, entity="aid_programme", entity_id=row.id, action="create", after=snapshot(row)
    )
    session.commit()
    return row


def programme_end(*, session: Session, user: User, programme_id: int, until: date) -> AidProgramme:
    """The programme stops being offered after `until` (inclusive); receipts already recorded stay."""
    require_role(user, Role.ADMIN)
    row = session.get(AidProgramme, programme_id)
    if row is None:
        raise NotFound(N_("Program tidak ditemukan."))
    if until < row.effective_from:
        raise RuleViolation(N_("Tanggal akhir tidak boleh sebelum tanggal mulai berlaku."), field="effective_until")
    before = snapshot(row)
    row.effective_until = until
    session.add(row)
    session.flush()
    audit_record(
        session=session,
        user=user,
        entity="aid_programme",
        entity_id=row.id,
        action="end",
        before=before,
        after=snapshot(row),
    )
    session.commit()
    return row
