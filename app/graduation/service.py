"""Readiness upkeep and the graduation review workflow (propose → verify → decide), every step audited."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from app.access import family_get, kelompok_require_editor, require_role
from app.audit import audit_record, snapshot
from app.errors import Forbidden, RuleViolation
from app.graduation.documents import Upload, document_store
from app.graduation.facts import facts_load, rules_on
from app.graduation.rules import ALAMIAH, HAMPIR, MANDIRI, Verdict, add_months, readiness_evaluate
from app.i18n import N_
from app.models import (
    Area,
    Family,
    FamilyReadiness,
    FamilyStatus,
    GraduationEvent,
    GraduationProposal,
    Kelompok,
    PovertyLine,
    Role,
    RuleParameter,
    User,
    utcnow,
)
from app.web import today_local

CHUNK = 2000
READINESS_TABLE = SQLModel.metadata.tables[str(FamilyReadiness.__tablename__)]
JUSTIFICATION_MIN = 30


class ProposalStatus:
    DIUSULKAN = "diusulkan"
    DIVERIFIKASI = "diverifikasi"
    DIKEMBALIKAN = "dikembalikan"
    DISETUJUI = "disetujui"
    DITUNDA = "ditunda"
    DITOLAK = "ditolak"
    OPEN = (DIUSULKAN, DIVERIFIKASI, DITUNDA)
    ALL = (DIUSULKAN, DIVERIFIKASI, DIKEMBALIKAN, DISETUJUI, DITUNDA, DITOLAK)


# --- readiness ---


def readiness_evaluate_many(*, session: Session, family_ids: Sequence[int] | None, today: date) -> dict[int, Verdict]:
    """Verdicts for the given families (None = all), computed from a handful of aggregate queries; nothing written."""
    rules = rules_on(session=session, day=today)
    facts = facts_load(session=session, family_ids=family_ids, today=today, rules=rules)
    return {family_id: readiness_evaluate(f, today=today, rules=rules) for family_id, f in facts.items()}


def readiness_store(*, session: Session, verdicts: dict[int, Verdict]) -> None:
    """Upsert FamilyReadiness rows in chunks (one statement per chunk, on either dialect)."""
    now = utcnow()
    rows = [{"family_id": family_id, "verdict": v.verdict, "warnings": ",".join(w.code for w in v.warnings)[:200],
             "details": v.to_json(), "computed_at": now} for family_id, v in verdicts.items()]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(READINESS_TABLE)
    stmt = stmt.on_conflict_do_update(index_elements=["family_id"], set_={
        "verdict": stmt.excluded.verdict, "warnings": stmt.excluded.warnings,
        "details": stmt.excluded.details, "computed_at": stmt.excluded.computed_at})
    for start in range(0, len(rows), CHUNK):
        session.execute(stmt, rows[start:start + CHUNK])


def readiness_recompute(*, session: Session, family_id: int, today: date | None = None) -> Verdict | None:
    """Recompute and store one family's verdict; the caller commits with its own change."""
    verdicts = readiness_evaluate_many(session=session, family_ids=[family_id], today=today or today_local())
    readiness_store(session=session, verdicts=verdicts)
    return verdicts.get(family_id)


def readiness_refresh_families(*, session: Session, family_ids: Sequence[int], today: date | None = None) -> int:
    """Recompute the verdicts of families whose data changed (e.g. after a roll call) and commit."""
    ids = sorted(set(family_ids))
    for start in range(0, len(ids), CHUNK):
        verdicts = readiness_evaluate_many(session=session, family_ids=ids[start:start + CHUNK],
                                           today=today or today_local())
        readiness_store(session=session, verdicts=verdicts)
    session.commit()
    return len(ids)


def readiness_recompute_all(*, session: Session, today: date | None = None) -> int:
    """Every family's verdict in one pass (the nightly job and the benchmark); commits."""
    verdicts = readiness_evaluate_many(session=session, family_ids=None, today=today or today_local())
    readiness_store(session=session, verdicts=verdicts)
    session.commit()
    return len(verdicts)


# --- the review workflow ---


def _event(session: Session, *, proposal: GraduationProposal, step: str, user: User, reason: str = "") -> None:
    session.add(GraduationEvent(proposal_id=proposal.id or 0, step=step, reason=reason, user_id=user.id))


def _audit(session: Session, *, user: User, proposal: GraduationProposal, action: str,
           before: dict[str, object] | None) -> None:
    audit_record(session=session, user=user, entity="graduation_proposal", entity_id=proposal.id, action=action,
                 before=before, after=snapshot(proposal))


