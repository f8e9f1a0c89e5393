"""Family (KPM) pages: the family with members, components and attendance; edit family and members."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.access import (
    family_can_edit,
    family_can_register,
    family_get,
    family_kelompok,
    family_require_editor,
    family_require_registrar,
    kelompok_get,
    kelompok_require_registrar,
    mask_number,
    nik_visible,
)
from app.audit import access_record
from app.auth.deps import CurrentUser
from app.cases.queries import case_family_context
from app.db import SessionDep
from app.errors import EditConflict
from app.families import service
from app.families.forms import (
    MEMBER_ROWS,
    RELATIONSHIPS,
    SCHOOLING,
    exit_parse,
    family_create_parse,
    family_input_parse,
    member_end_parse,
    member_input_parse,
    member_row_prefix,
    transfer_parse,
)
from app.families.queries import (
    family_attendance,
    family_completed_count,
    family_makeup_needed,
    family_members,
    family_page_extras,
    family_transfers,
    member_get,
    transfer_targets,
)
from app.families.rules import EXIT_REASONS, JOIN_REASONS, LEAVE_REASONS, MAX_PAID_COMPONENTS
from app.forms import form_refusal, form_values
from app.graduation.rules import COMPONENT_LABELS
from app.models import AccessAction, Area, Family, Kelompok, Member, Relationship, Schooling
from app.versioning import form_token_new, version_parse
from app.web import Today, redirect, render

router = APIRouter()


def _kelompok(session: SessionDep, family: Family) -> Kelompok | None:
    return family_kelompok(session=session, family=family)


def _registrar_family(session: SessionDep, user: CurrentUser, family_id: int) -> Family:
    """The family, if this user may register it (add, transfer, exit, end a membership); else 404 / 403."""
    family = family_get(session=session, user=user, family_id=family_id)
    family_require_registrar(user, family, _kelompok(session, family))
    return family


@router.get("/kpm/{family_id}", name="family_detail")
def family_detail(request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    kelompok = _kelompok(session, family)
    members = family_members(session=session, family_id=family_id, today=today)
    done, total = family_completed_count(session=session, family=family)
    show_nik = nik_visible(user, kelompok)
    if show_nik:
        access_record(session=session, user=user, action=AccessAction.NIK_VIEW, entity="family", entity_id=family_id)
    context = {
        "family": family,
        "kelompok": kelompok,
        "village": session.get(Area, family.village_code),
        "members": members,
        "attendance": family_attendance(session=session, family_id=family_id),
        "makeup": family_makeup_needed(session=session, family=family),
        "done": done,
        "total": total,
        "show_nik": show_nik,
        "mask": mask_number,
        "labels": COMPONENT_LABELS,
        "component_count": sum(len(m.components) for m in members),
        "max_paid": MAX_PAID_COMPONENTS,
        "can_edit": family_can_edit(user, family, kelompok),
        "can_register": family_can_register(user, family, kelompok),
        "transfers": family_transfers(session=session, family_id=family_id),
    }
    # Issue 3: readiness verdict, proposals, assessments and domain score trends.
    context.update(family_page_extras(session=session, user=user, family=family, kelompok=kelompok, today=today))
    context.update(case_family_context(session=session, user=user, family=family, kelompok=kelompok))
    return render(request, "families/detail.html", context)


@router.get("/kpm/{family_id}/ubah", name="family_edit")
def family_edit(request: Request, family_id: int, session: SessionDep, user: CurrentUser) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    family_require_editor(user, family, _kelompok(session, family))
    access_record(
        session=session, user=user, action=AccessAction.NIK_VIEW, entity="family", entity_id=family_id, detail="ubah"
    )
    values = {
        "head_name": family.head_name,
        "kk_number": family.kk_number,
        "address": family.address,
        "version": str(family.version),
    }
    return render(request, "families/edit.html", {"family": family, "values": values, "errors": {}})


@router.post("/kpm/{family_id}/ubah", name="family_update")
async def family_update(request: Request, family_id: int, session: SessionDep, user: CurrentUser) -> Response:
    values = await form_values(request)  # read whole before the write lock is taken (SQLite)
    family = family_get(session=session, user=user, family_id=family_id)
    family_require_editor(user, family, _kelompok(session, family))
    data, errors = family_input_parse(values)
    conflict = False
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.family_update(
                session=session,
                user=user,
                kelompok=_kelompok(session, family),
                family=family,
                data=data,
                version=version_parse(values.get("version")),
            )
            return redirect(request.url_for("family_detail", family_id=family_id), request)
    conflict = isinstance(errors.refused, EditConflict)
    family = family_get(session=session, user=user, family_id=family_id)
    if conflict:  # what they typed stays; saving again now knowingly overwrites the state shown
        values = {**values, "version": str(family.version)}
    context = {"family": family, "values": values, "errors": errors.messages, "current": family if conflict else None}
    return render(request, "families/edit.html", context, status=422)


def _member_page(
    request: Request,
    family: Family,
    member: Member | None,
    values: dict[str, str],
    errors: dict[str, str],
    current: Member | None = None,
) -> Response:
    context = {
        "family": family,
        "member": member,
        "current": current,
        "values": values,
        "errors": errors,
        "schooling": SCHOOLING,
        "relationships": RELATIONSHIPS,
        "join_reasons": JOIN_REASONS,
    }
    return render(request, "families/member.html", context, status=422 if errors else 200)


@router.get("/kpm/{family_id}/anggota/baru", name="member_new")
def member_new(request: Request, family_id: int, session: SessionDep, user: CurrentUser) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    family_require_editor(user, family, _kelompok(session, family))
    values = {"schooling": Schooling.BELUM, "relationship": Relationship.ANAK, "form_token": form_token_new()}
    return _member_page(request, family, None, values, {})


@router.get("/kpm/{family_id}/anggota/{member_id}", name="member_edit")
def member_edit(request: Request, family_id: int, member_id: int, session: SessionDep, user: CurrentUser) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    member = member_get(session=session, family=family, member_id=member_id)
    family_require_editor(user, family, _kelompok(session, family))
    access_record(
        session=session, user=user, action=AccessAction.NIK_VIEW, entity="member", entity_id=member_id, detail="ubah"
    )
    values = {
        "name": member.name,
        "nik": member.nik or "",
        "birth_date": member.birth_date.isoformat(),
        "sex": member.sex,
        "relationship": member.relationship,
        "schooling": member.schooling,
        "is_pengurus": "on" if member.is_pengurus else "",
        "pregnant": "on" if member.pregnant else "",
        "severe_disability": "on" if member.severe_disability else "",
        "has_birth_certificate": (
            "" if member.has_birth_certificate is None else ("ya" if member.has_birth_certificate else "tidak")
        ),
        "version": str(member.version),
    }
    return _member_page(request, family, member, values, {})


@router.post("/kpm/{family_id}/anggota", name="member_create")
@router.post("/kpm/{family_id}/anggota/{member_id}", name="member_update")
async def member_save(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, member_id: int | None = None
) -> Response:
    values = await form_values(request)  # read whole before the write lock is taken (SQLite)
    family = family_get(session=session, user=user, family_id=family_id)
    member = member_get(session=session, family=family, member_id=member_id) if member_id is not None else None
    family_require_editor(user, family, _kelompok(session, family))
    data, errors = member_input_parse(values)
    conflict = False
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.member_save(
                session=session,
                user=user,
                kelompok=_kelompok(session, family),
                family=family,
                data=data,
                member=member,
                version=version_parse(values.get("version")),
                form_token=values.get("form_token", "")[:64],
            )
            return redirect(request.url_for("family_detail", family_id=family_id), request)
    conflict = isinstance(errors.refused, EditConflict)
    family = family_get(session=session, user=user, family_id=family_id)
    member = member_get(session=session, family=family, member_id=member_id) if member_id is not None else None
    if conflict and member is not None:
        values = {**values, "version": str(member.version)}
    return _member_page(request, family, member, values, errors.messages, current=member if conflict else None)


# --- the register by hand (issue 10): add a KPM, end a membership, transfer, exit ---


def _family_new_page(
    request: Request, kelompok: Kelompok, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    context = {
        "kelompok": kelompok,
        "values": values,
        "errors": errors,
        "rows": [member_row_prefix(row) for row in range(MEMBER_ROWS)],
        "schooling": SCHOOLING,
        "relationships": RELATIONSHIPS,
    }
    return render(request, "families/new.html", context, status=status)


@router.get("/kelompok/{kelompok_id}/kpm/baru", name="family_new")
def family_new(request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    kelompok_require_registrar(user, kelompok)
    values = {
        "form_token": form_token_new(),
        "enrolled_on": today.isoformat(),
        "m0_relationship": Relationship.ISTRI,
        "m0_sex": "P",
        **{member_row_prefix(row) + "relationship": Relationship.ANAK for row in range(1, MEMBER_ROWS)},
    }
    return _family_new_page(request, kelompok, values, {})


@router.post("/kelompok/{kelompok_id}/kpm", name="family_create")
async def family_create(request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser) -> Response:
    values = await form_values(request)  # read whole before the write lock is taken (SQLite)
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    kelompok_require_registrar(user, kelompok)
    data, errors = family_create_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            family = service.family_create(
                session=session, user=user, kelompok=kelompok, data=data, form_token=values.get("form_token", "")[:64]
            )
            return redirect(request.url_for("family_detail", family_id=family.id), request)
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    return _family_new_page(request, kelompok, values, errors.messages, status=422)


def _member_end_page(
    request: Request, family: Family, member: Member, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    context = {"family": family, "member": member, "values": values, "errors": errors, "reasons": LEAVE_REASONS}
    return render(request, "families/member_end.html", context, status=status)


@router.get("/kpm/{family_id}/anggota/{member_id}/berakhir", name="member_end_form")
def member_end_form(
    request: Request, family_id: int, member_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    member = member_get(session=session, family=family, member_id=member_id)
    family_require_registrar(user, family, _kelompok(session, family))
    values = {"left_on": today.isoformat(), "version": str(member.version)}
    return _member_end_page(request, family, member, values, {})


@router.post("/kpm/{family_id}/anggota/{member_id}/berakhir", name="member_end")
async def member_end(
    request: Request, family_id: int, member_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    values = await form_values(request)  # read whole before the write lock is taken (SQLite)
    family = family_get(session=session, user=user, family_id=family_id)
    member = member_get(session=session, family=family, member_id=member_id)
    family_require_registrar(user, family, _kelompok(session, family))
    data, errors = member_end_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.member_end(
                session=session,
                user=user,
                kelompok=_kelompok(session, family),
                family=family,
                member=member,
                data=data,
                version=version_parse(values.get("version")),
            )
            return redirect(request.url_for("family_detail", family_id=family_id), request)
    family = family_get(session=session, user=user, family_id=family_id)
    member = member_get(session=session, family=family, member_id=member_id)
    values = {**values, "version": str(member.version)}
    return _member_end_page(request, family, member, values, errors.messages, status=422)


def _transfer_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    family: Family,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {
        "family": family,
        "kelompok": _kelompok(session, family),
        "targets": transfer_targets(session=session, user=user, family=family),
        "values": values,
        "errors": errors,
    }
    return render(request, "families/transfer.html", context, status=status)


@router.get("/kpm/{family_id}/pindah", name="family_transfer_form")
def family_transfer_form(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    family = _registrar_family(session, user, family_id)
    values = {"transferred_on": today.isoformat(), "version": str(family.version)}
    return _transfer_page(request, session, user, family, values, {})


@router.post("/kpm/{family_id}/pindah", name="family_transfer")
async def family_transfer(request: Request, family_id: int, session: SessionDep, user: CurrentUser) -> Response:
    values = await form_values(request)  # read whole before the write lock is taken (SQLite)
    family = _registrar_family(session, user, family_id)
    data, errors = transfer_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.family_transfer(
                session=session,
                user=user,
                kelompok=_kelompok(session, family),
                family=family,
                target=session.get(Kelompok, data.to_kelompok_id),
                data=data,
                version=version_parse(values.get("version")),
            )
            return redirect(request.url_for("family_detail", family_id=family_id), request)
    family = family_get(session=session, user=user, family_id=family_id)
    values = {**values, "version": str(family.version)}
    return _transfer_page(request, session, user, family, values, errors.messages, status=422)


def _exit_page(
    request: Request, family: Family, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    context = {"family": family, "values": values, "errors": errors, "reasons": EXIT_REASONS}
    return render(request, "families/exit.html", context, status=status)


@router.get("/kpm/{family_id}/keluar", name="family_exit_form")
def family_exit_form(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    family = _registrar_family(session, user, family_id)
    values = {"exited_on": today.isoformat(), "version": str(family.version)}
    return _exit_page(request, family, values, {})


@router.post("/kpm/{family_id}/keluar", name="family_exit")
async def family_exit(request: Request, family_id: int, session: SessionDep, user: CurrentUser) -> Response:
    values = await form_values(request)  # read whole before the write lock is taken (SQLite)
    family = _registrar_family(session, user, family_id)
    data, errors = exit_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.family_exit(
                session=session,
                user=user,
                kelompok=_kelompok(session, family),
                family=family,
                data=data,
                version=version_parse(values.get("version")),
            )
            return redirect(request.url_for("family_detail", family_id=family_id), request)
    family = family_get(session=session, user=user, family_id=family_id)
    values = {**values, "version": str(family.version)}
    return _exit_page(request, family, values, errors.messages, status=422)
