"""Writing cases, their notes, status and referrals, and break-the-glass openings: every change audited."""

from datetime import date

from sqlmodel import Session, select

from app.access import (
    case_can_break_glass,
    case_require_creator,
    case_require_editor,
)
from app.audit import access_record, audit_record, snapshot
from app.cases.forms import CaseInput, NoteInput, OutcomeInput, ReferralInput, StatusInput
from app.cases.queries import case_worker_options, member_options, referrals_waiting_count
from app.cases.rules import CASE_CLOSED, case_confidential, case_status_problem
from app.errors import RuleViolation
from app.i18n import N_
from app.models import AccessAction, CaseFile, CaseNote, CaseStatus, Family, Kelompok, Referral, User, utcnow
from app.versioning import row_insert_once, version_claim


def _case_by_token(*, session: Session, form_token: str) -> CaseFile | None:
    if not form_token:
        return None
    return session.exec(select(CaseFile).where(CaseFile.form_token == form_token)).first()


def case_create(
    *,
    session: Session,
    user: User,
    family: Family,
    kelompok: Kelompok | None,
    data: CaseInput,
    form_token: str = "",
) -> CaseFile:
    """Open a case on a family (or one of its members), assigned to a worker who may work on it."""
    case_require_creator(user, family, kelompok)
    workers = {w.id for w in case_worker_options(session=session, user=user, family=family, kelompok=kelompok)}
    worker_id = data.worker_id or user.id
    if worker_id not in workers:
        raise RuleViolation(
            N_("Pilih petugas dari daftar: pendamping KPM ini atau supervisor wilayahnya."), field="worker_id"
        )
    if data.member_id is not None and data.member_id not in {
        m.id for m in member_options(session=session, family=family)
    }:
        raise RuleViolation(N_("Anggota ini bukan anggota KPM tersebut."), field="member_id")
    case = CaseFile(
        family_id=family.id or 0,
        member_id=data.member_id,
        case_type=data.case_type,
        urgency=data.urgency,
        description=data.description,
        confidential=case_confidential(case_type=data.case_type, ticked=data.confidential),
        worker_id=worker_id or 0,
        opened_on=data.opened_on,
        created_by_id=user.id,
        form_token=form_token or None,
    )
    stored = row_insert_once(
        session=session, row=case, sent_before=lambda: _case_by_token(session=session, form_token=form_token)
    )
    if stored is not case:
        return stored
    audit_record(session=session, user=user, entity="case", entity_id=case.id, action="create", after=snapshot(case))
    session.commit()
    return case


def case_note_add(
    *, session: Session, user: User, case: CaseFile, family: Family, kelompok: Kelompok | None, data: NoteInput
) -> CaseNote:
    case_require_editor(user, case, family, kelompok)
    if data.noted_on < case.opened_on:
        raise RuleViolation(N_("Tanggal catatan tidak boleh sebelum kasus dibuka."), field="noted_on")
    note = CaseNote(case_id=case.id or 0, noted_on=data.noted_on, text=data.text, user_id=user.id)
    session.add(note)
    session.flush()
    audit_record(
        session=session, user=user, entity="case_note", entity_id=note.id, action="create", after=snapshot(note)
    )
    session.commit()
    return note


def _status_set(*, session: Session, user: User, case: CaseFile, status: str, note: str, today: date) -> None:
    case.status = status
    case.closed_on = today if status in CASE_CLOSED else None
    case.updated_at = utcnow()
    session.add(case)
    session.add(CaseNote(case_id=case.id or 0, noted_on=today, text=note, status_to=status, user_id=user.id))


def case_status_change(
    *,
    session: Session,
    user: User,
    case: CaseFile,
    family: Family,
    kelompok: Kelompok | None,
    data: StatusInput,
    today: date,
    version: int | None,
) -> CaseFile:
    """Move a case along baru → ditangani → dirujuk → selesai / ditutup, from the version the form showed."""
    case_require_editor(user, case, family, kelompok)
    before = snapshot(case)
    version_claim(session=session, record=case, version=version, entity="case")
    session.refresh(case)
    problem = case_status_problem(
        current=case.status,
        wanted=data.status,
        waiting_referrals=referrals_waiting_count(session=session, case=case),
        note=data.note,
    )
    if problem is not None:
        raise RuleViolation(problem[1], field=problem[0], current=case.status, wanted=data.status)
    _status_set(session=session, user=user, case=case, status=data.status, note=data.note, today=today)
    audit_record(
        session=session,
        user=user,
        entity="case",
        entity_id=case.id,
        action="status",
        before=before,
        after=snapshot(case),
    )
    session.commit()
    return case