def proposal_open(*, session: Session, family_id: int) -> GraduationProposal | None:
    return session.exec(
        select(GraduationProposal).where(GraduationProposal.family_id == family_id,
                                         col(GraduationProposal.status).in_(ProposalStatus.OPEN))
    ).first()


def proposal_create(*, session: Session, user: User, family_id: int, statement: Upload | None, justification: str,
                    today: date) -> GraduationProposal:
    """The family's pendamping proposes it: alamiah or mandiri as computed, or hampir with a written reason."""
    require_role(user, Role.PENDAMPING, Role.ADMIN)
    family = family_get(session=session, user=user, family_id=family_id)
    kelompok = session.get(Kelompok, family.kelompok_id) if family.kelompok_id else None
    if kelompok is None:
        raise Forbidden(N_("KPM tanpa kelompok tidak dapat diusulkan."))
    kelompok_require_editor(user, kelompok)
    verdict = _proposable_verdict(session=session, family=family, justification=justification, today=today)
    document = document_store(session=session, user=user, family=family, kind="surat_pernyataan", upload=statement)
    proposal = GraduationProposal(family_id=family.id or 0, route=verdict.route or MANDIRI,
                                  status=ProposalStatus.DIUSULKAN, statement_document_id=document.id,
                                  readiness_snapshot=verdict.to_json(), proposed_by_id=user.id)
    session.add(proposal)
    session.flush()
    _event(session, proposal=proposal, step=ProposalStatus.DIUSULKAN, user=user, reason=justification)
    _audit(session, user=user, proposal=proposal, action="create", before=None)
    session.commit()
    return proposal


def _proposable_verdict(*, session: Session, family: Family, justification: str, today: date) -> Verdict:
    if family.status != FamilyStatus.AKTIF:
        raise RuleViolation(N_("KPM ini sudah tidak aktif di PKH."))
    if proposal_open(session=session, family_id=family.id or 0) is not None:
        raise RuleViolation(N_("KPM ini sudah memiliki usulan graduasi yang sedang diproses."))
    verdict = readiness_evaluate_many(session=session, family_ids=[family.id or 0], today=today)[family.id or 0]
    if verdict.verdict == HAMPIR and len(justification.strip()) < JUSTIFICATION_MIN:
        raise RuleViolation(N_("KPM hampir siap: tulis alasan usulan minimal %(n)s karakter."), field="justification",
                            n=JUSTIFICATION_MIN)
    if verdict.verdict not in (ALAMIAH, MANDIRI, HAMPIR):
        raise RuleViolation(N_("KPM ini belum memenuhi kriteria graduasi."))
    return verdict


def _scoped_proposal(session: Session, user: User, proposal_id: int) -> tuple[GraduationProposal, Family]:
    from app.graduation.queries import proposal_get

    proposal = proposal_get(session=session, user=user, proposal_id=proposal_id)
    family = family_get(session=session, user=user, family_id=proposal.family_id)
    return proposal, family


def _require_status(proposal: GraduationProposal, *allowed: str) -> None:
    if proposal.status not in allowed:
        raise RuleViolation(N_("Usulan ini tidak dapat diproses pada status sekarang."))


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < 5:
        raise RuleViolation(N_("Tulis alasannya (minimal 5 karakter)."), field="reason")
    return reason[:2000]


def proposal_verify(*, session: Session, user: User, proposal_id: int) -> GraduationProposal:
    require_role(user, Role.SUPERVISOR, Role.ADMIN)
    proposal, _family = _scoped_proposal(session, user, proposal_id)
    _require_status(proposal, ProposalStatus.DIUSULKAN)
    before = snapshot(proposal)
    proposal.status, proposal.verified_by_id, proposal.verified_at = ProposalStatus.DIVERIFIKASI, user.id, utcnow()
    proposal.reason = ""
    return _step_save(session, user=user, proposal=proposal, before=before, reason="")


def proposal_send_back(*, session: Session, user: User, proposal_id: int, reason: str) -> GraduationProposal:
    require_role(user, Role.SUPERVISOR, Role.ADMIN)
    proposal, _family = _scoped_proposal(session, user, proposal_id)
    _require_status(proposal, ProposalStatus.DIUSULKAN)
    text = _require_reason(reason)
    before = snapshot(proposal)
    proposal.status, proposal.verified_by_id, proposal.verified_at = ProposalStatus.DIKEMBALIKAN, user.id, utcnow()
    proposal.reason = text
    return _step_save(session, user=user, proposal=proposal, before=before, reason=text)


