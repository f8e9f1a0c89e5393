"""Supervision pages: quality checklist of a meeting, a kelompok's months to verify and lock, corrections."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.access import (
    DASHBOARD_ROLES,
    SUPERVISING_ROLES,
    correction_require_requester,
    kelompok_can_supervise,
    kelompok_get,
    kelompok_require_supervisor,
    meeting_get,
    require_role,
    role_is,
)
from app.auth.deps import CurrentUser
from app.dashboard.forms import parse_month, period_parse
from app.dashboard.lists import user_name
from app.dashboard.queries import Scope
from app.dashboard.scope import area_resolve
from app.db import SessionDep
from app.errors import NotFound, RuleViolation
from app.forms import FormErrors, form_refusal, parse_int, parse_text
from app.i18n import N_
from app.meetings.queries import meeting_page_context
from app.models import CorrectionRequest
from app.supervision import queries, rules, service
from app.web import Today, redirect, render

router = APIRouter()


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


# --- quality review of a meeting ---


def _review_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    meeting_id: int,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    context = {
        "meeting": meeting,
        "kelompok": kelompok,
        "values": values,
        "errors": errors,
        "checklist": rules.CHECKLIST,
    }
    return render(request, "supervision/review.html", context, status=422 if errors else 200)


@router.get("/pertemuan/{meeting_id}/penilaian/baru", name="quality_new")
def quality_new(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser) -> Response:
    _meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)  # out of scope: 404 first
    kelompok_require_supervisor(user, kelompok)
    return _review_page(request, session, user, meeting_id, {}, {})


@router.post("/pertemuan/{meeting_id}/penilaian", name="quality_create")
async def quality_create(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    kelompok_require_supervisor(user, kelompok)
    values = await _form(request)
    errors = FormErrors()
    marks: dict[str, int] = {}
    for key, _label in rules.CHECKLIST:
        value = parse_int(values.get(key, ""), name=key, errors=errors, minimum=0, maximum=rules.MARK_MAX)
        if value is not None:
            marks[key] = value
    notes = parse_text(values.get("notes", ""), name="notes", errors=errors, max_length=2000)
    if not errors:
        with form_refusal(session=session, errors=errors):
            service.quality_review_create(session=session, user=user, meeting=meeting, marks=marks, notes=notes)
            return redirect(request.url_for("meeting_detail", meeting_id=meeting_id), request)
    return _review_page(request, session, user, meeting_id, values, errors.messages)


@router.get("/supervisi/penilaian", name="quality_list")
def quality_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    today: Today,
    wilayah: str = "",
    dari: str = "",
    sampai: str = "",
    pendamping: int | None = None,
) -> Response:
    require_role(user, *DASHBOARD_ROLES)
    area = area_resolve(session=session, user=user, code=wilayah)
    period, values, errors = period_parse(dari=dari, sampai=sampai, today=today)
    values["wilayah"] = area.code if area else ""
    rows = (
        []
        if errors
        else queries.quality_reviews(
            session=session, scope=Scope(user=user, area=area, period=period), pendamping_id=pendamping
        )
    )
    context = {
        "rows": rows,
        "values": values,
        "errors": errors.messages,
        "area": area,
        "filters": {k: v for k, v in values.items() if v},
        "pendamping": pendamping,
        "pendamping_name": user_name(session=session, user_id=pendamping),
        "checklist": rules.CHECKLIST,
        "trail": [],
        "filter_route": "quality_list",
        "extra_hidden": {"pendamping": pendamping} if pendamping else {},
    }
    return render(request, "supervision/quality_list.html", context, status=422 if errors else 200)


# --- verify and lock a kelompok's month ---


def _kelompok_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    kelompok_id: int,
    errors: dict[str, str],
    today: Today,
    status: int = 200,
) -> Response:
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    months = queries.kelompok_months(session=session, kelompok_id=kelompok_id, dialect=session.get_bind().dialect.name)
    context = {
        "kelompok": kelompok,
        "months": months,
        "errors": errors,
        "today": today,
        "can_lock": kelompok_can_supervise(user, kelompok),
        "this_month": today.replace(day=1),
    }
    return render(request, "supervision/kelompok.html", context, status=status)


@router.get("/kelompok/{kelompok_id}/supervisi", name="supervision_kelompok")
def supervision_kelompok(
    request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    return _kelompok_page(request, session, user, kelompok_id, {}, today)


@router.post("/kelompok/{kelompok_id}/kunci", name="month_lock")
async def month_lock(
    request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    kelompok_require_supervisor(user, kelompok)
    values = await _form(request)
    errors = FormErrors()
    month = parse_month(values.get("bulan", ""), name="bulan", errors=errors)
    if month is not None:
        with form_refusal(session=session, errors=errors, field="form"):
            service.month_lock(session=session, user=user, kelompok=kelompok, month=month, today=today)
            return redirect(request.url_for("supervision_kelompok", kelompok_id=kelompok_id), request)
    return _kelompok_page(
        request, session, user, kelompok_id, {"form": next(iter(errors.messages.values()))}, today, status=422
    )


# --- correction requests ---


@router.post("/pertemuan/{meeting_id}/koreksi", name="correction_create")
async def correction_create(
    request: Request, meeting_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    correction_require_requester(user, kelompok)
    values = await _form(request)
    errors = FormErrors()
    family_id = parse_int(values.get("family_id", ""), name="family_id", errors=errors, minimum=1)
    reason = parse_text(values.get("reason", ""), name="reason", errors=errors, required=True, max_length=1000)
    if not errors and family_id is not None:
        with form_refusal(session=session, errors=errors):
            service.correction_request_create(
                session=session,
                user=user,
                kelompok=kelompok,
                meeting=meeting,
                family_id=family_id,
                requested_status=values.get("requested_status", ""),
                reason=reason,
            )
            return redirect(request.url_for("meeting_detail", meeting_id=meeting_id), request)
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    context = {
        **meeting_page_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today),
        "errors": errors.messages,
        "correction_values": values,
    }
    return render(request, "meetings/detail.html", context, status=422)


@router.get("/supervisi/koreksi", name="correction_list")
def correction_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    rows = queries.corrections_pending(session=session, user=user)
    return render(
        request,
        "supervision/corrections.html",
        {"rows": rows, "can_decide": role_is(user, *SUPERVISING_ROLES), "errors": {}},
    )


@router.post("/koreksi/{request_id}/keputusan", name="correction_decide")
def correction_decide(
    request: Request,
    request_id: int,
    session: SessionDep,
    user: CurrentUser,
    keputusan: Annotated[str, Form()] = "",
    decision_note: Annotated[str, Form()] = "",
) -> Response:
    """A plain `def`: on SQLite a writer in a worker thread queues for the write lock instead of answering 503."""
    require_role(user, *SUPERVISING_ROLES)
    correction = session.get(CorrectionRequest, request_id)
    if correction is None:
        raise NotFound(N_("Permintaan koreksi tidak ditemukan."))
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=correction.meeting_id)
    kelompok_require_supervisor(user, kelompok)
    values = {"keputusan": keputusan, "decision_note": decision_note}
    decision = keputusan
    with form_refusal(session=session) as errors:
        if decision not in ("terima", "tolak"):
            raise RuleViolation(N_("Pilih terima atau tolak."))
        service.correction_decide(
            session=session,
            user=user,
            request=correction,
            meeting=meeting,
            accept=decision == "terima",
            note=values.get("decision_note", ""),
        )
        return redirect(request.url_for("correction_list"), request)
    rows = queries.corrections_pending(session=session, user=user)
    context = {
        "rows": rows,
        "can_decide": True,
        "values": values,
        "errors": {**errors.messages, "request_id": str(request_id)},
    }
    return render(request, "supervision/corrections.html", context, status=422)
