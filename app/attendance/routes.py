"""Roll-call actions: tap a KPM, note who came, everyone present, add a make-up guest."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.access import meeting_get, meeting_require_editor
from app.attendance import service
from app.attendance.queries import mark_recorder, roll_counts, roll_mark
from app.attendance.rules import next_status
from app.auth.deps import CurrentUser, signed_in_user
from app.clock import JAKARTA
from app.db import SessionDep
from app.forms import FormErrors, form_refusal, parse_int
from app.i18n import N_, gettext
from app.meetings.queries import meeting_page_context, roll_context
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
    today: Today,
    status: Annotated[str | None, Form()] = None,
    attendee: Annotated[str | None, Form()] = None,
    attendee_name: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    base: Annotated[str | None, Form()] = None,
) -> Response:
    # The hottest route: one transaction reads the login, writes the mark and reads the counts it answers with.
    user = signed_in_user(request, session)
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id, for_update=True)
    meeting_require_editor(user, meeting, kelompok)
    # The answer shows what this request wrote: no need to read it all back after the commit.
    session.expire_on_commit = False
    tapped: service.TapResult | None = None
    with form_refusal(session=session, field="form") as refused:
        tapped = service.attendance_set(
            session=session,
            user=user,
            kelompok=kelompok,
            meeting=meeting,
            family_id=family_id,
            today=today,
            status=status or None,
            attendee=attendee or None,
            attendee_name=attendee_name,
            client_id=client_id or None,
            base=base,
            meeting_locked=True,
        )
    row_error = refused.messages.get("form")
    if hx_target(request) != f"kpm-{family_id}":
        if row_error:
            context = meeting_page_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today)
            return render(request, "meetings/detail.html", {**context, "errors": {"form": row_error}}, status=422)
        return redirect(str(request.url_for("meeting_detail", meeting_id=meeting_id)) + f"#kpm-{family_id}")
    # Only the tapped row and the counts (swapped out of band): the rest of the roll has not changed.
    if tapped is None or row_error:  # refused: what the server holds
        mark = roll_mark(session=session, meeting=meeting, family_id=family_id)
        counts, roll_total = roll_counts(session=session, meeting=meeting)
        family = session.get(Family, family_id)
    else:
        mark, family, counts, roll_total = tapped.mark, tapped.family, tapped.counts, tapped.roll_total
    context = {
        "meeting": meeting,
        "kelompok": kelompok,
        "family": family,
        "roll_open": True,
        "saved": row_error is None,
        "marks": {family_id: mark} if mark is not None else {},
        "recorders": mark_recorder(session=session, mark=mark),
        "row_error": row_error,
        "oob": True,
        "next_status": next_status,
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
    meeting_require_editor(user, meeting, kelompok)
    notice = ""
    with form_refusal(session=session, field="form") as refused:
        result = service.attendance_all_present(
            session=session, user=user, kelompok=kelompok, meeting=meeting, today=today
        )
        notice = _all_present_notice(result)
    errors = refused.messages
    # The page itself, not a redirect: the notice says what was marked and what was left as it was.
    if hx_target(request) != "roll":
        context = meeting_page_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today)
        context = {**context, "notice": notice, "errors": errors}
        return render(request, "meetings/detail.html", context, status=422 if errors else 200)
    context = roll_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today)
    return _roll_response(request, {**context, "notice": notice}, errors=errors, status=422 if errors else 200)


def _all_present_notice(result: service.AllPresentResult) -> str:
    if result.kept:
        return gettext(
            "%(marked)s KPM ditandai hadir; %(kept)s yang sudah bertanda izin/sakit/alpa tidak diubah.",
            marked=result.marked,
            kept=result.kept,
        )
    return gettext("%(marked)s KPM ditandai hadir.", marked=result.marked)


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
    meeting_require_editor(user, meeting, kelompok)
    refused = FormErrors()
    makeup_id = parse_int(family_id, name="family_id", errors=FormErrors(), minimum=1)
    if makeup_id is None:
        refused.add("family_id", N_("Pilih KPM yang mengikuti sesi susulan."))
    else:
        with form_refusal(session=session, errors=refused):
            service.attendance_makeup_add(
                session=session, user=user, kelompok=kelompok, meeting=meeting, family_id=makeup_id, today=today
            )
    errors = refused.messages
    if errors:
        context = meeting_page_context(session=session, user=user, meeting=meeting, kelompok=kelompok, today=today)
        return render(request, "meetings/detail.html", {**context, "errors": errors}, status=422)
    return redirect(request.url_for("meeting_detail", meeting_id=meeting_id), request)
