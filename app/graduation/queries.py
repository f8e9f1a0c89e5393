"""Reading graduation data: candidates by verdict, proposals, yearly progress, the berita acara batch."""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access import area_within, family_clause, kelompok_clause, proposal_can_create
from app.clock import JAKARTA
from app.db import RowsSelect, rows_select
from app.errors import NotFound
from app.graduation.facts import facts_load, rules_on
from app.graduation.rules import Verdict, readiness_evaluate
from app.i18n import N_
from app.models import (
    PROPOSAL_OPEN,
    READINESS_VERDICTS,
    Area,
    Document,
    Family,
    FamilyReadiness,
    FamilyStatus,
    GraduationEvent,
    GraduationProposal,
    Kelompok,
    ProposalStatus,
    ReadinessWarning,
    Role,
    RuleParameter,
    User,
)

SORTS = ("verdict", "nama", "kelompok")
GRADUATED = (FamilyStatus.GRADUASI_ALAMIAH, FamilyStatus.GRADUASI_MANDIRI)


# --- candidates ---


@dataclass
class CandidateFilters:
    kecamatan: str = ""
    kelurahan: str = ""
    kelompok_id: int | None = None
    pendamping_id: int | None = None
    verdict: str = ""
    sort: str = "verdict"
    page: int = 1


@dataclass
class CandidateRow:
    family_id: int
    head_name: str
    programme_id: str
    village_name: str
    kelompok_name: str
    pendamping_name: str
    verdict: str
    warnings: list[str]
    details: str


@dataclass
class FilterOptions:
    """The choices the filter form offers, narrowed by what is already chosen (kecamatan → kelurahan → kelompok):
    a list longer than OPTION_LIMIT is not offered (only the current choice, and `more` names it) until a
    narrower choice is made."""

    kecamatan: list[tuple[str, str]] = field(default_factory=list)
    kelurahan: list[tuple[str, str]] = field(default_factory=list)
    kelompok: list[tuple[int, str]] = field(default_factory=list)
    pendamping: list[tuple[int, str]] = field(default_factory=list)
    more: set[str] = field(default_factory=set)


OPTION_LIMIT = 60
KECAMATAN_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}")
KELURAHAN_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")


def _within(column: Any, kecamatan: str, kelurahan: str) -> list[ColumnElement[bool]]:
    if kelurahan:
        return [col(column) == kelurahan]
    if kecamatan:
        return [col(column).like(kecamatan + ".%")]
    return []


def filter_options(*, session: Session, user: User, filters: CandidateFilters) -> FilterOptions:
    """Only what the user may see, narrowed by the chosen kecamatan and kelurahan (filters already cleaned)."""
    visible = (kelompok_clause(user), col(Kelompok.active).is_(True))
    options = FilterOptions()
    villages = set(session.exec(select(Kelompok.village_code).where(*visible).distinct()).all())
    districts = {v.rsplit(".", 1)[0] for v in villages}
    if filters.kecamatan:
        villages = {v for v in villages if v.startswith(filters.kecamatan + ".")}
    if len(villages) > OPTION_LIMIT:
        options.more.add("kelurahan")
        villages = {filters.kelurahan} if filters.kelurahan else set()
    names = dict(session.exec(select(Area.code, Area.name).where(col(Area.code).in_(villages | districts))).all())
    options.kecamatan = sorted(((c, names.get(c, c)) for c in districts), key=lambda x: x[1])
    options.kelurahan = sorted(((c, names.get(c, c)) for c in villages), key=lambda x: x[1])
    narrow = (*visible, *_within(Kelompok.village_code, filters.kecamatan, filters.kelurahan))
    kelompok = session.exec(
        select(Kelompok.id, Kelompok.name).where(*narrow).order_by(col(Kelompok.name)).limit(OPTION_LIMIT + 1)
    ).all()
    if len(kelompok) > OPTION_LIMIT:
        options.more.add("kelompok")
        chosen = filters.kelompok_id
        kelompok = session.exec(select(Kelompok.id, Kelompok.name).where(Kelompok.id == chosen)).all() if chosen else []
    options.kelompok = [(i or 0, n) for i, n in kelompok]
    pendamping = session.exec(
        select(User.id, User.full_name)
        .where(col(User.id).in_(select(Kelompok.pendamping_id).where(*narrow)))
        .order_by(col(User.full_name))
        .limit(OPTION_LIMIT + 1)
    ).all()
    if len(pendamping) > OPTION_LIMIT:
        options.more.add("pendamping")
        chosen = filters.pendamping_id
        pendamping = session.exec(select(User.id, User.full_name).where(User.id == chosen)).all() if chosen else []
    options.pendamping = [(i or 0, n) for i, n in pendamping]
    return options


