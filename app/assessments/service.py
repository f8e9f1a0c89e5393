"""Writing assessments and the indicator catalogue; every change audited, readiness recomputed."""

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.access import family_kelompok, family_require_editor, require_role
from app.assessments.forms import Answer, AssessmentInput, IndicatorInput
from app.assessments.queries import indicators_all, indicators_required
from app.assessments.rules import assessment_is_complete
from app.audit import audit_record, snapshot
from app.db import rows_select
from app.errors import NotFound, RuleViolation
from app.graduation.facts import indicator_answered, indicator_met
from app.graduation.service import readiness_recompute
from app.i18n import N_
from app.models import (
    Assessment,
    AssessmentStatus,
    AssessmentValue,
    CurriculumModule,
    Family,
    Indicator,
    Role,
    User,
    utcnow,
)


def _require_recorder(session: Session, user: User, family: Family) -> None:
    """Only the family's own pendamping (or an admin) records what was observed at the home visit."""
    family_require_editor(user, family, family_kelompok(session=session, family=family))


def _values_snapshot(values: dict[int, AssessmentValue]) -> dict[str, Any]:
    return {str(k): [v.value_bool, v.value_num, v.observed_on.isoformat()] for k, v in sorted(values.items())}


def assessment_save(
    *, session: Session, user: User, family: Family, data: AssessmentInput, assessment: Assessment | None = None
) -> Assessment:
    """Create or update; saved as draf when incomplete (or asked), so missing items stay "unknown"."""
    _require_recorder(session, user, family)
    module = session.get(CurriculumModule, data.module_id) if data.module_id else None
    module_code = module.code if module is not None else None
    required = indicators_required(
        indicators_all(session=session, active_only=True), kind=data.kind, module_code=module_code
    )
    complete = assessment_is_complete(data=data, required=required)
    before = snapshot(assessment)
    existing = _values(session, assessment)
    before_values = _values_snapshot(existing)
    if assessment is None:
        assessment = Assessment(family_id=family.id or 0, kind=data.kind, assessed_on=data.assessed_on)
    _fields_apply(
        assessment,
        data,
        user=user,
        status=AssessmentStatus.FINAL if complete and not data.draft_requested else AssessmentStatus.DRAF,
    )
    session.add(assessment)
    session.flush()
    values = _answers_apply(session, assessment=assessment, existing=existing, answers=data.answers, user=user)
    audit_record(
        session=session,
        user=user,
        entity="assessment",
        entity_id=assessment.id,
        action="create" if before is None else "update",
        before=None if before is None else {**before, "values": before_values},
        after={**(snapshot(assessment) or {}), "values": _values_snapshot(values)},
    )
    assessment_scores_refresh(session=session, assessment_ids=[assessment.id or 0])
    readiness_recompute(session=session, family_id=family.id or 0)
    session.commit()
    return assessment


def assessment_scores_recount() -> dict[str, Any]:
    """Per assessment, correlated to its row: indicators met and answered, counted from its values."""
    values = (
        rows_select()
        .select_from(AssessmentValue)
        .join(Indicator, col(Indicator.id) == AssessmentValue.indicator_id)
        .where(col(AssessmentValue.assessment_id) == Assessment.id)
    )
    return {
        "score_met": values.add_columns(func.sum(indicator_met())).scalar_subquery(),
        "score_answered": values.add_columns(func.sum(indicator_answered())).scalar_subquery(),
    }


def assessment_scores_refresh(*, session: Session, assessment_ids: Iterable[int] | None = None) -> None:
    """Store each assessment's indicators met and answered (its score's parts), so readiness reads one row per
    assessment instead of every value. None: every assessment (bulk loads)."""
    stmt = update(Assessment).values(**assessment_scores_recount())
    if assessment_ids is not None:
        stmt = stmt.where(col(Assessment.id).in_(list(assessment_ids)))
    session.execute(stmt.execution_options(synchronize_session=False))


def _values(session: Session, assessment: Assessment | None) -> dict[int, AssessmentValue]:
    if assessment is None:
        return {}
    rows = session.exec(select(AssessmentValue).where(AssessmentValue.assessment_id == assessment.id)).all()
    return {v.indicator_id: v for v in rows}