def proposal_decide(*, session: Session, user: User, proposal_id: int, decision: str, reason: str,
                    today: date) -> GraduationProposal:
    """The peninjau approves (the family graduates), defers or rejects (both with a reason)."""
    require_role(user, Role.PENINJAU, Role.ADMIN)
    if decision not in (ProposalStatus.DISETUJUI, ProposalStatus.DITUNDA, ProposalStatus.DITOLAK):
        raise RuleViolation(N_("Pilih keputusan: setujui, tunda atau tolak."), field="decision")
    proposal, family = _scoped_proposal(session, user, proposal_id)
    _require_status(proposal, ProposalStatus.DIVERIFIKASI, ProposalStatus.DITUNDA)
    text = reason.strip()[:2000] if decision == ProposalStatus.DISETUJUI else _require_reason(reason)
    before = snapshot(proposal)
    proposal.status, proposal.decided_by_id, proposal.decided_at, proposal.reason = decision, user.id, utcnow(), text
    if decision == ProposalStatus.DISETUJUI:
        months = rules_on(session=session, day=today).monitoring_months
        proposal.monitor_until = add_months(today, months)
        _family_graduate(session, user=user, family=family, route=proposal.route, today=today)
    return _step_save(session, user=user, proposal=proposal, before=before, reason=text, today=today)


def _family_graduate(session: Session, *, user: User, family: Family, route: str, today: date) -> None:
    """The family leaves the roll (status no longer aktif) but keeps its kelompok, so its history stays readable."""
    before = snapshot(family)
    family.status = FamilyStatus.GRADUASI_ALAMIAH if route == ALAMIAH else FamilyStatus.GRADUASI_MANDIRI
    family.exited_on, family.updated_at = today, utcnow()
    session.add(family)
    audit_record(session=session, user=user, entity="family", entity_id=family.id, action="graduate", before=before,
                 after=snapshot(family))


def _step_save(session: Session, *, user: User, proposal: GraduationProposal, before: dict[str, object] | None,
               reason: str, today: date | None = None) -> GraduationProposal:
    session.add(proposal)
    _event(session, proposal=proposal, step=proposal.status, user=user, reason=reason)
    _audit(session, user=user, proposal=proposal, action=proposal.status, before=before)
    session.flush()
    readiness_recompute(session=session, family_id=proposal.family_id, today=today)
    session.commit()
    return proposal



# --- rule parameters and poverty lines (admin) ---


def rule_parameter_add(*, session: Session, user: User, key: str, value: str, effective_from: date,
                       note: str) -> RuleParameter:
    """A new value from a date on; older verdicts stay explainable by the values in force then."""
    require_role(user, Role.ADMIN)
    clash = session.exec(select(RuleParameter).where(RuleParameter.key == key,
                                                     RuleParameter.effective_from == effective_from)).first()
    if clash is not None:
        raise RuleViolation(N_("Parameter ini sudah punya nilai yang berlaku mulai tanggal itu."),
                            field="effective_from")
    row = RuleParameter(key=key, value=value, effective_from=effective_from, note=note, created_by_id=user.id)
    session.add(row)
    session.flush()
    audit_record(session=session, user=user, entity="rule_parameter", entity_id=row.id, action="create",
                 after=snapshot(row))
    session.commit()
    return row


def poverty_line_save(*, session: Session, user: User, area_code: str | None, kind: str, year: int, amount: int,
                      source: str) -> PovertyLine:
    """Add a line, or correct the amount of the same area, kind and year."""
    require_role(user, Role.ADMIN)
    if area_code is not None and session.get(Area, area_code) is None:
        raise RuleViolation(N_("Kode kab/kota tidak dikenal."), field="scope")
    row = session.exec(select(PovertyLine).where(PovertyLine.area_code == area_code, PovertyLine.kind == kind,
                                                 PovertyLine.year == year)).first()
    before = snapshot(row)
    row = row or PovertyLine(area_code=area_code, kind=kind, year=year, amount=amount)
    row.amount, row.source = amount, source
    session.add(row)
    session.flush()
    audit_record(session=session, user=user, entity="poverty_line", entity_id=row.id,
                 action="create" if before is None else "update", before=before, after=snapshot(row))
    session.commit()
    return row
