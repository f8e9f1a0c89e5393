"""The curriculum page: every signed-in user reads it; administrators edit titles, durations and switches."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.access import require_role, user_is_admin
from app.auth.deps import CurrentUser
from app.curriculum import service
from app.curriculum.forms import module_input_parse, topic_input_parse
from app.curriculum.queries import curriculum_tree, topic_with_module
from app.db import SessionDep
from app.errors import NotFound
from app.forms import form_refusal, form_values
from app.i18n import N_, gettext
from app.models import Role, User
from app.web import hx_target, redirect, render

router = APIRouter()


def _form_state(user: User, **extra: Any) -> dict[str, Any]:
    """Per-record errors, submitted values and notes; empty unless an edit is being answered."""
    return {
        "can_edit": user_is_admin(user),
        "topic_errors": {},
        "topic_values": {},
        "topic_notes": {},
        "module_errors": {},
        "module_values": {},
        "module_notes": {},
        **extra,
    }


def _page_context(session: SessionDep, user: User, **extra: Any) -> dict[str, Any]:
    return {"tree": curriculum_tree(session=session), **_form_state(user, **extra)}


@router.get("/kurikulum", name="curriculum_page")
def curriculum_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return render(request, "curriculum/index.html", _page_context(session, user))


def _answer(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    kind: str,
    record_id: int,
    anchor: str,
    errors: dict[str, str],
    values: dict[str, str],
    note: str,
    block_context: dict[str, Any],
) -> Response:
    """Only the edited topic or module when it asked (htmx); else the page, or a redirect after success."""
    status = 422 if errors else 200
    state = {
        f"{kind}_errors": {record_id: errors},
        f"{kind}_values": {record_id: values} if errors else {},
        f"{kind}_notes": {record_id: note},
    }
    if hx_target(request) == anchor:
        context = {**_form_state(user, **state), **block_context}
        block = "topic_rows" if kind == "topic" else "module_section"
        return render(request, "curriculum/index.html", context, block=block, status=status)
    if not errors:
        return redirect(f"{request.url_for('curriculum_page')}#{anchor}", request)
    return render(request, "curriculum/index.html", _page_context(session, user, **state), status=status)


@router.post("/kurikulum/sesi/{topic_id}", name="curriculum_topic_update")
async def curriculum_topic_update(request: Request, topic_id: int, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    data, form_errors = topic_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=form_errors):
            service.topic_update(
                session=session,
                user=user,
                topic_id=topic_id,
                title=data.title,
                duration_minutes=data.duration_minutes,
                active=data.active,
            )
    errors = form_errors.messages
    topic, module = topic_with_module(session=session, topic_id=topic_id)
    return _answer(
        request,
        session,
        user,
        kind="topic",
        record_id=topic_id,
        anchor=f"topic-{topic_id}",
        errors=errors,
        values=values,
        note="" if errors else gettext("Tersimpan."),
        block_context={"t": topic, "m": module},
    )


@router.post("/kurikulum/modul/{module_id}", name="curriculum_module_update")
async def curriculum_module_update(
    request: Request, module_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    require_role(user, Role.ADMIN)
    values = await form_values(request)
    data, form_errors = module_input_parse(values)
    if data is not None:
        with form_refusal(session=session, errors=form_errors):
            service.module_update(session=session, user=user, module_id=module_id, title=data.title, active=data.active)
    errors = form_errors.messages
    found = curriculum_tree(session=session, module_id=module_id)
    if not found:
        raise NotFound(N_("Modul kurikulum tidak ditemukan."))
    return _answer(
        request,
        session,
        user,
        kind="module",
        record_id=module_id,
        anchor=f"module-{module_id}",
        errors=errors,
        values=values,
        note="" if errors else gettext("Tersimpan."),
        block_context={"mt": found[0]},
    )