def _fields_apply(assessment: Assessment, data: AssessmentInput, *, user: User, status: str) -> None:
    assessment.kind, assessment.assessed_on, assessment.module_id = data.kind, data.assessed_on, data.module_id
    assessment.household_size, assessment.monthly_income = data.household_size, data.monthly_income
    assessment.monthly_spending, assessment.income_sources, assessment.desil = (
        data.monthly_spending,
        data.income_sources,
        data.desil,
    )
    for name, value in data.flags.items():
        setattr(assessment, name, value)
    assessment.notes, assessment.status, assessment.updated_at = data.notes, status, utcnow()
    assessment.observer_id = user.id


def _answers_apply(
    session: Session,
    *,
    assessment: Assessment,
    existing: dict[int, AssessmentValue],
    answers: dict[int, Answer],
    user: User,
) -> dict[int, AssessmentValue]:
    """Unchanged answers keep their date and observer; changed or new ones carry this visit's."""
    kept: dict[int, AssessmentValue] = {}
    for indicator_id, answer in answers.items():
        row = existing.get(indicator_id)
        if row is not None and (row.value_bool, row.value_num) == (answer.value_bool, answer.value_num):
            kept[indicator_id] = row
            continue
        row = row or AssessmentValue(
            assessment_id=assessment.id or 0, indicator_id=indicator_id, observed_on=assessment.assessed_on
        )
        row.value_bool, row.value_num = answer.value_bool, answer.value_num
        row.observed_on, row.observer_id = assessment.assessed_on, user.id
        session.add(row)
        kept[indicator_id] = row
    for indicator_id, row in existing.items():
        if indicator_id not in answers:
            session.delete(row)
    session.flush()
    return kept


# --- the indicator catalogue (admin) ---


def _code_for(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40] or "indikator"
    code, n = base, 2
    while code in taken:
        code, n = f"{base[:40]}_{n}", n + 1
    return code


def indicator_add(*, session: Session, user: User, data: IndicatorInput) -> Indicator:
    require_role(user, Role.ADMIN)
    taken = set(session.exec(select(Indicator.code)).all())
    position = session.exec(select(func.max(Indicator.position)).where(Indicator.domain == data.domain)).one() or 0
    indicator = Indicator(
        code=_code_for(data.label, taken),
        domain=data.domain,
        label=data.label,
        value_type=data.value_type,
        target=data.target,
        position=position + 1,
    )
    session.add(indicator)
    session.flush()
    audit_record(
        session=session,
        user=user,
        entity="indicator",
        entity_id=indicator.id,
        action="create",
        after=snapshot(indicator),
    )
    session.commit()
    return indicator


def _indicator_active(session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None or not indicator.active:
        raise NotFound(N_("Indikator tidak ditemukan."))
    return indicator


def indicator_retire(*, session: Session, user: User, indicator_id: int) -> Indicator:
    """Retired indicators are no longer asked; past answers keep their original wording."""
    require_role(user, Role.ADMIN)
    indicator = _indicator_active(session, indicator_id)
    before = snapshot(indicator)
    indicator.active, indicator.retired_at = False, utcnow()
    session.add(indicator)
    audit_record(
        session=session,
        user=user,
        entity="indicator",
        entity_id=indicator.id,
        action="retire",
        before=before,
        after=snapshot(indicator),
    )
    session.commit()
    return indicator


def indicator_reword(*, session: Session, user: User, indicator_id: int, label: str) -> Indicator:
    """A new wording is a new indicator in the same place; the old one retires with its answers intact."""
    require_role(user, Role.ADMIN)
    old = _indicator_active(session, indicator_id)
    label = label.strip()
    if not label or len(label) > 300:
        raise RuleViolation(N_("Tulis rumusan baru (maksimal 300 karakter)."), field="label")
    if label == old.label:
        raise RuleViolation(N_("Rumusan baru sama dengan yang lama."), field="label")
    retired = snapshot(old)
    old.active, old.retired_at = False, utcnow()
    session.add(old)
    taken = set(session.exec(select(Indicator.code)).all())
    new = Indicator(
        code=_code_for(f"{old.code}_v", taken | {old.code}),
        domain=old.domain,
        label=label,
        value_type=old.value_type,
        target=old.target,
        position=old.position,
    )
    session.add(new)
    session.flush()
    audit_record(
        session=session,
        user=user,
        entity="indicator",
        entity_id=old.id,
        action="retire",
        before=retired,
        after=snapshot(old),
    )
    audit_record(
        session=session,
        user=user,
        entity="indicator",
        entity_id=new.id,
        action="reword",
        before=retired,
        after=snapshot(new),
    )
    session.commit()
    return new
