"""Readiness upkeep and the graduation review workflow (propose → verify → decide), every step audited."""

import gc
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from functools import cache
from multiprocessing import get_context
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, func, select

from app.access import (
    family_get,
    family_kelompok,
    proposal_require_creator,
    proposal_require_decider,
    proposal_require_verifier,
    require_role,
)
from app.audit import audit_record, snapshot
from app.clock import today_local
from app.errors import RuleViolation
from app.graduation.documents import Upload, document_store
from app.graduation.facts import rules_on
from app.graduation.queries import proposal_get, proposal_open, readiness_evaluate_many
from app.graduation.rules import Verdict, add_months
from app.i18n import N_
from app.models import (
    EXIT_ROUTES,
    PROPOSAL_DECISIONS,
    Area,
    DocumentKind,
    Family,
    FamilyReadiness,
    FamilyStatus,
    GraduationEvent,
    GraduationProposal,
    GraduationRoute,
    NotificationKind,
    PovertyLine,
    ProposalStatus,
    ReadinessPending,
    ReadinessVerdict,
    Role,
    RuleParameter,
    User,
    utcnow,
)
from app.notifications.service import notification_add
from app.settings import get_settings

CHUNK = 2000
PENDING_BATCH = 500  # queued verdicts the worker computes at once (a morning's roll calls: ~100 a second at most)
PENDING_TABLE = SQLModel.metadata.tables[str(ReadinessPending.__tablename__)]
READINESS_TABLE = SQLModel.metadata.tables[str(FamilyReadiness.__tablename__)]
JUSTIFICATION_MIN = 30


# --- readiness ---


@contextmanager
def _no_gc() -> Iterator[None]:
    """The bulk pass makes millions of small objects and no cycles among them: the cycle collector would only
    rescan them, again and again (it doubles the time); reference counting frees them all the same."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


ReadinessRow = tuple[int, str, str, str]  # family id, verdict, warning codes, details JSON
FEW_ROWS = 500  # up to this many verdicts are upserted directly; more go through COPY (PostgreSQL)


def _rows(verdicts: dict[int, Verdict]) -> list[ReadinessRow]:
    return [
        (family_id, v.verdict, ",".join(w.code for w in v.warnings)[:200], v.to_json())
        for family_id, v in verdicts.items()
    ]


def readiness_store(*, session: Session, verdicts: dict[int, Verdict]) -> None:
    readiness_rows_store(session=session, rows=_rows(verdicts))


def _dbapi_cursor(session: Session) -> Any:
    """A DBAPI cursor on the session's connection (for COPY and executemany)."""
    raw = session.connection().connection.dbapi_connection
    assert raw is not None, "a checked-out connection has its DBAPI connection"
    return raw.cursor()


_UPSERT_INTO = "INSERT INTO familyreadiness (family_id, verdict, warnings, details, computed_at) "
_UPSERT_ON_CONFLICT = (
    " ON CONFLICT (family_id) DO UPDATE SET verdict = excluded.verdict, warnings = excluded.warnings, "
    "details = excluded.details, computed_at = excluded.computed_at"
)


def readiness_rows_store(*, session: Session, rows: list[ReadinessRow]) -> None:
    """Upsert FamilyReadiness rows straight through the driver (100,000 rows in one pass): more than `FEW_ROWS` on
    PostgreSQL go by COPY into a temporary table and one INSERT … ON CONFLICT; otherwise one prepared upsert runs
    over every row (on PostgreSQL pipelined: a roll call's refresh, one family or a kelompok, takes one round trip
    instead of the four of the temporary table)."""
    if not rows:
        return
    now = utcnow()
    dialect = session.get_bind().dialect
    cursor = _dbapi_cursor(session)
    if dialect.name == "postgresql" and len(rows) > FEW_ROWS:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS readiness_in (family_id int, verdict text, warnings text, "
            "details text) ON COMMIT DELETE ROWS"
        )
        with cursor.copy("COPY readiness_in FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            _UPSERT_INTO + "SELECT family_id, verdict, warnings, details, %s FROM readiness_in" + _UPSERT_ON_CONFLICT,
            (now,),
        )
        cursor.execute("DELETE FROM readiness_in")
        return
    if dialect.name == "postgresql":
        mark, computed_at = "%s", now
    else:
        process = READINESS_TABLE.c.computed_at.type.bind_processor(dialect)
        mark, computed_at = "?", now if process is None else process(now)
    values = f"VALUES ({', '.join([mark] * 5)})"
    cursor.executemany(_UPSERT_INTO + values + _UPSERT_ON_CONFLICT, [(*row, computed_at) for row in rows])


