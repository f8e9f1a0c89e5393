"""Complementary aid pages: a family's programmes, gaps and applications; deciding an application; the work queue;
gap counts by area and kelompok with lists and XLSX; the programme catalogue (admin)."""

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from app.access import (
    DASHBOARD_ROLES,
    aid_can_decide,
    aid_can_edit,
    aid_require_decider,
    aid_require_editor,
    family_get,
    family_kelompok,
    kelompok_get,
    require_role,
)
from app.aid import queries, service
from app.aid.forms import (
    PAGE_SIZE,
    GapFilters,
    application_input_parse,
    decision_input_parse,
    end_input_parse,
    gap_filters_parse,
    house_input_parse,
    programme_end_parse,
    programme_input_parse,
    receipt_input_parse,
)
from app.aid.rules import GAP_LABELS, MEMBER_GAPS, TARGET_LABELS
from app.audit import access_record
from app.auth.deps import CurrentUser
from app.dashboard.scope import area_resolve
from app.db import SessionDep
from app.errors import NotFound
from app.exports.streams import Sheet, xlsx_stream
from app.forms import FormErrors, form_refusal, form_values
from app.i18n import N_, gettext
from app.models import AID_GAPS, AccessAction, Area, Family, Role, User
from app.replica import ReadSessionDep
from app.versioning import form_token_new
from app.web import Today, hx_target, redirect, render

router = APIRouter()


async def _form(request: Request) -> dict[str, str]:
    """The posted fields, read on the event loop, so the handler itself runs (and waits for the database's writer
    lock) on a worker thread."""
    return await form_values(request)


Values = Annotated[dict[str, str], Depends(_form)]
PANEL = "aid"  # the id of the family page's aid section, swapped whole by its forms
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- a family's aid ---


