"""Beranda: my kelompok, the next meetings, meetings waiting for their roll, overdue kelompok."""

from fastapi import APIRouter, Request
from sqlmodel import select
from starlette.responses import PlainTextResponse, Response

from app.auth.deps import CurrentUser
from app.cases.queries import case_home_context
from app.db import SessionDep
from app.graduation.queries import graduation_progress
from app.home.queries import home_items, home_notifications
from app.kelompok.queries import kelompok_summaries
from app.meetings.queries import meetings_upcoming, meetings_waiting_roll
from app.models import Role
from app.notifications.service import notifications_mark_read
from app.web import Today, render

router = APIRouter()
HOME_LIST_LIMIT = 12


@router.get("/", name="home")
def home(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    mine = kelompok_summaries(
        session=session, user=user, limit=HOME_LIST_LIMIT if user.role != Role.PENDAMPING else None
    )
    overdue = kelompok_summaries(session=session, user=user, only_overdue_on=today, limit=HOME_LIST_LIMIT)
    context = {
        "kelompok": mine,
        "overdue": overdue,
        "upcoming": meetings_upcoming(session=session, user=user, today=today),
        "waiting": meetings_waiting_roll(session=session, user=user, today=today),
        "today": today,
        "progress": graduation_progress(session=session, user=user, year=today.year)
        if user.role == Role.PENDAMPING
        else [],
        **case_home_context(session=session, user=user, today=today),
        "items": home_items(session=session, user=user, today=today),
    }
    notices = home_notifications(session=session, user=user)
    context["notices"] = notices
    fresh = {n.notification.id or 0 for n in notices if n.unread}
    marked = notifications_mark_read(session=session, user=user, ids=sorted(fresh))
    request.state.unread = max(0, request.state.unread - marked)  # the header's count, after this view
    context["fresh"] = fresh
    return render(request, "home/index.html", context)


@router.get("/sehat", name="health")
def health(session: SessionDep) -> PlainTextResponse:
    """Liveness and database reachability for the container's health check."""
    session.exec(select(1)).one()
    return PlainTextResponse("ok")
