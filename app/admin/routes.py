"""Admin pages: user accounts and kelompok. Every handler is for administrators only."""

from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.access import require_role
from app.admin import queries, service
from app.admin.forms import kelompok_input_parse, pendamping_id_parse, user_edit_parse, user_input_parse
from app.auth.deps import CurrentUser
from app.clock import JAKARTA
from app.db import SessionDep
from app.errors import NotFound
from app.forms import FormErrors, form_refusal, form_values, parse_date, parse_int
from app.i18n import N_, gettext
from app.models import ACCESS_ACTIONS, ROLES, Role, User
from app.web import hx_target, redirect, render

router = APIRouter()
PAGE_SIZE = 50
SEARCH_MAX = 60
LOG_YEARS = (2000, 2100)


def _filters(request: Request) -> dict[str, Any]:
    """The list filters a row form came from, so the answer lands back on the same page."""
    params = request.query_params
    page = params.get("halaman", "1")
    return {
        "q": params.get("q", "")[:SEARCH_MAX],
        "peran": params.get("peran", ""),
        "page": int(page) if page.isascii() and page.isdigit() and int(page) > 0 else 1,
    }


# --- users ---


def _users_context(
    session: SessionDep,
    actor: User,
    *,
    q: str,
    peran: str,
    page: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    row_errors: dict[int, dict[str, str]] | None = None,
) -> dict[str, Any]:
    role = peran if peran in ROLES else ""
    rows = queries.users_list(
        session=session, role=role, search=q.strip()[:SEARCH_MAX], limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "q": q,
        "peran": role,
        "roles": ROLES,
        "areas": queries.user_area_options(session=session, actor=actor),
        "values": values if values is not None else {"role": Role.PENDAMPING, "area_code": actor.area_code or ""},
        "errors": errors or {},
        "row_errors": row_errors or {},
        "row_notes": {},
    }


@router.get("/admin/pengguna", name="admin_users")
def admin_users(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: str = "",
    peran: str = "",
    halaman: int = 1,
    dibuat: str = "",
) -> Response:
    require_role(user, Role.ADMIN)
    context = _users_context(session, user, q=q, peran=peran, page=max(1, halaman))
    created = queries.users_list(session=session, search=dibuat, limit=1) if dibuat else []
    context["created"] = created[0].user if created and created[0].user.username == dibuat else None
    return render(request, "admin/users.html", context, targets={"users-table": "users_table"})