def referral_create(
    *,
    session: Session,
    user: User,
    case: CaseFile,
    family: Family,
    kelompok: Kelompok | None,
    data: ReferralInput,
    today: date,
) -> Referral:
    """Refer the case to a service; an open case not yet referred becomes `dirujuk`."""
    case_require_editor(user, case, family, kelompok)
    if case.status in CASE_CLOSED:
        raise RuleViolation(N_("Kasus ini sudah selesai atau ditutup."), field="service")
    if data.referred_on < case.opened_on:
        raise RuleViolation(N_("Tanggal rujukan tidak boleh sebelum kasus dibuka."), field="referred_on")
    before = snapshot(case)
    version_claim(session=session, record=case, version=None, entity="case")  # locks the case row
    referral = Referral(
        case_id=case.id or 0,
        service=data.service,
        service_name=data.service_name,
        referred_on=data.referred_on,
        request=data.request,
        referred_by_id=user.id,
    )
    session.add(referral)
    session.flush()
    session.refresh(case)
    if case.status != CaseStatus.DIRUJUK and case.status not in CASE_CLOSED:
        _status_set(session=session, user=user, case=case, status=CaseStatus.DIRUJUK, note=data.request, today=today)
        audit_record(
            session=session,
            user=user,
            entity="case",
            entity_id=case.id,
            action="status",
            before=before,
            after=snapshot(case),
        )
    audit_record(
        session=session, user=user, entity="referral", entity_id=referral.id, action="create", after=snapshot(referral)
    )
    session.commit()
    return referral


def referral_outcome_record(
    *,
    session: Session,
    user: User,
    case: CaseFile,
    family: Family,
    kelompok: Kelompok | None,
    referral: Referral,
    data: OutcomeInput,
    version: int | None,
) -> Referral:
    """What came back from the service; a referral's outcome is recorded once (a second form is told)."""
    case_require_editor(user, case, family, kelompok)
    if data.outcome_on < referral.referred_on:
        raise RuleViolation(N_("Tanggal hasil tidak boleh sebelum tanggal rujukan."), field="outcome_on")
    before = snapshot(referral)
    version_claim(session=session, record=referral, version=version, entity="referral")
    session.refresh(referral)
    if referral.outcome_on is not None:
        raise RuleViolation(N_("Hasil rujukan ini sudah dicatat."), field="outcome")
    referral.outcome, referral.outcome_on = data.outcome, data.outcome_on
    session.add(referral)
    audit_record(
        session=session,
        user=user,
        entity="referral",
        entity_id=referral.id,
        action="outcome",
        before=before,
        after=snapshot(referral),
    )
    session.commit()
    return referral


def case_break_glass(
    *,
    session: Session,
    user: User,
    case: CaseFile | None,
    family: Family | None,
    kelompok: Kelompok | None,
    reason: str,
) -> bool:
    """A supervisor of another area opens a confidential case, saying why: logged for the area's supervisors.
    False (nothing logged) when there is no such case for them to open."""
    if case is None or family is None or not case_can_break_glass(user, case, family, kelompok):
        return False
    access_record(
        session=session,
        user=user,
        action=AccessAction.CASE_BREAK_GLASS,
        entity="case",
        entity_id=case.id,
        detail=reason,
    )
    return True


def case_read_record(*, session: Session, user: User, case: CaseFile, detail: str = "") -> None:
    """Every read of a confidential case is logged (committed at once, before the page is shown)."""
    if case.confidential:
        access_record(
            session=session, user=user, action=AccessAction.CASE_VIEW, entity="case", entity_id=case.id, detail=detail
        )
