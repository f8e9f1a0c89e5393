"""Assessment pages: record at a home visit (phone first), read one, complete a draft."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.access import family_can_edit, family_get, family_kelompok, family_require_editor
from app.assessments import service
from app.assessments.forms import ECONOMY_FLAGS, KINDS, NOT_APPLICABLE, assessment_input_parse, indicator_field
from app.assessments.queries import (
    assessment_get,
    assessment_values,
    core_modules,
    domains_list,
    indicators_all,
    indicators_required,
)
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.forms import form_refusal, form_values
from app.models import Assessment, AssessmentKind, CurriculumModule, Family, User
from app.web import Today, redirect, render

router = APIRouter()


def _form_context(
    session: Session, family: Family, assessment: Assessment | None, values: dict[str, str], errors: dict[str, str]
) -> dict[str, Any]:
    return {
        "family": family,
        "assessment": assessment,
        "values": values,
        "errors": errors,
        "kinds": KINDS,
        "modules": core_modules(session=session),
        "domains": domains_list(session=session),
        "indicators": indicators_all(session=session, active_only=True),
        "economy_flags": ECONOMY_FLAGS,
        "field": indicator_field,
        "na": NOT_APPLICABLE,
    }


def _form_page(
    request: Request,
    session: Session,
    family: Family,
    assessment: Assessment | None,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    context = _form_context(session, family, assessment, values, errors)
    return render(
        request,
        "assessments/form.html",
        context,
        targets={"assessment-form": "assessment_form"},
        status=422 if errors else 200,
    )


def _values_of(assessment: Assessment, session: Session) -> dict[str, str]:
    """The stored assessment as form values, so editing a draft starts from what was recorded."""

    def yes_no(value: bool | None) -> str:
        return "" if value is None else ("ya" if value else "tidak")

    def text(value: object) -> str:
        return "" if value is None else str(value)

    values = {
        "kind": assessment.kind,
        "assessed_on": assessment.assessed_on.isoformat(),
        "module_id": text(assessment.module_id),
        "household_size": text(assessment.household_size),
        "monthly_income": text(assessment.monthly_income),
        "monthly_spending": text(assessment.monthly_spending),
        "income_sources": text(assessment.income_sources),
        "desil": text(assessment.desil),
        "notes": assessment.notes,
    }
    values.update({name: yes_no(getattr(assessment, name)) for name in ECONOMY_FLAGS})
    for indicator_id, row in assessment_values(session=session, assessment_id=assessment.id or 0).items():
        if row.value_bool is not None:
            values[indicator_field(indicator_id)] = yes_no(row.value_bool)
        elif row.value_num is not None:
            values[indicator_field(indicator_id)] = f"{row.value_num:g}"
        else:
            values[indicator_field(indicator_id)] = NOT_APPLICABLE
    return values


async def _save(
    request: Request, session: Session, user: User, family: Family, assessment: Assessment | None, today: Today
) -> Response:
    values = await form_values(request)
    indicators = indicators_all(session=session, active_only=True)
    module_ids = {m.id or 0 for m in core_modules(session=session)}
    data, errors = assessment_input_parse(values, indicators=indicators, module_ids=module_ids, today=today)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            saved = service.assessment_save(session=session, user=user, family=family, data=data, assessment=assessment)
            return redirect(request.url_for("assessment_detail", assessment_id=saved.id), request)
    return _form_page(request, session, family, assessment, values, errors.messages)


@router.get("/kpm/{family_id}/asesmen/baru", name="assessment_new")
def assessment_new(request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    family_require_editor(user, family, family_kelompok(session=session, family=family))
    values = {"kind": AssessmentKind.BASELINE, "assessed_on": today.isoformat()}
    return _form_page(request, session, family, None, values, {})


@router.post("/kpm/{family_id}/asesmen", name="assessment_create")
async def assessment_create(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    family_require_editor(user, family, family_kelompok(session=session, family=family))
    return await _save(request, session, user, family, None, today)


@router.get("/asesmen/{assessment_id}", name="assessment_detail")
def assessment_detail(request: Request, assessment_id: int, session: SessionDep, user: CurrentUser) -> Response:
    assessment = assessment_get(session=session, user=user, assessment_id=assessment_id)
    family = family_get(session=session, user=user, family_id=assessment.family_id)
    module = session.get(CurriculumModule, assessment.module_id) if assessment.module_id else None
    stored = assessment_values(session=session, assessment_id=assessment_id)
    asked = indicators_required(
        indicators_all(session=session, active_only=True),
        kind=assessment.kind,
        module_code=module.code if module else None,
    )
    catalogue = {i.id: i for i in indicators_all(session=session, active_only=False)}
    shown = [catalogue[i] for i in stored if i in catalogue] + [i for i in asked if i.id not in stored]
    order = {i.id: n for n, i in enumerate(indicators_all(session=session, active_only=False))}
    context = {
        "assessment": assessment,
        "family": family,
        "module": module,
        "kinds": KINDS,
        "values": stored,
        "indicators": sorted(shown, key=lambda i: order.get(i.id, 0)),
        "domains": dict(domains_list(session=session)),
        "economy_flags": ECONOMY_FLAGS,
        "observer": session.get(User, assessment.observer_id) if assessment.observer_id else None,
        "missing": sum(1 for i in asked if i.id not in stored),
        "can_edit": family_can_edit(user, family, family_kelompok(session=session, family=family)),
    }
    return render(request, "assessments/detail.html", context)


@router.get("/asesmen/{assessment_id}/ubah", name="assessment_edit")
def assessment_edit(request: Request, assessment_id: int, session: SessionDep, user: CurrentUser) -> Response:
    assessment = assessment_get(session=session, user=user, assessment_id=assessment_id)
    family = family_get(session=session, user=user, family_id=assessment.family_id)
    family_require_editor(user, family, family_kelompok(session=session, family=family))
    return _form_page(request, session, family, assessment, _values_of(assessment, session), {})


@router.post("/asesmen/{assessment_id}/ubah", name="assessment_update")
async def assessment_update(
    request: Request, assessment_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    assessment = assessment_get(session=session, user=user, assessment_id=assessment_id)
    family = family_get(session=session, user=user, family_id=assessment.family_id)
    family_require_editor(user, family, family_kelompok(session=session, family=family))
    return await _save(request, session, user, family, assessment, today)
