"""Reading assessments: the indicator catalogue, a family's assessments with domain scores, one assessment."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.access import family_clause
from app.assessments.scores import DomainTrend, ScorePoint, score_share
from app.errors import NotFound
from app.graduation.facts import indicator_answered, indicator_met
from app.i18n import N_
from app.models import (
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    AssessmentValue,
    CurriculumModule,
    Family,
    Indicator,
    User,
)


def domains_list(*, session: Session) -> list[tuple[str, str]]:
    """(code, title) of the core modules in teaching order: the domains of the indicators."""
    rows = session.exec(
        select(CurriculumModule.code, CurriculumModule.title)
        .where(col(CurriculumModule.core).is_(True))
        .order_by(col(CurriculumModule.no))
    ).all()
    return [(c, t) for c, t in rows]


def core_modules(*, session: Session) -> list[CurriculumModule]:
    return list(
        session.exec(
            select(CurriculumModule).where(col(CurriculumModule.core).is_(True)).order_by(col(CurriculumModule.no))
        ).all()
    )


def indicators_all(*, session: Session, active_only: bool) -> list[Indicator]:
    order = {code: i for i, (code, _) in enumerate(domains_list(session=session))}
    query = select(Indicator)
    if active_only:
        query = query.where(col(Indicator.active).is_(True))
    rows = list(session.exec(query).all())
    return sorted(rows, key=lambda i: (order.get(i.domain, 99), i.position, i.id or 0))


def indicators_required(indicators: list[Indicator], *, kind: str, module_code: str | None) -> list[Indicator]:
    """A follow-up after a module asks that module's indicators; monitoring after graduation asks only the
    economic profile; baseline and graduation assessments ask them all."""
    active = [i for i in indicators if i.active]
    if kind == AssessmentKind.PEMANTAUAN:
        return []
    if kind == AssessmentKind.LANJUTAN and module_code:
        return [i for i in active if i.domain == module_code]
    return active


def assessment_get(*, session: Session, user: User, assessment_id: int) -> Assessment:
    row = session.exec(
        select(Assessment)
        .join(Family, col(Family.id) == Assessment.family_id)
        .where(Assessment.id == assessment_id, family_clause(user))
    ).first()
    if row is None:
        raise NotFound(N_("Asesmen tidak ditemukan."))
    return row


def assessment_values(*, session: Session, assessment_id: int) -> dict[int, AssessmentValue]:
    rows = session.exec(select(AssessmentValue).where(AssessmentValue.assessment_id == assessment_id)).all()
    return {v.indicator_id: v for v in rows}


@dataclass
class AssessmentSummary:
    assessment: Assessment
    observer_name: str
    domain_scores: dict[str, float | None] = field(default_factory=dict)
    overall: float | None = None


def family_assessments(*, session: Session, family_id: int) -> list[AssessmentSummary]:
    """The family's assessments, newest first, each with its score per domain (one grouped query)."""
    rows = session.exec(
        select(Assessment, User.full_name)
        .outerjoin(User, col(User.id) == Assessment.observer_id)
        .where(Assessment.family_id == family_id)
        .order_by(col(Assessment.assessed_on).desc(), col(Assessment.id).desc())
    ).all()
    summaries = {a.id: AssessmentSummary(a, n or "–") for a, n in rows}
    scores = session.exec(
        select(
            AssessmentValue.assessment_id, Indicator.domain, func.sum(indicator_met()), func.sum(indicator_answered())
        )
        .join(Indicator, col(Indicator.id) == AssessmentValue.indicator_id)
        .join(Assessment, col(Assessment.id) == AssessmentValue.assessment_id)
        .where(Assessment.family_id == family_id)
        .group_by(col(AssessmentValue.assessment_id), col(Indicator.domain))
    ).all()
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for assessment_id, domain, met, answered in scores:
        summaries[assessment_id].domain_scores[domain] = score_share(int(met or 0), int(answered or 0))
        totals[assessment_id][0] += int(met or 0)
        totals[assessment_id][1] += int(answered or 0)
    for assessment_id, (met, answered) in totals.items():
        summaries[assessment_id].overall = score_share(met, answered)
    return list(summaries.values())


def domain_trends(*, summaries: list[AssessmentSummary], domains: list[tuple[str, str]]) -> list[DomainTrend]:
    """Per domain, the scores of final assessments oldest first (drafts are incomplete, so they do not count)."""
    finals = sorted(
        (s for s in summaries if s.assessment.status == AssessmentStatus.FINAL),
        key=lambda s: (s.assessment.assessed_on, s.assessment.id or 0),
    )
    trends = []
    for code, title in domains:
        points = tuple(
            ScorePoint(s.assessment.assessed_on, score)
            for s in finals
            if (score := s.domain_scores.get(code)) is not None
        )
        trends.append(DomainTrend(code, title, points))
    return trends