def filters_clean(*, session: Session, user: User, filters: CandidateFilters) -> CandidateFilters:
    """Drop any filter value outside the user's scope (a hand-edited URL cannot widen it), each checked by key."""
    visible = (kelompok_clause(user), col(Kelompok.active).is_(True))

    def seen(*where: ColumnElement[bool]) -> bool:
        return session.exec(select(Kelompok.id).where(*visible, *where).limit(1)).first() is not None

    kecamatan = filters.kecamatan if KECAMATAN_CODE.fullmatch(filters.kecamatan) else ""
    if kecamatan and not seen(col(Kelompok.village_code).like(kecamatan + ".%")):
        kecamatan = ""
    kelurahan = filters.kelurahan if KELURAHAN_CODE.fullmatch(filters.kelurahan) else ""
    if kelurahan and (
        (kecamatan and not kelurahan.startswith(kecamatan + ".")) or not seen(col(Kelompok.village_code) == kelurahan)
    ):
        kelurahan = ""
    # A kelompok or pendamping outside a newly chosen kecamatan or kelurahan is dropped with it.
    narrow = _within(Kelompok.village_code, kecamatan, kelurahan)
    kelompok_id = filters.kelompok_id
    if kelompok_id is not None and not seen(col(Kelompok.id) == kelompok_id, *narrow):
        kelompok_id = None
    pendamping_id = filters.pendamping_id
    if pendamping_id is not None and not seen(col(Kelompok.pendamping_id) == pendamping_id, *narrow):
        pendamping_id = None
    return CandidateFilters(
        kecamatan=kecamatan,
        kelurahan=kelurahan,
        kelompok_id=kelompok_id,
        pendamping_id=pendamping_id,
        verdict=filters.verdict if filters.verdict in READINESS_VERDICTS else "",
        sort=filters.sort if filters.sort in SORTS else "verdict",
        page=max(1, filters.page),
    )


def _candidate_where(user: User, filters: CandidateFilters, *, with_verdict: bool = True) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [family_clause(user), col(Family.status) == FamilyStatus.AKTIF]
    if filters.kelurahan:
        where.append(col(Family.village_code) == filters.kelurahan)
    elif filters.kecamatan:
        where.append(area_within(col(Family.village_code), filters.kecamatan))
    if filters.kelompok_id is not None:
        where.append(col(Family.kelompok_id) == filters.kelompok_id)
    if filters.pendamping_id is not None:
        where.append(col(Kelompok.pendamping_id) == filters.pendamping_id)
    if with_verdict and filters.verdict:
        where.append(col(FamilyReadiness.verdict) == filters.verdict)
    return where


def _candidate_query(user: User, filters: CandidateFilters, *, ids_only: bool = False) -> RowsSelect:
    verdict_order = case(
        {v: i for i, v in enumerate(READINESS_VERDICTS)}, value=FamilyReadiness.verdict, else_=len(READINESS_VERDICTS)
    )
    order = {
        "verdict": (verdict_order, col(Family.head_name)),
        "nama": (col(Family.head_name),),
        "kelompok": (col(Kelompok.name), col(Family.head_name)),
    }[filters.sort]
    columns: tuple[Any, ...] = (Family.id,)
    if not ids_only:
        columns += (
            Family.head_name,
            Family.programme_id,
            Area.name,
            Kelompok.name,
            User.full_name,
            FamilyReadiness.verdict,
            FamilyReadiness.warnings,
            FamilyReadiness.details,
        )
    query = rows_select(*columns)
    if not ids_only:
        query = query.join(Area, col(Area.code) == Family.village_code)
    query = query.outerjoin(Kelompok, col(Kelompok.id) == Family.kelompok_id)
    if not ids_only:
        query = query.outerjoin(User, col(User.id) == Kelompok.pendamping_id)
    return (
        query.outerjoin(FamilyReadiness, col(FamilyReadiness.family_id) == Family.id)
        .where(*_candidate_where(user, filters))
        .order_by(*order, col(Family.id))
    )