@router.post("/admin/pengguna", name="admin_user_create")
async def admin_user_create(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    data, errors = user_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            created = service.admin_user_create(
                session=session,
                actor=user,
                username=data.username,
                full_name=data.full_name,
                role=data.role,
                area_code=data.area_code,
                password=data.password,
            )
            return redirect(request.url_for("admin_users").include_query_params(dibuat=created.username), request)
    values.pop("password", None)  # never echoed back into the page
    context = _users_context(session, user, q="", peran="", page=1, values=values, errors=errors.messages)
    return render(request, "admin/users.html", context, targets={"user-form": "user_form"}, status=422)


def _user_row_answer(
    request: Request,
    session: SessionDep,
    actor: User,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    note: str = "",
) -> Response:
    """The row alone when the row asked (htmx), else the whole list; 422 when a rule refused the change."""
    filters = _filters(request)
    status = 422 if errors else 200
    if hx_target(request) == f"user-{user_id}":
        row = queries.user_row(session=session, user_id=user_id)
        if row is None:
            raise NotFound(N_("Pengguna tidak ditemukan."))
        context = {**filters, "r": row, "row_errors": {user_id: errors or {}}, "row_notes": {user_id: note}}
        return render(request, "admin/users.html", context, block="user_row", status=status)
    if not errors:
        return redirect(
            request.url_for("admin_users").include_query_params(
                q=filters["q"], peran=filters["peran"], halaman=filters["page"]
            ),
            request,
        )
    context = _users_context(
        session, actor, q=filters["q"], peran=filters["peran"], page=filters["page"], row_errors={user_id: errors}
    )
    return render(request, "admin/users.html", context, status=status)


@router.post("/admin/pengguna/{user_id}/aktif", name="admin_user_toggle")
async def admin_user_toggle(request: Request, user_id: int, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    if values.get("aktif") != "1" and queries.kelompok_held_count(session=session, user_id=user_id):
        # Their kelompok must go to someone: ask where, on a page of its own.
        return redirect(request.url_for("admin_user_deactivate_form", user_id=user_id), request)
    with form_refusal(session=session) as refused:
        service.user_active_set(session=session, actor=user, user_id=user_id, active=values.get("aktif") == "1")
        return _user_row_answer(request, session, user, user_id, note=gettext("Tersimpan."))
    return _user_row_answer(request, session, user, user_id, errors=refused.messages)


@router.post("/admin/pengguna/{user_id}/sandi", name="admin_user_password")
async def admin_user_password(request: Request, user_id: int, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    with form_refusal(session=session) as refused:
        service.user_password_reset(session=session, actor=user, user_id=user_id, password=values.get("password", ""))
        return _user_row_answer(request, session, user, user_id, note=gettext("Kata sandi telah diganti."))
    return _user_row_answer(request, session, user, user_id, errors=refused.messages)


# --- kelompok ---


def _kelompok_context(
    session: SessionDep,
    actor: User,
    *,
    q: str,
    page: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    row_errors: dict[int, dict[str, str]] | None = None,
) -> dict[str, Any]:
    rows = queries.kelompok_rows(
        session=session, search=q.strip()[:SEARCH_MAX], limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "q": q,
        "pendamping": queries.pendamping_options(session=session, actor=actor),
        "villages": queries.village_options(session=session, actor=actor),
        "values": values or {},
        "errors": errors or {},
        "row_errors": row_errors or {},
        "row_notes": {},
    }


@router.get("/admin/kelompok", name="admin_kelompok")
def admin_kelompok(
    request: Request, session: SessionDep, user: CurrentUser, q: str = "", halaman: int = 1, dibuat: int | None = None
) -> Response:
    require_role(user, Role.ADMIN)
    context = _kelompok_context(session, user, q=q, page=max(1, halaman))
    context["created"] = queries.kelompok_row(session=session, kelompok_id=dibuat) if dibuat else None
    return render(request, "admin/kelompok.html", context, targets={"kelompok-table": "kelompok_table"})


@router.post("/admin/kelompok", name="admin_kelompok_create")
async def admin_kelompok_create(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    data, errors = kelompok_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            kelompok = service.kelompok_create(
                session=session,
                actor=user,
                name=data.name,
                village_code=data.village_code,
                pendamping_id=data.pendamping_id,
                default_place=data.default_place,
            )
            url = request.url_for("admin_kelompok").include_query_params(q=kelompok.name, dibuat=kelompok.id)
            return redirect(url, request)
    context = _kelompok_context(session, user, q="", page=1, values=values, errors=errors.messages)
    return render(request, "admin/kelompok.html", context, targets={"kelompok-form": "kelompok_form"}, status=422)


@router.post("/admin/kelompok/{kelompok_id}/pendamping", name="admin_kelompok_assign")
async def admin_kelompok_assign(request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    form_errors = FormErrors()
    pendamping_id = pendamping_id_parse(values.get("pendamping_id", ""), errors=form_errors)
    if not form_errors:
        with form_refusal(session=session, errors=form_errors):
            service.kelompok_assign(session=session, actor=user, kelompok_id=kelompok_id, pendamping_id=pendamping_id)
    errors = form_errors.messages
    filters = _filters(request)
    status = 422 if errors else 200
    if hx_target(request) == f"kelompok-{kelompok_id}":
        row = queries.kelompok_row(session=session, kelompok_id=kelompok_id)
        if row is None:
            raise NotFound(N_("Kelompok tidak ditemukan."))
        note = "" if errors else gettext("Tersimpan.")
        context = {
            **filters,
            "r": row,
            "pendamping": queries.pendamping_options(session=session, actor=user),
            "row_errors": {kelompok_id: errors},
            "row_notes": {kelompok_id: note},
        }
        return render(request, "admin/kelompok.html", context, block="kelompok_row", status=status)
    if not errors:
        return redirect(
            request.url_for("admin_kelompok").include_query_params(q=filters["q"], halaman=filters["page"]), request
        )
    context = _kelompok_context(session, user, q=filters["q"], page=filters["page"], row_errors={kelompok_id: errors})
    return render(request, "admin/kelompok.html", context, status=status)


# --- access log: who viewed full identity numbers or exported personal data ---


@router.get("/admin/akses", name="admin_access_log")
def admin_access_log(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    pengguna: str = "",
    aksi: str = "",
    dari: str = "",
    sampai: str = "",
    halaman: str = "1",
) -> Response:
    require_role(user, Role.ADMIN)
    errors = FormErrors()
    first = parse_date(dari[:10], name="dari", errors=errors, required=False)
    last = parse_date(sampai[:10], name="sampai", errors=errors, required=False)
    for name, day in (("dari", first), ("sampai", last)):
        if day is not None and not LOG_YEARS[0] <= day.year <= LOG_YEARS[1]:
            errors.add(
                name,
                N_("Tanggal di luar jangkauan (%(first)s–%(last)s)."),
                first=LOG_YEARS[0],
                last=LOG_YEARS[1],
            )
    if errors:
        first = last = None
    page = int(halaman) if halaman.isascii() and halaman.isdigit() and len(halaman) <= 5 and int(halaman) > 0 else 1
    pengguna = pengguna.replace("\x00", "").strip()[:SEARCH_MAX]
    action = aksi if aksi in ACCESS_ACTIONS else ""
    rows = queries.access_log_list(
        session=session,
        username=pengguna,
        action=action,
        since=datetime.combine(first, time.min, JAKARTA) if first else None,
        until=datetime.combine(last, time.max, JAKARTA) if last else None,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "filters": {
            "pengguna": pengguna,
            "aksi": action,
            "dari": dari[:10],
            "sampai": sampai[:10],
        },
        "actions": ACCESS_ACTIONS,
        "errors": errors.messages,
    }
    block = "access_table" if hx_target(request) == "access-table" else None
    return render(request, "admin/access_log.html", context, block=block, status=422 if errors else 200)


# --- editing a user; deactivating a pendamping who still holds kelompok ---


def _user_edit_page(
    request: Request,
    session: SessionDep,
    actor: User,
    user_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    row = queries.user_row(session=session, user_id=user_id)
    if row is None:
        raise NotFound(N_("Pengguna tidak ditemukan."))
    target = row.user
    context = {
        "target": target,
        "values": values
        if values is not None
        else {
            "full_name": target.full_name,
            "role": target.role,
            "area_code": target.area_code or "",
            "version": str(target.version),
        },
        "errors": errors or {},
        "roles": ROLES,
        "areas": queries.user_area_options(session=session, actor=actor),
        "held": queries.kelompok_held_count(session=session, user_id=user_id),
    }
    return render(
        request,
        "admin/user_edit.html",
        context,
        targets={"user-edit-form": "user_edit_form"},
        status=422 if errors else 200,
    )


@router.get("/admin/pengguna/{user_id}/ubah", name="admin_user_edit")
def admin_user_edit(request: Request, user_id: int, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    return _user_edit_page(request, session, user, user_id)


@router.post("/admin/pengguna/{user_id}/ubah", name="admin_user_update")
def admin_user_update(
    request: Request,
    user_id: int,
    session: SessionDep,
    user: CurrentUser,
    full_name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    area_code: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    require_role(user, Role.ADMIN)
    values = {"full_name": full_name, "role": role, "area_code": area_code, "version": version}
    data, errors = user_edit_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            updated = service.user_update(
                session=session,
                actor=user,
                user_id=user_id,
                full_name=data.full_name,
                role=data.role,
                area_code=data.area_code,
                version=data.version,
            )
            return redirect(request.url_for("admin_users").include_query_params(q=updated.username), request)
    return _user_edit_page(request, session, user, user_id, values=values, errors=errors.messages)


def _deactivate_page(
    request: Request, session: SessionDep, actor: User, user_id: int, errors: dict[str, str] | None = None
) -> Response:
    row = queries.user_row(session=session, user_id=user_id)
    if row is None:
        raise NotFound(N_("Pengguna tidak ditemukan."))
    context = {
        "target": row.user,
        "kelompok": queries.kelompok_held(session=session, user_id=user_id),
        "successors": [p for p in queries.pendamping_options(session=session, actor=actor) if p.id != user_id],
        "errors": errors or {},
    }
    return render(request, "admin/user_deactivate.html", context, status=422 if errors else 200)


@router.get("/admin/pengguna/{user_id}/nonaktifkan", name="admin_user_deactivate_form")
def admin_user_deactivate_form(request: Request, user_id: int, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    return _deactivate_page(request, session, user, user_id)


@router.post("/admin/pengguna/{user_id}/nonaktifkan", name="admin_user_deactivate")
def admin_user_deactivate(
    request: Request, user_id: int, session: SessionDep, user: CurrentUser, successor_id: Annotated[str, Form()] = ""
) -> Response:
    require_role(user, Role.ADMIN)
    errors = FormErrors()
    successor = parse_int(successor_id, name="successor_id", errors=errors, minimum=1, required=False)
    if not errors:
        with form_refusal(session=session, errors=errors):
            done = service.user_deactivate_handover(
                session=session, actor=user, user_id=user_id, successor_id=successor
            )
            return redirect(request.url_for("admin_users").include_query_params(q=done.username), request)
    return _deactivate_page(request, session, user, user_id, errors.messages)