def readiness_recompute(*, session: Session, family_id: int, today: date | None = None) -> Verdict | None:
    """Recompute and store one family's verdict; the caller commits with its own change."""
    verdicts = readiness_evaluate_many(session=session, family_ids=[family_id], today=today or today_local())
    readiness_store(session=session, verdicts=verdicts)
    return verdicts.get(family_id)


def readiness_refresh_families(
    *, session: Session, family_ids: Sequence[int], today: date | None = None, commit: bool = True
) -> int:
    """Recompute the verdicts of families whose data changed (e.g. after a roll call); commit unless the caller
    commits them with its own change."""
    ids = sorted(set(family_ids))
    for start in range(0, len(ids), CHUNK):
        verdicts = readiness_evaluate_many(
            session=session, family_ids=ids[start : start + CHUNK], today=today or today_local()
        )
        readiness_store(session=session, verdicts=verdicts)
    if commit:
        session.commit()
    return len(ids)


def readiness_refresh_roll(*, session: Session, family_ids: Sequence[int]) -> None:
    """Families whose facts a roll call changed (marks of a held meeting): their stored verdicts recomputed in
    this request (READINESS_REFRESH=inline), or queued in its commit for the worker (=worker: the tap stays a
    tap's cost, and the worker stores a second's worth of them in one batch). The family page computes its verdict
    live either way; the queue only delays what the candidates list and its counts read. The caller commits."""
    if not family_ids:
        return
    if get_settings().readiness_refresh == "worker":
        readiness_queue(session=session, family_ids=family_ids)
    else:
        readiness_refresh_families(session=session, family_ids=family_ids, commit=False)