def _row(raw: tuple[Any, ...]) -> CandidateRow:
    fid, name, pid, village, kelompok, pendamping, verdict, warnings, details = raw
    return CandidateRow(
        fid,
        name,
        pid,
        village,
        kelompok or "–",
        pendamping or "–",
        verdict or "",
        [w for w in (warnings or "").split(",") if w],
        details or "{}",
    )


def candidates_list(
    *, session: Session, user: User, filters: CandidateFilters, limit: int, offset: int = 0
) -> list[CandidateRow]:
    """One page: the page's ids picked on the narrow tables first, then only those rows joined to their names."""
    page = _candidate_query(user, filters, ids_only=True).limit(limit).offset(offset).subquery()
    query = _candidate_query(user, filters).where(col(Family.id).in_(select(page.c.id)))
    return [_row(tuple(r)) for r in session.exec(query).all()]


def candidates_iter(*, session: Session, user: User, filters: CandidateFilters) -> Iterator[CandidateRow]:
    """Every matching row, fetched in batches (for the export)."""
    result = session.execute(_candidate_query(user, filters).execution_options(yield_per=1000))
    for raw in result:
        yield _row(tuple(raw))


COUNTS_TTL = 30.0  # seconds
COUNTS_CACHE_MIN = 5_000  # families: smaller scopes are counted afresh on every view
_counts_cache: dict[tuple[object, ...], tuple[float, dict[str, int]]] = {}


def verdict_counts(*, session: Session, user: User, filters: CandidateFilters) -> dict[str, int]:
    """Families per verdict in the filtered scope; a large scope's counts are kept COUNTS_TTL seconds (per process),
    so paging through candidates does not count 100,000 families on every page."""
    key = (
        user.role,
        user.area_code,
        user.id if user.role == Role.PENDAMPING else None,
        filters.kecamatan,
        filters.kelurahan,
        filters.kelompok_id,
        filters.pendamping_id,
    )
    now = monotonic()
    cached = _counts_cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    counts = _verdict_counts(session=session, user=user, filters=filters)
    if sum(counts.values()) >= COUNTS_CACHE_MIN:
        if len(_counts_cache) > 1_000:
            _counts_cache.clear()
        _counts_cache[key] = (now + COUNTS_TTL, counts)
    return counts


def _verdict_counts(*, session: Session, user: User, filters: CandidateFilters) -> dict[str, int]:
    query = select(FamilyReadiness.verdict, func.count()).select_from(Family)
    if filters.pendamping_id is not None:
        query = query.outerjoin(Kelompok, col(Kelompok.id) == Family.kelompok_id)
    rows = session.exec(
        query.outerjoin(FamilyReadiness, col(FamilyReadiness.family_id) == Family.id)
        .where(*_candidate_where(user, filters, with_verdict=False))
        .group_by(col(FamilyReadiness.verdict))
    ).all()
    return {verdict or "": n for verdict, n in rows}


