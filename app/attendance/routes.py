"""Roll-call actions: tap a KPM, note who came, everyone present, add a make-up guest."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.access import meeting_get
from app.attendance import service
from app.auth.deps import CurrentUser
from app.clock import JAKARTA
from app.db import SessionDep
from app.errors import RuleViolation
from app.forms import violation_messages
from app.i18n import gettext
from app.meetings.queries import roll_counts, roll_mark
from app.meetings.routes import meeting_context
from app.models import Family
from app.web import Today, hx_target, redirect, render

router = APIRouter()


def _roll_response(
    request: Request, context: dict[str, object], *, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    return render(request, "meetings/detail.html", {**context, "errors": errors or {}}, block="roll", status=status)


@router.post("/pertemuan/{meeting_id}/absensi/{family_id}", name="attendance_tap")
def attendance_tap(
    request: Request,
    meeting_id: int,
    family_id: int,
    session: SessionDep,
    user: CurrentUser,
    today: Today,
    status: Annotated[str | None, Form()] = None,
    attendee: Annotated[str | None, Form()] = None,
    attendee_name: Annotated[str | None, Form()] = None,
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    row_error = None
    try:
        service.attendance_set(
            session=session,
            user=user,
            kelompok=kelompok,
            meeting=meeting,
            family_id=family_id,
            today=today,
            status=status or None,
            attendee=attendee or None,
            attendee_name=attendee_name,
        )
    except RuleViolation as exc:
        session.rollback()
        row_error = gettext(exc.message, **exc.params)
    if hx_target(request) != f"kpm-{family_id}":
        if row_error:
            context = meeting_context(session, user, meeting, kelompok, today)
            return render(request, "meetings/detail.html", {**context, "errors": {"form": row_error}}, status=422)
        return redirect(str(request.url_for("meeting_detail", meeting_id=meeting_id)) + f"#kpm-{family_id}")
    # Only the tapped row and the counts (swapped out of band): the rest of the roll has not changed.
    mark = roll_mark(session=session, meeting=meeting, family_id=family_id)
    counts, roll_total = roll_counts(session=session, meeting=meeting)
    context = {
        "meeting": meeting,
        "kelompok": kelompok,
        "family": session.get(Family, family_id),
        "roll_open": True,
        "saved": row_error is None,
        "marks": {family_id: mark} if mark is not None else {},
        "row_error": row_error,
        "oob": True,
        "next_status": service.next_status,
        "jakarta": JAKARTA,
        "roll_total": roll_total,
        "counts": counts,
    }
    return render(
        request, "meetings/detail.html", context, blocks=["roll_row", "roll_counts"], status=422 if row_error else 200
    )


@router.post("/pertemuan/{meeting_id}/semua-hadir", name="attendance_all_present")
def attendance_all_present(
    request: Request, meeting_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    errors = {}
    try:
        service.attendance_all_present(session=session, user=user, kelompok=kelompok, meeting=meeting, today=today)
    except RuleViolation as exc:
        session.rollback()
        errors = {"form": gettext(exc.message, **exc.params)}
    if hx_target(request) != "roll":
        if errors:
            context = meeting_context(session, user, meeting, kelompok, today)
            return render(request, "meetings/detail.html", {**context, "errors": errors}, status=422)
        return redirect(request.url_for("meeting_detail", meeting_id=meeting_id))
    context = meeting_context(session, user, meeting, kelompok, today)
    return _roll_response(request, context, errors=errors, status=422 if errors else 200)


@router.post("/pertemuan/{meeting_id}/susulan", name="attendance_makeup")
def attendance_makeup(
    request: Request,
    meeting_id: int,
    session: SessionDep,
    user: CurrentUser,
    today: Today,
    family_id: Annotated[str, Form()] = "",
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    errors = {}
    if not family_id.isdigit():
        errors = {"family_id": gettext("Pilih KPM yang mengikuti sesi susulan.")}
    else:
        try:
            service.attendance_makeup_add(
                session=session, user=user, kelompok=kelompok, meeting=meeting, family_id=int(family_id), today=today
            )
        except RuleViolation as exc:
            session.rollback()
            errors = violation_messages(exc)
    if errors:
        context = meeting_context(session, user, meeting, kelompok, today)
        return render(request, "meetings/detail.html", {**context, "errors": errors}, status=422)
    return redirect(request.url_for("meeting_detail", meeting_id=meeting_id), request)
