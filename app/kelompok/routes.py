"""Kelompok pages: the list and one kelompok with its roster, meetings and progress grid."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.access import kelompok_can_edit, kelompok_can_register, kelompok_get
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.families.queries import kelompok_transfers_recent
from app.kelompok.queries import kelompok_summaries, progress_grid
from app.meetings.queries import meetings_of_kelompok, topic_proposed
from app.models import Area, User
from app.web import Today, render

router = APIRouter()
PAGE_SIZE = 50


@router.get("/kelompok", name="kelompok_list")
def kelompok_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    today: Today,
    q: str = "",
    halaman: int = 1,
    terlambat: bool = False,
) -> Response:
    page = max(1, halaman)
    rows = kelompok_summaries(
        session=session,
        user=user,
        search=q.strip()[:60],
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
        only_overdue_on=today if terlambat else None,
    )
    context = {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "q": q,
        "terlambat": terlambat,
        "today": today,
    }
    return render(request, "kelompok/list.html", context, targets={"kelompok-table": "kelompok_table"})


@router.get("/kelompok/{kelompok_id}", name="kelompok_detail")
def kelompok_detail(
    request: Request, kelompok_id: int, session: SessionDep, user: CurrentUser, today: Today
) -> Response:
    kelompok = kelompok_get(session=session, user=user, kelompok_id=kelompok_id)
    upcoming, past = meetings_of_kelompok(session=session, kelompok_id=kelompok_id, today=today)
    context = {
        "kelompok": kelompok,
        "village": session.get(Area, kelompok.village_code),
        "pendamping": session.get(User, kelompok.pendamping_id) if kelompok.pendamping_id else None,
        "grid": progress_grid(session=session, kelompok_id=kelompok_id),
        "upcoming": upcoming,
        "past": past,
        "proposed": topic_proposed(session=session, kelompok=kelompok, today=today),
        "can_edit": kelompok_can_edit(user, kelompok),
        "can_register": kelompok_can_register(user, kelompok),
        "transfers": kelompok_transfers_recent(session=session, kelompok_id=kelompok_id),
        "today": today,
    }
    return render(request, "kelompok/detail.html", context)