@cache
def _queue_statement(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(PENDING_TABLE)
    # Queued again before the worker came: one row, its count raised (the worker's delete then misses it).
    return statement.on_conflict_do_update(index_elements=["family_id"], set_={"changes": PENDING_TABLE.c.changes + 1})


def readiness_queue(*, session: Session, family_ids: Sequence[int]) -> None:
    """Queue the families' verdicts for the worker in the caller's transaction, in id order (as every writer
    takes families' rows, so two roll calls never wait on each other crosswise)."""
    now = utcnow()
    rows = [{"family_id": i, "changes": 1, "queued_at": now} for i in sorted(set(family_ids))]
    session.execute(_queue_statement(session.get_bind().dialect.name), rows)


@cache
def _unqueue_statement() -> Any:
    seen = (PENDING_TABLE.c.family_id == bindparam("seen_family")) & (
        PENDING_TABLE.c.changes == bindparam("seen_changes")
    )
    return delete(PENDING_TABLE).where(seen)


def readiness_pending_run(*, session: Session, limit: int = PENDING_BATCH, today: date | None = None) -> int:
    """The worker's turn at the queue: the verdicts of up to `limit` queued families (oldest first) computed in a
    read transaction, then stored and taken off the queue in one commit, except a family changed again meanwhile
    (its count moved on: it stays queued for the next turn). Returns how many were queued when it looked."""
    seen = session.execute(
        select(PENDING_TABLE.c.family_id, PENDING_TABLE.c.changes).order_by(PENDING_TABLE.c.queued_at).limit(limit)
    ).all()
    if not seen:
        session.commit()
        return 0
    ids = sorted(family_id for family_id, _ in seen)
    verdicts = readiness_evaluate_many(session=session, family_ids=ids, today=today or today_local())
    session.commit()  # end the read snapshot: on SQLite a stale reader may not become the writer
    readiness_store(session=session, verdicts=verdicts)
    session.execute(_unqueue_statement(), [{"seen_family": f, "seen_changes": c} for f, c in sorted(seen)])
    session.commit()
    return len(seen)


def readiness_pending_drain(*, session: Session) -> int:
    """Every queued verdict, a batch at a time, until the queue is empty; how many were stored."""
    total = 0
    while (stored := readiness_pending_run(session=session)) > 0:
        total += stored
        if stored < PENDING_BATCH:
            break
    return total


def _recompute_range(url: str, first: int, last: int, today: date) -> int:
    """Worker process: evaluate and store the verdicts of families with ids first..last over its own connection."""
    from app.db import engine_create

    engine = engine_create(url)
    try:
        with _no_gc(), Session(engine) as session:
            rows = _rows(readiness_evaluate_many(session=session, family_ids=range(first, last + 1), today=today))
            session.commit()  # end the read snapshot: on SQLite a stale reader may not become the writer
            readiness_rows_store(session=session, rows=rows)
            session.commit()
            return len(rows)
    finally:
        engine.dispose()


def readiness_recompute_all(*, session: Session, today: date | None = None, workers: int = 1) -> int:
    """Every family's verdict in one pass (the nightly job, the benchmark, after a rule change); commits.

    With workers > 1 the family ids are cut into that many ranges, each read, evaluated and stored by a forked
    process over its own connection (so only committed data counts: not for use inside an open transaction)."""
    day = today or today_local()
    if workers <= 1:
        with _no_gc():
            rows = _rows(readiness_evaluate_many(session=session, family_ids=None, today=day))
            session.commit()  # end the read snapshot: on SQLite a stale reader may not become the writer
            readiness_rows_store(session=session, rows=rows)
            session.commit()
            return len(rows)
    low, high = session.exec(select(func.min(Family.id), func.max(Family.id))).one()
    session.commit()
    if low is None or high is None:
        return 0
    step = (high - low) // workers + 1
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    ranges = [(url, first, min(first + step - 1, high), day) for first in range(low, high + 1, step)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        return sum(pool.map(_recompute_range, *zip(*ranges, strict=True)))


# --- the review workflow ---


def _event(session: Session, *, proposal: GraduationProposal, step: str, user: User, reason: str = "") -> None:
    session.add(GraduationEvent(proposal_id=proposal.id or 0, step=step, reason=reason, user_id=user.id))


def _audit(
    session: Session, *, user: User, proposal: GraduationProposal, action: str, before: dict[str, object] | None
) -> None:
    audit_record(
        session=session,
        user=user,
        entity="graduation_proposal",
        entity_id=proposal.id,
        action=action,
        before=before,
        after=snapshot(proposal),
    )


def proposal_create(
    *, session: Session, user: User, family_id: int, statement: Upload | None, justification: str, today: date
) -> GraduationProposal:
    """The family's pendamping proposes it: alamiah or mandiri as computed, or hampir with a written reason."""
    family = family_get(session=session, user=user, family_id=family_id)
    proposal_require_creator(user, family, family_kelompok(session=session, family=family))
    verdict = _proposable_verdict(session=session, family=family, justification=justification, today=today)
    document = document_store(
        session=session, user=user, family=family, kind=DocumentKind.SURAT_PERNYATAAN, upload=statement
    )
    proposal = GraduationProposal(
        family_id=family.id or 0,
        route=verdict.route or GraduationRoute.MANDIRI,
        status=ProposalStatus.DIUSULKAN,
        statement_document_id=document.id,
        readiness_snapshot=verdict.to_json(),
        proposed_by_id=user.id,
    )
    session.add(proposal)
    session.flush()
    _event(session, proposal=proposal, step=ProposalStatus.DIUSULKAN, user=user, reason=justification)
    _audit(session, user=user, proposal=proposal, action="create", before=None)
    session.commit()
    return proposal


EXIT_REASON_MIN = 30


def proposal_exit_create(
    *, session: Session, user: User, family_id: int, route: str, reason: str, evidence: Upload | None, today: date
) -> GraduationProposal:
    """An exit the readiness rules do not flag (the family withdraws, or a musyawarah decided it): proposed by the
    family's pendamping with a reason and evidence, then verified and decided like any proposal."""
    family = family_get(session=session, user=user, family_id=family_id)
    proposal_require_creator(user, family, family_kelompok(session=session, family=family))
    if route not in EXIT_ROUTES:
        raise RuleViolation(N_("Pilih jalur keluar: mengundurkan diri atau keputusan musyawarah."), field="route")
    text = reason.strip()
    if len(text) < EXIT_REASON_MIN:
        raise RuleViolation(N_("Tulis alasan keluar minimal %(n)s karakter."), field="reason", n=EXIT_REASON_MIN)
    if family.status != FamilyStatus.AKTIF:
        raise RuleViolation(N_("KPM ini sudah tidak aktif di PKH."))
    if proposal_open(session=session, family_id=family.id or 0) is not None:
        raise RuleViolation(N_("KPM ini sudah memiliki usulan graduasi yang sedang diproses."))
    if evidence is None or not evidence.data:
        raise RuleViolation(
            N_("Unggah bukti (surat pengunduran diri atau berita acara musyawarah; PDF, JPG atau PNG)."),
            field="evidence",
        )
    document = document_store(
        session=session, user=user, family=family, kind=DocumentKind.BUKTI_KELUAR, upload=evidence, field="evidence"
    )
    verdict = readiness_evaluate_many(session=session, family_ids=[family.id or 0], today=today).get(family.id or 0)
    proposal = GraduationProposal(
        family_id=family.id or 0,
        route=route,
        status=ProposalStatus.DIUSULKAN,
        statement_document_id=document.id,
        readiness_snapshot=verdict.to_json() if verdict is not None else "{}",
        proposed_by_id=user.id,
    )
    session.add(proposal)
    session.flush()
    _event(session, proposal=proposal, step=ProposalStatus.DIUSULKAN, user=user, reason=text[:2000])
    _audit(session, user=user, proposal=proposal, action="create", before=None)
    session.commit()
    return proposal


def _proposable_verdict(*, session: Session, family: Family, justification: str, today: date) -> Verdict:
    if family.status != FamilyStatus.AKTIF:
        raise RuleViolation(N_("KPM ini sudah tidak aktif di PKH."))
    if proposal_open(session=session, family_id=family.id or 0) is not None:
        raise RuleViolation(N_("KPM ini sudah memiliki usulan graduasi yang sedang diproses."))
    verdict = readiness_evaluate_many(session=session, family_ids=[family.id or 0], today=today)[family.id or 0]
    if verdict.verdict == ReadinessVerdict.HAMPIR and len(justification.strip()) < JUSTIFICATION_MIN:
        raise RuleViolation(
            N_("KPM hampir siap: tulis alasan usulan minimal %(n)s karakter."),
            field="justification",
            n=JUSTIFICATION_MIN,
        )
    if verdict.verdict not in (ReadinessVerdict.ALAMIAH, ReadinessVerdict.MANDIRI, ReadinessVerdict.HAMPIR):
        raise RuleViolation(N_("KPM ini belum memenuhi kriteria graduasi."))
    return verdict


def _scoped_proposal(session: Session, user: User, proposal_id: int) -> tuple[GraduationProposal, Family]:
    proposal = proposal_get(session=session, user=user, proposal_id=proposal_id)
    # Two reviewers at once: the second waits here and then sees the first one's status.
    session.refresh(proposal, with_for_update=True)
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
    proposal, family = _scoped_proposal(session, user, proposal_id)
    proposal_require_verifier(user, family, family_kelompok(session=session, family=family))
    _require_status(proposal, ProposalStatus.DIUSULKAN)
    before = snapshot(proposal)
    proposal.status, proposal.verified_by_id, proposal.verified_at = ProposalStatus.DIVERIFIKASI, user.id, utcnow()
    proposal.reason = ""
    return _step_save(session, user=user, proposal=proposal, before=before, reason="")


def proposal_send_back(*, session: Session, user: User, proposal_id: int, reason: str) -> GraduationProposal:
    proposal, family = _scoped_proposal(session, user, proposal_id)
    proposal_require_verifier(user, family, family_kelompok(session=session, family=family))
    _require_status(proposal, ProposalStatus.DIUSULKAN)
    text = _require_reason(reason)
    before = snapshot(proposal)
    proposal.status, proposal.verified_by_id, proposal.verified_at = ProposalStatus.DIKEMBALIKAN, user.id, utcnow()
    proposal.reason = text
    _notify(session, user=user, proposal=proposal, family=family)
    return _step_save(session, user=user, proposal=proposal, before=before, reason=text)


DECISION_NOTICES = {
    ProposalStatus.DIKEMBALIKAN: NotificationKind.PROPOSAL_SENT_BACK,
    ProposalStatus.DITUNDA: NotificationKind.PROPOSAL_DEFERRED,
    ProposalStatus.DISETUJUI: NotificationKind.PROPOSAL_APPROVED,
    ProposalStatus.DITOLAK: NotificationKind.PROPOSAL_REJECTED,
}


def _notify(session: Session, *, user: User, proposal: GraduationProposal, family: Family) -> None:
    """The proposing pendamping is told of a send-back or a decision, in the same transaction."""
    kind = DECISION_NOTICES.get(ProposalStatus(proposal.status))
    if kind is None:
        return
    notification_add(
        session=session,
        user_id=proposal.proposed_by_id,
        kind=kind,
        actor=user,
        subject=family.head_name,
        note=proposal.reason,
        proposal_id=proposal.id,
    )


def proposal_decide(
    *, session: Session, user: User, proposal_id: int, decision: str, reason: str, today: date
) -> GraduationProposal:
    """The peninjau approves (the family graduates), defers or rejects (both with a reason)."""
    proposal, family = _scoped_proposal(session, user, proposal_id)
    proposal_require_decider(user, family, family_kelompok(session=session, family=family))
    if decision not in PROPOSAL_DECISIONS:
        raise RuleViolation(N_("Pilih keputusan: setujui, tunda atau tolak."), field="decision")
    _require_status(proposal, ProposalStatus.DIVERIFIKASI, ProposalStatus.DITUNDA)
    text = reason.strip()[:2000] if decision == ProposalStatus.DISETUJUI else _require_reason(reason)
    before = snapshot(proposal)
    proposal.status, proposal.decided_by_id, proposal.decided_at, proposal.reason = decision, user.id, utcnow(), text
    if decision == ProposalStatus.DISETUJUI:
        if proposal.route not in EXIT_ROUTES:
            months = rules_on(session=session, day=today).monitoring_months
            proposal.monitor_until = add_months(today, months)
        _family_graduate(session, user=user, family=family, route=proposal.route, today=today)
    _notify(session, user=user, proposal=proposal, family=family)
    return _step_save(session, user=user, proposal=proposal, before=before, reason=text, today=today)


def _family_graduate(session: Session, *, user: User, family: Family, route: str, today: date) -> None:
    """The family leaves the roll (graduated, or keluar by an exit route) but keeps its kelompok, so its history
    stays readable."""
    before = snapshot(family)
    family.status = {
        GraduationRoute.ALAMIAH: FamilyStatus.GRADUASI_ALAMIAH,
        GraduationRoute.SUKARELA: FamilyStatus.KELUAR,
        GraduationRoute.MUSYAWARAH: FamilyStatus.KELUAR,
    }.get(GraduationRoute(route), FamilyStatus.GRADUASI_MANDIRI)
    family.exited_on, family.updated_at = today, utcnow()
    session.add(family)
    audit_record(
        session=session,
        user=user,
        entity="family",
        entity_id=family.id,
        action="graduate",
        before=before,
        after=snapshot(family),
    )


def _step_save(
    session: Session,
    *,
    user: User,
    proposal: GraduationProposal,
    before: dict[str, object] | None,
    reason: str,
    today: date | None = None,
) -> GraduationProposal:
    session.add(proposal)
    _event(session, proposal=proposal, step=proposal.status, user=user, reason=reason)
    _audit(session, user=user, proposal=proposal, action=proposal.status, before=before)
    session.flush()
    readiness_recompute(session=session, family_id=proposal.family_id, today=today)
    session.commit()
    return proposal


# --- rule parameters and poverty lines (admin) ---


def rule_parameter_add(
    *, session: Session, user: User, key: str, value: str, effective_from: date, note: str
) -> RuleParameter:
    """A new value from a date on; older verdicts stay explainable by the values in force then."""
    require_role(user, Role.ADMIN)
    clash = session.exec(
        select(RuleParameter).where(RuleParameter.key == key, RuleParameter.effective_from == effective_from)
    ).first()
    if clash is not None:
        raise RuleViolation(
            N_("Parameter ini sudah punya nilai yang berlaku mulai tanggal itu."), field="effective_from"
        )
    row = RuleParameter(key=key, value=value, effective_from=effective_from, note=note, created_by_id=user.id)
    session.add(row)
    session.flush()
    audit_record(
        session=session, user=user, entity="rule_parameter", entity_id=row.id, action="create", after=snapshot(row)
    )
    session.commit()
    return row


def poverty_line_save(
    *, session: Session, user: User, area_code: str | None, kind: str, year: int, amount: int, source: str
) -> PovertyLine:
    """Add a line, or correct the amount of the same area, kind and year."""
    require_role(user, Role.ADMIN)
    if area_code is not None and session.get(Area, area_code) is None:
        raise RuleViolation(N_("Kode kab/kota tidak dikenal."), field="scope")
    row = session.exec(
        select(PovertyLine).where(
            PovertyLine.area_code == area_code, PovertyLine.kind == kind, PovertyLine.year == year
        )
    ).first()
    before = snapshot(row)
    row = row or PovertyLine(area_code=area_code, kind=kind, year=year, amount=amount)
    row.amount, row.source = amount, source
    session.add(row)
    session.flush()
    audit_record(
        session=session,
        user=user,
        entity="poverty_line",
        entity_id=row.id,
        action="create" if before is None else "update",
        before=before,
        after=snapshot(row),
    )
    session.commit()
    return row
