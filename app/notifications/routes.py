"""The notifications page: a user's own notifications, marked read once shown."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.notifications.queries import notifications_list
from app.notifications.service import notifications_mark_read
from app.web import render

router = APIRouter()
PAGE_SIZE = 30


@router.get("/pemberitahuan", name="notifications")
def notifications(request: Request, session: SessionDep, user: CurrentUser, halaman: int = 1) -> Response:
    page = max(1, min(halaman, 10_000))
    rows = notifications_list(session=session, user=user, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    shown = rows[:PAGE_SIZE]
    fresh = {r.notification.id or 0 for r in shown if r.unread}
    marked = notifications_mark_read(session=session, user=user, ids=sorted(fresh))
    request.state.unread = max(0, request.state.unread - marked)  # the header's count, after this view
    context = {"rows": shown, "fresh": fresh, "has_next": len(rows) > PAGE_SIZE, "page": page}
    return render(request, "notifications/index.html", context)
