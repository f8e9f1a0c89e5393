"""Case pages: the list and work queue, opening a case, its page with notes, status, referrals and outcomes,
break-the-glass and the log of reads of confidential cases."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.access import (
    BREAK_GLASS_MINUTES,
    CASE_NOT_FOUND,
    case_can_edit,
    case_get,
    case_log_can_view,
    case_may_break_glass,
    case_require_creator,
    family_kelompok,
)
from app.auth.deps import CurrentUser
from app.cases import queries, service
from app.cases.forms import (
    CASE_TYPES,
    SERVICES,
    URGENCIES,
    case_input_parse,
    note_input_parse,
    outcome_input_parse,
    reason_parse,
    referral_input_parse,
    status_input_parse,
)
from app.cases.labels import LABELS
from app.cases.rules import case_next_statuses
from app.clock import today_local
from app.db import SessionDep
from app.errors import EditConflict, Forbidden, NotFound
from app.forms import FormErrors, form_refusal, form_values
from app.i18n import N_
from app.models import CASE_ACCESS_ACTIONS, CaseFile, Family, User, utcnow
from app.versioning import form_token_new, version_parse
from app.web import Today, redirect, render

router = APIRouter()
PAGE_SIZE = 50
SEARCH_MAX = 100


def _page(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 5 and int(raw) > 0 else 1


# --- lists and the work queue ---


@router.get("/kasus", name="case_list")
def case_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: str = "",
    jenis: str = "",
    status: str = "",
    halaman: str = "1",
) -> Response:
    page = _page(halaman)
    filters = queries.CaseFilters(
        q=q.strip()[:SEARCH_MAX],
        case_type=jenis if jenis in CASE_TYPES else "",
        status=status if status in LABELS["statuses"] else "",
    )
    rows = queries.case_list(
        session=session, user=user, filters=filters, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    context = {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "filters": {"q": filters.q, "jenis": filters.case_type, "status": filters.status},
        "counts": queries.case_counts(session=session, user=user),
        "labels": LABELS,
        "types": CASE_TYPES,
    }
    return render(request, "cases/list.html", context, targets={"case-table": "case_table"})


@router.get("/kasus/antrian", name="case_queue")
def case_queue(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    context = queries.case_home_context(session=session, user=user, today=today)
    return render(request, "cases/queue.html", context, targets={"case-queue": "queue"})


@router.get("/kasus/rujukan-terlambat", name="referrals_overdue")
def referrals_overdue(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    rows, days = queries.referrals_waiting(session=session, user=user, today=today, only_overdue=True, limit=200)
    return render(request, "cases/overdue.html", {"rows": rows, "days": days, "labels": LABELS})


@router.get("/kasus/akses", name="case_access_log", include_in_schema=False)
def case_access_log(request: Request, session: SessionDep, user: CurrentUser, halaman: str = "1") -> Response:
    if not case_log_can_view(user):
        raise Forbidden(N_("Log akses kasus rahasia hanya untuk supervisor wilayah."))
    page = _page(halaman)
    rows = queries.case_access_log(session=session, user=user, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    context = {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "actions": CASE_ACCESS_ACTIONS,
    }
    return render(request, "cases/access_log.html", context)


# --- opening a case ---


def _new_page(
    request: Request,
    session: SessionDep,
    user: User,
    values: dict[str, str],
    errors: dict[str, str],
    family: Family | None,
) -> Response:
    kelompok = family_kelompok(session=session, family=family) if family else None
    context = {
        "values": values,
        "errors": errors,
        "family": family,
        "members": queries.member_options(session=session, family=family) if family else [],
        "workers": queries.case_worker_options(session=session, user=user, family=family, kelompok=kelompok)
        if family
        else [user],
        "labels": LABELS,
        "types": CASE_TYPES,
        "urgencies": URGENCIES,
    }
    return render(request, "cases/new.html", context, status=422 if errors else 200)


@router.get("/kasus/baru", name="case_new")
def case_new(request: Request, session: SessionDep, user: CurrentUser, today: Today, kpm: str = "") -> Response:
    family = queries.case_family_find(session=session, user=user, programme_id=kpm[:64]) if kpm else None
    if family is not None:
        case_require_creator(user, family, family_kelompok(session=session, family=family))
    values = {
        "kpm": family.programme_id if family else kpm[:64],
        "opened_on": today.isoformat(),
        "worker_id": str(user.id),
        "form_token": form_token_new(),
    }
    return _new_page(request, session, user, values, {}, family)


@router.post("/kasus", name="case_create")
async def case_create(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    values = await form_values(request)
    data, errors = case_input_parse(values)
    family = queries.case_family_find(session=session, user=user, programme_id=values.get("kpm", "")[:64])
    if family is None and "kpm" not in errors.messages:
        errors.add("kpm", N_("KPM dengan ID ini tidak ada di wilayah Anda. Periksa ID KPM (ID PKH) yang diketik."))
    if data is not None and family is not None:
        kelompok = family_kelompok(session=session, family=family)
        case_require_creator(user, family, kelompok)
        with form_refusal(session=session, errors=errors):
            case = service.case_create(
                session=session,
                user=user,
                family=family,
                kelompok=kelompok,
                data=data,
                form_token=values.get("form_token", "")[:64],
            )
            return redirect(request.url_for("case_detail", case_id=case.id), request)
        family = queries.case_family_find(session=session, user=user, programme_id=values.get("kpm", "")[:64])
    return _new_page(request, session, user, values, errors.messages, family)


# --- one case ---


def _case_page(
    request: Request,
    session: SessionDep,
    user: User,
    case_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    outcome_for: int | None = None,
    status: int = 200,
) -> Response:
    case, family, via_glass = case_get(session=session, user=user, case_id=case_id, now=utcnow())
    kelompok = family_kelompok(session=session, family=family)
    service.case_read_record(session=session, user=user, case=case, detail="darurat" if via_glass else "")
    can_edit = not via_glass and case_can_edit(user, case, family, kelompok)
    context = {
        "case": case,
        "family": family,
        "detail": queries.case_detail(session=session, case=case),
        "can_edit": can_edit,
        "via_glass": via_glass,
        "next_statuses": case_next_statuses(case.status) if can_edit else (),
        "log": queries.case_access_log(session=session, user=user, case_id=case.id, limit=20),
        "log_visible": case_log_can_view(user),
        "labels": LABELS,
        "services": SERVICES,
        "values": values or {},
        "errors": errors.messages if errors else {},
        "outcome_for": outcome_for,
        "today": today_local(),
    }
    return render(request, "cases/detail.html", context, status=status)


@router.get("/kasus/{case_id}", name="case_detail")
def case_detail(request: Request, case_id: int, session: SessionDep, user: CurrentUser) -> Response:
    try:
        return _case_page(request, session, user, case_id)
    except NotFound:
        if not case_may_break_glass(user):
            raise
        # The same answer for every id a supervisor may not see, existing or not: the way to break the glass.
        return render(
            request,
            "cases/break_glass.html",
            {"case_id": case_id, "values": {}, "errors": {}, "minutes": BREAK_GLASS_MINUTES},
            status=404,
        )


def _editable(session: SessionDep, user: User, case_id: int) -> tuple[CaseFile, Family, Any]:
    case, family, via_glass = case_get(session=session, user=user, case_id=case_id, now=utcnow())
    if via_glass:
        raise Forbidden(N_("Kasus yang dibuka dengan alasan darurat hanya dapat dibaca."))
    return case, family, family_kelompok(session=session, family=family)


@router.post("/kasus/{case_id}/catatan", name="case_note_add")
async def case_note_add(request: Request, case_id: int, session: SessionDep, user: CurrentUser) -> Response:
    values = await form_values(request)  # before the database: an awaited read must not hold SQLite's write lock
    case, family, kelompok = _editable(session, user, case_id)
    data, errors = note_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.case_note_add(session=session, user=user, case=case, family=family, kelompok=kelompok, data=data)
            return redirect(request.url_for("case_detail", case_id=case_id), request)
    return _case_page(request, session, user, case_id, values=values, errors=errors, status=422)


@router.post("/kasus/{case_id}/status", name="case_status_change")
async def case_status_change(
    request: Request, case_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    values = await form_values(request)  # before the database: an awaited read must not hold SQLite's write lock
    case, family, kelompok = _editable(session, user, case_id)
    data, errors = status_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.case_status_change(
                session=session,
                user=user,
                case=case,
                family=family,
                kelompok=kelompok,
                data=data,
                today=today,
                version=version_parse(values.get("version")),
            )
            return redirect(request.url_for("case_detail", case_id=case_id), request)
    if isinstance(errors.refused, EditConflict):
        session.expire_all()
        values = {**values, "version": ""}  # the page shows the status now stored; the form carries its version
    return _case_page(request, session, user, case_id, values=values, errors=errors, status=422)


@router.post("/kasus/{case_id}/rujukan", name="referral_create")
async def referral_create(
    request: Request, case_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    values = await form_values(request)  # before the database: an awaited read must not hold SQLite's write lock
    case, family, kelompok = _editable(session, user, case_id)
    data, errors = referral_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.referral_create(
                session=session, user=user, case=case, family=family, kelompok=kelompok, data=data, today=today
            )
            return redirect(request.url_for("case_detail", case_id=case_id), request)
    return _case_page(request, session, user, case_id, values=values, errors=errors, status=422)


@router.post("/kasus/{case_id}/rujukan/{referral_id}/hasil", name="referral_outcome")
async def referral_outcome(
    request: Request, case_id: int, referral_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    values = await form_values(request)  # before the database: an awaited read must not hold SQLite's write lock
    case, family, kelompok = _editable(session, user, case_id)
    referral = queries.referral_get(session=session, case=case, referral_id=referral_id)
    if referral is None:
        raise NotFound(N_("Rujukan tidak ditemukan."))
    data, errors = outcome_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.referral_outcome_record(
                session=session,
                user=user,
                case=case,
                family=family,
                kelompok=kelompok,
                referral=referral,
                data=data,
                version=version_parse(values.get("referral_version")),
            )
            return redirect(request.url_for("case_detail", case_id=case_id), request)
        session.expire_all()
    return _case_page(
        request, session, user, case_id, values=values, errors=errors, outcome_for=referral_id, status=422
    )


# --- break the glass, and the log of reads ---


@router.post("/kasus/{case_id}/buka", name="case_break_glass")
async def case_break_glass(request: Request, case_id: int, session: SessionDep, user: CurrentUser) -> Response:
    if not case_may_break_glass(user):
        raise NotFound(CASE_NOT_FOUND)
    values = await form_values(request)
    reason, errors = reason_parse(values)
    if reason is None:
        context = {"case_id": case_id, "values": values, "errors": errors.messages, "minutes": BREAK_GLASS_MINUTES}
        return render(request, "cases/break_glass.html", context, status=422)
    case = queries.case_for_break_glass(session=session, case_id=case_id)
    family = session.get(Family, case.family_id) if case else None
    kelompok = family_kelompok(session=session, family=family) if family else None
    opened = service.case_break_glass(
        session=session, user=user, case=case, family=family, kelompok=kelompok, reason=reason
    )
    if not opened:
        case_get(session=session, user=user, case_id=case_id, now=utcnow())  # one they may see: just open it
    return redirect(request.url_for("case_detail", case_id=case_id), request)