def _panel_context(
    session: Session,
    user: User,
    family: Family,
    today: date,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    kelompok = family_kelompok(session=session, family=family)
    defaults = {"since": today.isoformat(), "submitted_on": today.isoformat(), "form_token": form_token_new()}
    return {
        "family": family,
        "aid": queries.family_aid(session=session, family=family, today=today),
        "can_edit": aid_can_edit(user, family, kelompok),
        "can_decide": aid_can_decide(user, family, kelompok),
        "gap_labels": GAP_LABELS,
        "target_labels": TARGET_LABELS,
        "form": form,
        "values": {**defaults, **(values or {})},
        "errors": errors or {},
        "today": today,
    }


def _panel(
    request: Request,
    session: Session,
    user: User,
    family: Family,
    today: date,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> Response:
    """The aid page, or only its panel when the family page's section asked; 422 when a form was refused."""
    messages = errors.messages if errors else {}
    context = _panel_context(session, user, family, today, form=form, values=values, errors=messages)
    return render(request, "aid/family.html", context, targets={PANEL: "aid_panel"}, status=422 if messages else 200)


def _saved(request: Request, session: Session, user: User, family: Family, today: date) -> Response:
    """After a change: the fresh panel in place (htmx from the family page), else back to the aid page."""
    if hx_target(request) == PANEL:
        session.expire_all()
        return _panel(request, session, user, family, today)
    return redirect(request.url_for("aid_family", family_id=family.id), request)


@router.get("/kpm/{family_id}/bantuan", name="aid_family")
def aid_family(request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    return _panel(request, session, user, family, today)


def _editable(session: Session, user: User, family_id: int) -> Family:
    family = family_get(session=session, user=user, family_id=family_id)
    aid_require_editor(user, family, family_kelompok(session=session, family=family))
    return family


@router.post("/kpm/{family_id}/bantuan/program", name="aid_receipt_add")
def aid_receipt_add(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today, values: Values
) -> Response:
    family = _editable(session, user, family_id)
    data, errors = receipt_input_parse(values, today=today)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.receipt_add(
                session=session,
                user=user,
                family=family,
                kelompok=family_kelompok(session=session, family=family),
                data=data,
            )
            return _saved(request, session, user, family, today)
    return _panel(request, session, user, family, today, form="receipt", values=values, errors=errors)


@router.post("/kpm/{family_id}/bantuan/program/{receipt_id}/akhiri", name="aid_receipt_end")
def aid_receipt_end(
    request: Request,
    family_id: int,
    receipt_id: int,
    session: SessionDep,
    user: CurrentUser,
    today: Today,
    values: Values,
) -> Response:
    family = _editable(session, user, family_id)
    receipt = queries.receipt_get(session=session, family=family, receipt_id=receipt_id)
    data, errors = end_input_parse(values, today=today)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.receipt_end(
                session=session,
                user=user,
                family=family,
                kelompok=family_kelompok(session=session, family=family),
                receipt=receipt,
                data=data,
            )
            return _saved(request, session, user, family, today)
    form = f"end-{receipt_id}"
    return _panel(request, session, user, family, today, form=form, values=values, errors=errors)


@router.post("/kpm/{family_id}/bantuan/rumah", name="aid_house_set")
def aid_house_set(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today, values: Values
) -> Response:
    family = _editable(session, user, family_id)
    livable, errors = house_input_parse(values)
    if not errors:
        service.house_livable_set(
            session=session,
            user=user,
            family=family,
            kelompok=family_kelompok(session=session, family=family),
            livable=livable,
        )
        return _saved(request, session, user, family, today)
    return _panel(request, session, user, family, today, form="house", values=values, errors=errors)


@router.post("/kpm/{family_id}/bantuan/permohonan", name="aid_application_create")
def aid_application_create(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today, values: Values
) -> Response:
    family = _editable(session, user, family_id)
    data, errors = application_input_parse(values, today=today)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.application_file(
                session=session,
                user=user,
                family=family,
                kelompok=family_kelompok(session=session, family=family),
                data=data,
                form_token=values.get("form_token", "")[:64],
            )
            return _saved(request, session, user, family, today)
    return _panel(request, session, user, family, today, form="application", values=values, errors=errors)


# --- deciding an application; the work queue ---


def _application_page(
    request: Request,
    session: Session,
    user: User,
    application_id: int,
    today: date,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> Response:
    application, family = queries.application_get(session=session, user=user, application_id=application_id)
    kelompok = family_kelompok(session=session, family=family)
    messages = errors.messages if errors else {}
    context = {
        "line": queries.application_line(session=session, application=application, family=family),
        "family": family,
        "can_decide": aid_can_decide(user, family, kelompok),
        "values": {"decided_on": today.isoformat(), **(values or {})},
        "errors": messages,
    }
    return render(request, "aid/application.html", context, status=422 if messages else 200)


@router.get("/bantuan/permohonan/{application_id}", name="aid_application_detail")
def aid_application_detail(
    request: Request, application_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    return _application_page(request, session, user, application_id, today)


@router.post("/bantuan/permohonan/{application_id}/keputusan", name="aid_application_decide")
def aid_application_decide(
    request: Request, application_id: int, session: SessionDep, user: CurrentUser, today: Today, values: Values
) -> Response:
    application, family = queries.application_get(session=session, user=user, application_id=application_id)
    kelompok = family_kelompok(session=session, family=family)
    aid_require_decider(user, family, kelompok)
    data, errors = decision_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.application_decide(
                session=session, user=user, application=application, family=family, kelompok=kelompok, data=data
            )
            return redirect(request.url_for("aid_application_detail", application_id=application_id), request)
    return _application_page(request, session, user, application_id, today, values=values, errors=errors)


@router.get("/bantuan/antrean", name="aid_queue")
def aid_queue(request: Request, session: ReadSessionDep, user: CurrentUser) -> Response:
    """The work queue's partial (the home page loads it): applications waiting for a decision in scope."""
    context = {
        "aid_queue": queries.applications_waiting(session=session, user=user),
        "aid_queue_count": queries.applications_waiting_count(session=session, user=user),
    }
    return render(request, "aid/_queue.html", context)


@router.get("/bantuan/permohonan", name="aid_applications")
def aid_applications(request: Request, session: ReadSessionDep, user: CurrentUser) -> Response:
    waiting = queries.applications_waiting(session=session, user=user, limit=None)
    return render(request, "aid/applications.html", {"aid_queue": waiting, "aid_queue_count": len(waiting)})


# --- gaps by area and kelompok ---


def _gap_scope(session: Session, user: User, filters: GapFilters) -> tuple[queries.GapScope, Area | None, Any]:
    area = area_resolve(session=session, user=user, code=filters.area_code)
    kelompok = None
    if filters.kelompok_id is not None:
        kelompok = kelompok_get(session=session, user=user, kelompok_id=filters.kelompok_id)
    scope = queries.GapScope(
        user=user, area_code=area.code if area else None, kelompok_id=kelompok.id if kelompok else None
    )
    return scope, area, kelompok


def _gap_code(gap: str) -> str:
    if gap not in AID_GAPS:
        raise NotFound(N_("Jenis kesenjangan tidak dikenal."))
    return gap


@router.get("/bantuan/kesenjangan", name="aid_gaps")
def aid_gaps(request: Request, session: ReadSessionDep, user: CurrentUser, today: Today) -> Response:
    require_role(user, *DASHBOARD_ROLES)
    filters = gap_filters_parse(dict(request.query_params))
    scope, area, kelompok = _gap_scope(session, user, filters)
    summary = queries.gap_summary(session=session, scope=scope, today=today)
    context = {
        "summary": summary,
        # Links built once: a table of 100 kelompok × 5 gaps would otherwise call url_for 600 times.
        "list_urls": {g: str(request.url_for("aid_gap_list", gap=g)) for g in summary.checked},
        "gaps_url": str(request.url_for("aid_gaps")),
        "scope_query": urlencode(_query(filters_scoped(filters, area, kelompok))),
        "area": area,
        "kelompok": kelompok,
        "filters": filters,
        "gap_labels": GAP_LABELS,
        "member_gaps": MEMBER_GAPS,
        "today": today,
    }
    return render(request, "aid/gaps.html", context)


def filters_scoped(filters: GapFilters, area: Area | None, kelompok: Any) -> GapFilters:
    """The filters as resolved: the area shown (the user's own by default) and the kelompok."""
    return GapFilters(area_code=area.code if area else "", kelompok_id=kelompok.id if kelompok else None)


def _query(filters: GapFilters) -> dict[str, str]:
    params = {"wilayah": filters.area_code} if filters.area_code else {}
    if filters.kelompok_id is not None:
        params["kelompok"] = str(filters.kelompok_id)
    return params


@router.get("/bantuan/kesenjangan/{gap}", name="aid_gap_list")
def aid_gap_list(request: Request, gap: str, session: ReadSessionDep, user: CurrentUser, today: Today) -> Response:
    require_role(user, *DASHBOARD_ROLES)
    gap = _gap_code(gap)
    filters = gap_filters_parse(dict(request.query_params))
    scope, area, kelompok = _gap_scope(session, user, filters)
    lines = queries.gap_lines(
        session=session, scope=scope, gap=gap, today=today, limit=PAGE_SIZE + 1, offset=(filters.page - 1) * PAGE_SIZE
    )
    context = {
        "gap": gap,
        "lines": lines[:PAGE_SIZE],
        "has_next": len(lines) > PAGE_SIZE,
        "page": filters.page,
        "area": area,
        "kelompok": kelompok,
        "query": _query(filters),
        "gap_labels": GAP_LABELS,
        "per_member": gap in MEMBER_GAPS,
    }
    return render(request, "aid/gap_list.html", context)


@router.get("/bantuan/kesenjangan/{gap}/unduh.xlsx", name="aid_gap_xlsx")
def aid_gap_xlsx(
    request: Request, gap: str, session: ReadSessionDep, primary: SessionDep, user: CurrentUser, today: Today
) -> Response:
    require_role(user, *DASHBOARD_ROLES)
    gap = _gap_code(gap)
    scope, area, _ = _gap_scope(session, user, gap_filters_parse(dict(request.query_params)))
    detail = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    access_record(session=primary, user=user, action=AccessAction.EXPORT, entity="export", detail=detail)
    header = [gettext(h) for h in (N_("ID PKH"), N_("Pengurus keluarga"), N_("Anggota"), N_("Tanggal lahir"))]
    header += [gettext(N_("Kelompok")), gettext(N_("Kelurahan/desa")), gettext(N_("Kesenjangan"))]
    label = gettext(GAP_LABELS[gap])
    rows = (
        [
            line.programme_id,
            line.head_name,
            line.member_name or "",
            line.birth_date.isoformat() if line.birth_date else "",
            line.kelompok or "",
            line.village,
            label,
        ]
        for line in queries.gap_lines_iter(session=session, scope=scope, gap=gap, today=today)
    )
    sheet = Sheet(title=gettext("Kesenjangan bantuan")[:31], header=header, rows=rows)
    name = f"kesenjangan-{gap}-{area.code if area else 'semua'}-{today.isoformat()}.xlsx"
    return StreamingResponse(
        xlsx_stream([sheet]), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# --- the programme catalogue (admin) ---


def _catalogue_page(
    request: Request,
    session: Session,
    today: date,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> Response:
    messages = errors.messages if errors else {}
    context = {
        "programmes": queries.programmes_all(session=session),
        "today": today,
        "gap_labels": GAP_LABELS,
        "target_labels": TARGET_LABELS,
        "form": form,
        "values": {"effective_from": today.isoformat(), "effective_until": today.isoformat(), **(values or {})},
        "errors": messages,
    }
    return render(request, "aid/programmes.html", context, status=422 if messages else 200)


@router.get("/admin/bantuan", name="admin_aid_programmes")
def admin_aid_programmes(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    require_role(user, Role.ADMIN)
    return _catalogue_page(request, session, today)


@router.post("/admin/bantuan/program", name="admin_aid_programme_add")
def admin_aid_programme_add(
    request: Request, session: SessionDep, user: CurrentUser, today: Today, values: Values
) -> Response:
    require_role(user, Role.ADMIN)
    data, errors = programme_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.programme_add(session=session, user=user, data=data)
            return redirect(request.url_for("admin_aid_programmes"), request)
    return _catalogue_page(request, session, today, form="add", values=values, errors=errors)


@router.post("/admin/bantuan/program/{programme_id}/akhiri", name="admin_aid_programme_end")
def admin_aid_programme_end(
    request: Request, programme_id: int, session: SessionDep, user: CurrentUser, today: Today, values: Values
) -> Response:
    require_role(user, Role.ADMIN)
    until, errors = programme_end_parse(values)
    if until is not None and not errors:
        with form_refusal(session=session, errors=errors):
            service.programme_end(session=session, user=user, programme_id=programme_id, until=until)
            return redirect(request.url_for("admin_aid_programmes"), request)
    return _catalogue_page(request, session, today, form=f"end-{programme_id}", values=values, errors=errors)
