"""The notifications page: a user's own notifications, marked read once shown."""

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.models import User
from app.notifications.queries import NotificationLine, notifications_list
from app.notifications.service import notifications_mark_read
from app.web import render

router = APIRouter()
PAGE_SIZE = 30


@router.get("/pemberitahuan", name="notifications")
def notifications(request: Request, session: SessionDep, user: CurrentUser, halaman: int = 1) -> Response:
    page = max(1, min(halaman, 10_000))
    rows = notifications_list(session=session, user=user, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    shown = rows[:PAGE_SIZE]
    fresh = notifications_seen(request, session=session, user=user, rows=shown)
    context = {"rows": shown, "fresh": fresh, "has_next": len(rows) > PAGE_SIZE, "page": page}
    return render(request, "notifications/index.html", context)


def notifications_seen(request: Request, *, session: Session, user: User, rows: list[NotificationLine]) -> set[int]:
    """Mark the shown unread notifications read; the ids that were new (to highlight them), and the header's
    count lowered to match."""
    fresh = {r.notification.id or 0 for r in rows if r.unread}
    marked = notifications_mark_read(session=session, user=user, ids=sorted(fresh))
    request.state.unread = max(0, getattr(request.state, "unread", 0) - marked)
    return fresh
