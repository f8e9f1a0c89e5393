"""Audit trail pages of a family, a member, a meeting and one mark; each scoped like the record itself."""

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement
from starlette.responses import Response

from app.access import family_get, family_kelompok, meeting_get, nik_visible
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import NotFound
from app.families.queries import member_get
from app.history import queries
from app.i18n import N_
from app.models import Family
from app.web import render

router = APIRouter()


def _trail(
    request: Request,
    session: SessionDep,
    *,
    clause: ColumnElement[bool],
    page: int,
    show_nik: bool,
    title: str,
    back: tuple[str, str],
) -> Response:
    trail = queries.trail_page(session=session, clause=clause, page=max(1, page), show_nik=show_nik)
    context = {"trail": trail, "title": title, "back_url": back[0], "back_label": back[1]}
    return render(request, "history/trail.html", context)


@router.get("/kpm/{family_id}/riwayat", name="history_family")
def history_family(
    request: Request, family_id: int, session: SessionDep, user: CurrentUser, halaman: int = 1
) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    show_nik = nik_visible(user, family_kelompok(session=session, family=family))
    return _trail(
        request,
        session,
        clause=queries.family_trail_clause(session=session, family_id=family_id),
        page=halaman,
        show_nik=show_nik,
        title=family.head_name,
        back=(str(request.url_for("family_detail", family_id=family_id)), family.head_name),
    )


@router.get("/kpm/{family_id}/anggota/{member_id}/riwayat", name="history_member")
def history_member(
    request: Request, family_id: int, member_id: int, session: SessionDep, user: CurrentUser, halaman: int = 1
) -> Response:
    family = family_get(session=session, user=user, family_id=family_id)
    member = member_get(session=session, family=family, member_id=member_id)
    show_nik = nik_visible(user, family_kelompok(session=session, family=family))
    return _trail(
        request,
        session,
        clause=queries.member_trail_clause(member_id=member_id),
        page=halaman,
        show_nik=show_nik,
        title=member.name,
        back=(str(request.url_for("family_detail", family_id=family_id)), family.head_name),
    )


@router.get("/pertemuan/{meeting_id}/riwayat", name="history_meeting")
def history_meeting(
    request: Request, meeting_id: int, session: SessionDep, user: CurrentUser, halaman: int = 1
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    return _trail(
        request,
        session,
        clause=queries.meeting_trail_clause(session=session, meeting_id=meeting_id),
        page=halaman,
        show_nik=nik_visible(user, kelompok),
        title=kelompok.name,
        back=(str(request.url_for("meeting_detail", meeting_id=meeting_id)), kelompok.name),
    )


@router.get("/pertemuan/{meeting_id}/absensi/{family_id}/riwayat", name="history_mark")
def history_mark(
    request: Request, meeting_id: int, family_id: int, session: SessionDep, user: CurrentUser, halaman: int = 1
) -> Response:
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    clause = queries.mark_trail_clause(session=session, meeting_id=meeting_id, family_id=family_id)
    family = session.get(Family, family_id)
    if clause is None or family is None:
        raise NotFound(N_("Tanda kehadiran tidak ditemukan."))
    return _trail(
        request,
        session,
        clause=clause,
        page=halaman,
        show_nik=nik_visible(user, kelompok),
        title=family.head_name,
        back=(str(request.url_for("meeting_detail", meeting_id=meeting_id)), kelompok.name),
    )
