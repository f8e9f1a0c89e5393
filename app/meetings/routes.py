"""Meeting pages: schedule, plan the rest, the roll call page, reschedule, cancel, mark held."""

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, JSONResponse, Response

from app.access import kelompok_get, kelompok_require_editor, meeting_get, meeting_require_editor
from app.auth.deps import CurrentUser
from app.curriculum.queries import topics_active
from app.db import SessionDep
from app.errors import EditConflict, NotFound
from app.forms import form_refusal, form_values
from app.i18n import N_
from app.meetings import service
from app.meetings.forms import meeting_input_parse
from app.meetings.queries import (
    completed_by_all,
    meeting_page_context,
    meeting_photo_get,
    meetings_for_offline,
    plan_rest_preview,
    topic_proposed,
)
from app.models import Kelompok
from app.versioning import form_token_new, version_parse
from app.web import Today, redirect, render

router = APIRouter()


def _form_page(request: Request, template: str, context: dict[str, object], errors: dict[str, str]) -> Response:
    return render(request, template, {**context, "errors": errors}, status=422 if errors else 200)


# --- schedule one meeting ---


@router.get("/kelompok/{kelompok_id}/pertemuan/baru", name="meeting_new")
def meeting_new(request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    kelompok_require_editor(user, kelompok)
    proposed = topic_proposed(session=session, kelompok=kelompok, today=today)
    values = {
        "topic_id": str(proposed.id) if proposed else "",
        "date": (today + timedelta(days=7)).isoformat(),
        "start_time": "09:00",
        "place": kelompok.default_place,
        "form_token": form_token_new(),
    }
    return _form_page(request, "meetings/new.html", _new_context(session, kelompok, values, proposed), {})


def _new_context(
    session: SessionDep, kelompok: Kelompok, values: dict[str, str], proposed: object
) -> dict[str, object]:
    # Sessions the server refuses (every KPM already completed them) are offered disabled, never pre-selected.
    refused = completed_by_all(session=session, kelompok_id=kelompok.id or 0)
    chosen = values.get("topic_id", "")
    if chosen.isascii() and chosen.isdigit() and int(chosen) in refused:
        values = {**values, "topic_id": ""}
    return {
        "kelompok": kelompok,
        "values": values,
        "topics": topics_active(session=session),
        "proposed": proposed,
        "refused": refused,
    }


@router.post("/kelompok/{kelompok_id}/pertemuan", name="meeting_create")
async def meeting_create(
    request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    kelompok_require_editor(user, kelompok)
    values = await form_values(request)
    data, errors = meeting_input_parse(values)
    proposed = topic_proposed(session=session, kelompok=kelompok, today=today)
    if data is None:
        return _form_page(
            request, "meetings/new.html", _new_context(session, kelompok, values, proposed), errors.messages
        )
    with form_refusal(session=session, errors=errors):
        meeting = service.meeting_schedule(
            session=session,
            user=user,
            kelompok=kelompok,
            topic_id=data.topic_id,
            day=data.day,
            start=data.start,
            place=data.place,
            today=today,
            form_token=values.get("form_token", "")[:64],
        )
        return redirect(request.url_for("meeting_detail", meeting_id=meeting.id), request)
    return _form_page(request, "meetings/new.html", _new_context(session, kelompok, values, proposed), errors.messages)


# --- plan the rest ---


@router.get("/kelompok/{kelompok_id}/rencana", name="meeting_plan")
def meeting_plan(
    request: Request,
    kelompok_id: int,
    session: SessionDep,
    user: CurrentUser,
    today: Today,
    date: str = "",
    start_time: str = "09:00",
    place: str = "",
) -> Response:
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    kelompok_require_editor(user, kelompok)
    values = {
        "date": date or (today + timedelta(days=7)).isoformat(),
        "start_time": start_time,
        "place": place or kelompok.default_place,
        "form_token": form_token_new(),
    }
    data, errors = meeting_input_parse(values, need_topic=False)
    plan = (
        plan_rest_preview(session=session, kelompok=kelompok, first=data.day, start=data.start, today=today)
        if data
        else []
    )
    return _form_page(
        request, "meetings/plan.html", {"kelompok": kelompok, "values": values, "plan": plan}, errors.messages
    )


@router.post("/kelompok/{kelompok_id}/rencana", name="meeting_plan_create")
async def meeting_plan_create(
    request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    kelompok_require_editor(user, kelompok)
    values = await form_values(request)
    data, errors = meeting_input_parse(values, need_topic=False)
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.meeting_plan_rest(
                session=session,
                user=user,
                kelompok=kelompok,
                first=data.day,
                start=data.start,
                place=data.place,
                today=today,
                form_token=values.get("form_token", "")[:60],
            )
            return redirect(request.url_for("kelompok_detail", kelompok_id=kelompok_id), request)
    plan = (
        plan_rest_preview(session=session, kelompok=kelompok, first=data.day, start=data.start, today=today)
        if data
        else []
    )
    return _form_page(
        request, "meetings/plan.html", {"kelompok": kelompok, "values": values, "plan": plan}, errors.messages
    )


# --- one meeting: the roll call page ---


@router.get("/luring/pertemuan.json", name="meetings_offline")
def meetings_offline(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    """The roll-call pages the service worker keeps for a hall with no signal (today and the coming 7 days)."""
    ids = meetings_for_offline(session=session, user=user, today=today)
    return JSONResponse({"pages": [request.url_for("meeting_detail", meeting_id=i).path for i in ids]})


@router.get("/pertemuan/{meeting_id}", name="meeting_detail")
def meeting_detail(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    return render(
        request,
        "meetings/detail.html",
        {
            **meeting_page_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today),
            "errors": {},
        },
    )


@router.post("/pertemuan/{meeting_id}/terlaksana", name="meeting_held")
def meeting_held(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    meeting_require_editor(user, meeting, kelompok)
    with form_refusal(session=session) as errors:
        service.meeting_mark_held(session=session, user=user, kelompok=kelompok, meeting=meeting, today=today)
        return redirect(request.url_for("meeting_detail", meeting_id=meeting_id), request)
    context = {
        **meeting_page_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today),
        "errors": errors.messages,
    }
    return render(request, "meetings/detail.html", context, status=422)


# --- reschedule and cancel (a reason is required; history kept) ---


@router.get("/pertemuan/{meeting_id}/ubah", name="meeting_edit")
def meeting_edit(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    meeting_require_editor(user, meeting, kelompok)
    values = {
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.strftime("%H:%M"),
        "place": meeting.place,
        "reason": "",
        "version": str(meeting.version),
    }
    return _form_page(request, "meetings/edit.html", {"meeting": meeting, "kelompok": kelompok, "values": values}, {})


@router.post("/pertemuan/{meeting_id}/ubah", name="meeting_reschedule")
async def meeting_reschedule(
    request: Request, meeting_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    meeting_require_editor(user, meeting, kelompok)
    values = await form_values(request)
    data, errors = meeting_input_parse(values, need_topic=False)
    conflict = False
    if data is not None:
        with form_refusal(session=session, errors=errors):
            service.meeting_reschedule(
                session=session,
                user=user,
                kelompok=kelompok,
                meeting=meeting,
                day=data.day,
                start=data.start,
                place=data.place,
                reason=values.get("reason", ""),
                today=today,
                version=version_parse(values.get("version")),
            )
            return redirect(request.url_for("meeting_detail", meeting_id=meeting_id), request)
    conflict = isinstance(errors.refused, EditConflict)
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    if conflict:  # what they typed stays; saving again now knowingly overwrites the state shown
        values = {**values, "version": str(meeting.version)}
    context = {"meeting": meeting, "kelompok": kelompok, "values": values, "current": meeting if conflict else None}
    return _form_page(request, "meetings/edit.html", context, errors.messages)


@router.post("/pertemuan/{meeting_id}/batal", name="meeting_cancel")
async def meeting_cancel(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    meeting_require_editor(user, meeting, kelompok)
    values = await form_values(request)
    with form_refusal(session=session, field="cancel_reason") as errors:
        service.meeting_cancel(
            session=session,
            user=user,
            kelompok=kelompok,
            meeting=meeting,
            reason=values.get("reason", ""),
            version=version_parse(values.get("version")),
        )
        return redirect(request.url_for("meeting_detail", meeting_id=meeting_id), request)
    conflict = isinstance(errors.refused, EditConflict)
    if conflict:  # a newer save wins over the reason field: say so on the form
        errors.messages = {"form": errors.messages.pop("cancel_reason", "")}
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    edit_values = {
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.strftime("%H:%M"),
        "place": meeting.place,
        "reason": "",
        "cancel_reason": values.get("reason", ""),
        "version": str(meeting.version),
    }
    context = {
        "meeting": meeting,
        "kelompok": kelompok,
        "values": edit_values,
        "current": meeting if conflict else None,
    }
    return _form_page(request, "meetings/edit.html", context, errors.messages)


# --- photos of a held meeting ---

PHOTO_HEADERS = {"Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox", "Cache-Control": "private"}


@router.post("/pertemuan/{meeting_id}/foto", name="meeting_photo_add")
async def meeting_photo_add(
    request: Request, meeting_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    meeting_require_editor(user, meeting, kelompok)
    form = await request.form(max_part_size=service.PHOTO_MAX_BYTES + 1024)
    upload = form.get("photo")
    data = await upload.read(service.PHOTO_MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    taken = form.get("taken_at")
    try:
        taken_at = datetime.fromisoformat(taken) if isinstance(taken, str) and taken else None
    except ValueError:
        taken_at = None
    client_id = form.get("client_id")
    with form_refusal(session=session) as errors:
        service.meeting_photo_add(
            session=session,
            user=user,
            kelompok=kelompok,
            meeting=meeting,
            data=data,
            taken_at=taken_at if taken_at is None or taken_at.tzinfo else taken_at.replace(tzinfo=UTC),
            client_id=client_id if isinstance(client_id, str) else None,
        )
        return redirect(str(request.url_for("meeting_detail", meeting_id=meeting_id)) + "#photos")
    context = meeting_page_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today)
    return render(request, "meetings/detail.html", {**context, "errors": errors.messages}, status=422)


@router.get("/pertemuan/{meeting_id}/foto/{photo_id}", name="meeting_photo")
def meeting_photo(meeting_id: int, photo_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """The photo as an image that cannot run script (sniffing off, sandboxed), or as a download."""
    meeting_get(session=session, user=user, meeting_id=meeting_id)
    photo = meeting_photo_get(session=session, meeting_id=meeting_id, photo_id=photo_id)
    path = service.photo_path(photo.stored_name)
    if not path.exists():
        raise NotFound(N_("Foto tidak ditemukan."))
    return FileResponse(
        path,
        media_type=photo.content_type,
        filename=f"foto-pertemuan-{meeting_id}-{photo.id}.{photo.stored_name.rsplit('.', 1)[-1]}",
        content_disposition_type="inline",
        headers=PHOTO_HEADERS,
    )