def reenrolment_review(*, session: Session, user: User, limit: int = 100) -> list[CandidateRow]:
    """Graduates whose follow-up assessment fell below the poverty line during monitoring."""
    rows = session.exec(
        rows_select(
            Family.id,
            Family.head_name,
            Family.programme_id,
            Area.name,
            Kelompok.name,
            User.full_name,
            FamilyReadiness.verdict,
            FamilyReadiness.warnings,
            FamilyReadiness.details,
        )
        .join(Area, col(Area.code) == Family.village_code)
        .join(FamilyReadiness, col(FamilyReadiness.family_id) == Family.id)
        .outerjoin(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .outerjoin(User, col(User.id) == Kelompok.pendamping_id)
        .where(
            family_clause(user),
            col(Family.status).in_(GRADUATED),
            col(FamilyReadiness.warnings).contains(ReadinessWarning.TINJAU_ULANG),
        )
        .order_by(col(Family.head_name))
        .limit(limit)
    ).all()
    return [_row(tuple(r)) for r in rows]


def scope_family_ids(*, session: Session, user: User) -> list[int]:
    return [
        i or 0
        for i in session.exec(
            select(Family.id).where(family_clause(user), col(Family.status) == FamilyStatus.AKTIF)
        ).all()
    ]


# --- yearly target ---


@dataclass
class PendampingProgress:
    pendamping_id: int
    name: str
    graduated: int
    in_review: int
    target: int

    @property
    def share(self) -> float:
        return min(1.0, self.graduated / self.target) if self.target else 1.0


def graduation_progress(
    *, session: Session, user: User, year: int, kecamatan: str = "", limit: int | None = None
) -> list[PendampingProgress]:
    """Graduations this year per pendamping in the user's scope (or a kecamatan of it), against the yearly target
    in force; with a limit, the first pendamping by name and only their figures."""
    target = rules_on(session=session, day=date(year, 12, 31)).yearly_target
    narrow = select(Kelompok.pendamping_id).where(kelompok_clause(user), *_within(Kelompok.village_code, kecamatan, ""))
    people_query = (
        select(User.id, User.full_name)
        .where(col(User.id).in_(narrow), User.role == Role.PENDAMPING)
        .order_by(col(User.full_name), col(User.id))
    )
    if limit is not None:
        people_query = people_query.limit(limit)
    people = session.exec(people_query).all()
    if not people:
        return []
    ids = [pid for pid, _ in people]
    graduated = dict(
        session.exec(
            select(Kelompok.pendamping_id, func.count())
            .join(Family, col(Family.kelompok_id) == Kelompok.id)
            .where(
                kelompok_clause(user),
                col(Kelompok.pendamping_id).in_(ids),
                col(Family.status).in_(GRADUATED),
                col(Family.exited_on) >= date(year, 1, 1),
                col(Family.exited_on) <= date(year, 12, 31),
            )
            .group_by(col(Kelompok.pendamping_id))
        ).all()
    )
    in_review = dict(
        session.exec(
            select(Kelompok.pendamping_id, func.count())
            .join(Family, col(Family.kelompok_id) == Kelompok.id)
            .join(GraduationProposal, col(GraduationProposal.family_id) == Family.id)
            .where(
                kelompok_clause(user),
                col(Kelompok.pendamping_id).in_(ids),
                col(GraduationProposal.status).in_(PROPOSAL_OPEN),
            )
            .group_by(col(Kelompok.pendamping_id))
        ).all()
    )
    return sorted(
        (
            PendampingProgress(pid or 0, name, graduated.get(pid, 0), in_review.get(pid, 0), target)
            for pid, name in people
        ),
        key=lambda p: p.name,
    )


# --- proposals ---


@dataclass
class ProposalRow:
    proposal: GraduationProposal
    family: Family
    kelompok_name: str
    village_name: str
    proposer_name: str


def proposal_get(*, session: Session, user: User, proposal_id: int) -> GraduationProposal:
    row = session.exec(
        select(GraduationProposal)
        .join(Family, col(Family.id) == GraduationProposal.family_id)
        .where(GraduationProposal.id == proposal_id, family_clause(user))
    ).first()
    if row is None:
        raise NotFound(N_("Usulan graduasi tidak ditemukan."))
    return row


def _proposal_query(user: User) -> RowsSelect:
    proposer = aliased(User)
    return (
        rows_select(GraduationProposal, Family, Kelompok.name, Area.name, proposer.full_name)
        .join(Family, col(Family.id) == GraduationProposal.family_id)
        .join(Area, col(Area.code) == Family.village_code)
        .outerjoin(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .outerjoin(proposer, col(proposer.id) == GraduationProposal.proposed_by_id)
        .where(family_clause(user))
    )


def proposals_list(*, session: Session, user: User, status: str, limit: int, offset: int) -> list[ProposalRow]:
    query = _proposal_query(user).order_by(
        col(GraduationProposal.proposed_at).desc(), col(GraduationProposal.id).desc()
    )
    if status:
        query = query.where(col(GraduationProposal.status) == status)
    rows = session.exec(query.limit(limit).offset(offset)).all()
    return [ProposalRow(p, f, k or "–", v, n or "–") for p, f, k, v, n in rows]


@dataclass
class EventLine:
    event: GraduationEvent
    user_name: str


def proposal_events(*, session: Session, proposal_id: int) -> list[EventLine]:
    rows = session.exec(
        select(GraduationEvent, User.full_name)
        .outerjoin(User, col(User.id) == GraduationEvent.user_id)
        .where(GraduationEvent.proposal_id == proposal_id)
        .order_by(col(GraduationEvent.at), col(GraduationEvent.id))
    ).all()
    return [EventLine(e, n or "–") for e, n in rows]


def document_get(*, session: Session, user: User, document_id: int) -> Document:
    row = session.exec(
        select(Document)
        .join(Family, col(Family.id) == Document.family_id)
        .where(Document.id == document_id, family_clause(user))
    ).first()
    if row is None:
        raise NotFound(N_("Dokumen tidak ditemukan."))
    return row


@dataclass
class BeritaAcaraRow:
    proposal: GraduationProposal
    family: Family
    kelompok_name: str
    village_name: str
    proposer_name: str
    decider_name: str


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=JAKARTA)


def approved_between(*, session: Session, user: User, first: date, last: date) -> list[BeritaAcaraRow]:
    """Approved graduations decided in [first, last] (Jakarta days), within the user's scope."""
    decider = aliased(User)
    proposer = aliased(User)
    rows = session.exec(
        rows_select(GraduationProposal, Family, Kelompok.name, Area.name, proposer.full_name, decider.full_name)
        .join(Family, col(Family.id) == GraduationProposal.family_id)
        .join(Area, col(Area.code) == Family.village_code)
        .outerjoin(Kelompok, col(Kelompok.id) == Family.kelompok_id)
        .outerjoin(proposer, col(proposer.id) == GraduationProposal.proposed_by_id)
        .outerjoin(decider, col(decider.id) == GraduationProposal.decided_by_id)
        .where(
            family_clause(user),
            GraduationProposal.status == ProposalStatus.DISETUJUI,
            col(GraduationProposal.decided_at) >= _local_start(first),
            col(GraduationProposal.decided_at) < _local_start(last + timedelta(days=1)),
        )
        .order_by(col(Area.name), col(Family.head_name))
    ).all()
    return [BeritaAcaraRow(p, f, k or "–", v, pn or "–", dn or "–") for p, f, k, v, pn, dn in rows]


# --- the family page's panel ---


@dataclass
class FamilyGraduationPanel:
    verdict: Verdict
    open_proposal: GraduationProposal | None
    proposals: list[GraduationProposal]
    can_propose: bool
    monitor_until: date | None
    can_propose_exit: bool = False  # an exit the rules do not flag (mengundurkan diri, musyawarah)


def family_graduation_panel(
    *, session: Session, user: User, family: Family, kelompok: Kelompok | None, today: date
) -> FamilyGraduationPanel:
    """The verdict computed now (always current), the family's proposals and whether this user may propose."""
    verdict = readiness_evaluate_many(session=session, family_ids=[family.id or 0], today=today)[family.id or 0]
    proposals = list(
        session.exec(
            select(GraduationProposal)
            .where(GraduationProposal.family_id == family.id)
            .order_by(col(GraduationProposal.proposed_at).desc())
        ).all()
    )
    open_proposal = proposal_open(session=session, family_id=family.id or 0)
    can_propose_exit = (
        proposal_can_create(user, family, kelompok) and family.status == FamilyStatus.AKTIF and open_proposal is None
    )
    can_propose = can_propose_exit and verdict.route is not None
    approved = [p.monitor_until for p in proposals if p.status == ProposalStatus.DISETUJUI and p.monitor_until]
    return FamilyGraduationPanel(
        verdict, open_proposal, proposals, can_propose, max(approved) if approved else None, can_propose_exit
    )


def readiness_evaluate_many(*, session: Session, family_ids: Sequence[int] | None, today: date) -> dict[int, Verdict]:
    """Verdicts for the given families (None = all; a range = that id range), computed from a handful of
    aggregate queries; nothing written."""
    rules = rules_on(session=session, day=today)
    facts = facts_load(session=session, family_ids=family_ids, today=today, rules=rules)
    return {family_id: readiness_evaluate(f, today=today, rules=rules) for family_id, f in facts.items()}


def proposal_open(*, session: Session, family_id: int) -> GraduationProposal | None:
    return session.exec(
        select(GraduationProposal).where(
            GraduationProposal.family_id == family_id, col(GraduationProposal.status).in_(PROPOSAL_OPEN)
        )
    ).first()


def rule_parameters_history(*, session: Session) -> list[RuleParameter]:
    """Every stored rule parameter value, by key, newest first."""
    return list(
        session.exec(
            select(RuleParameter).order_by(col(RuleParameter.key), col(RuleParameter.effective_from).desc())
        ).all()
    )
