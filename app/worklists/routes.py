"""The lists that act: families with alpa in a row or low attendance (with export), graduates under monitoring or
flagged for re-enrolment, and the role queues behind the home page's counts."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from app.access import SUPERVISING_ROLES, require_role
from app.audit import access_record
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import NotFound
from app.exports.streams import Sheet, csv_stream, xlsx_stream
from app.graduation.facts import rules_on
from app.graduation.forms import candidate_filters_parse, candidate_query_params
from app.graduation.labels import LABELS
from app.graduation.queries import CandidateFilters, filter_options, filters_clean
from app.graduation.rules import add_months
from app.i18n import N_, fmt_date, fmt_datetime, gettext
from app.models import AccessAction, Role, User
from app.replica import ReadSessionDep
from app.web import Today, hx_target, render
from app.worklists import queries

router = APIRouter()
PAGE_SIZE = 50
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
FAMILY_HEADER = (
    N_("Nama kepala keluarga"),
    N_("ID PKH"),
    N_("Kelurahan"),
    N_("Kelompok"),
    N_("Pendamping"),
    N_("Alpa berturut-turut"),
    N_("Hadir"),
    N_("Tercatat"),
    N_("Kehadiran (%)"),
)


def _page(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) <= 5 and int(raw) > 0 else 1


@dataclass
class Window:
    since: date
    until: date
    min_share: float
    streak: int


def _window(session: Session, today: date) -> Window:
    rules = rules_on(session=session, day=today)
    return Window(
        since=add_months(today, -rules.attendance_window_months),
        until=today,
        min_share=rules.attendance_min_share,
        streak=rules.alpa_streak_warning,
    )


def _filters(session: Session, user: User, request: Request) -> CandidateFilters:
    return filters_clean(session=session, user=user, filters=candidate_filters_parse(dict(request.query_params)))


# --- families to follow up ---

KINDS = {"beruntun": N_("KPM dengan alpa berturut-turut"), "kehadiran": N_("KPM dengan kehadiran di bawah ambang")}


def _family_rows(
    session: Session, user: User, kind: str, filters: CandidateFilters, window: Window, page: int
) -> list[queries.FamilyRow]:
    offset = (page - 1) * PAGE_SIZE
    if kind == "beruntun":
        return queries.alpa_families(
            session=session, user=user, filters=filters, streak=window.streak, limit=PAGE_SIZE + 1, offset=offset
        )
    return queries.low_attendance_families(
        session=session,
        user=user,
        filters=filters,
        since=window.since,
        until=window.until,
        min_share=window.min_share,
        limit=PAGE_SIZE + 1,
        offset=offset,
    )


def _families_page(request: Request, session: Session, user: User, today: date, kind: str) -> Response:
    filters = _filters(session, user, request)
    page = _page(request.query_params.get("halaman", "1"))
    window = _window(session, today)
    rows = _family_rows(session, user, kind, filters, window, page)
    context: dict[str, Any] = {
        "kind": kind,
        "title": KINDS[kind],
        "filters": filters,
        "options": filter_options(session=session, user=user, filters=filters),
        "query": candidate_query_params(filters),
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "window": window,
        "list_route": "worklist_alpa" if kind == "beruntun" else "worklist_low_attendance",
        "export_route": "worklist_alpa_export" if kind == "beruntun" else "worklist_low_attendance_export",
    }
    if hx_target(request) == "worklist":
        return render(
            request, "worklists/families.html", {**context, "oob": True}, blocks=["worklist_table", "filters"]
        )
    return render(request, "worklists/families.html", context)


@router.get("/daftar/alpa", name="worklist_alpa")
def worklist_alpa(request: Request, session: ReadSessionDep, user: CurrentUser, today: Today) -> Response:
    return _families_page(request, session, user, today, "beruntun")


@router.get("/daftar/kehadiran-rendah", name="worklist_low_attendance")
def worklist_low_attendance(request: Request, session: ReadSessionDep, user: CurrentUser, today: Today) -> Response:
    return _families_page(request, session, user, today, "kehadiran")


def _family_cells(row: queries.FamilyRow) -> list[Any]:
    share = row.share
    return [
        row.head_name,
        row.programme_id,
        row.village_name,
        row.kelompok_name,
        row.pendamping_name,
        row.alpa_streak,
        row.hadir if row.marks else "",
        row.marks if row.marks else "",
        round(100 * share, 1) if share is not None else "",
    ]


def _families_export(
    request: Request, session: Session, primary: Session, user: User, today: date, kind: str, fmt: str
) -> Response:
    if fmt not in MEDIA:
        raise NotFound(N_("Format unduhan tidak dikenal."))
    filters = _filters(session, user, request)
    window = _window(session, today)
    detail = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    access_record(session=primary, user=user, action=AccessAction.EXPORT, entity="export", detail=detail)
    found: Iterator[queries.FamilyRow]
    if kind == "beruntun":
        found = queries.alpa_families_iter(session=session, user=user, filters=filters, streak=window.streak)
    else:
        found = queries.low_attendance_iter(
            session=session,
            user=user,
            filters=filters,
            since=window.since,
            until=window.until,
            min_share=window.min_share,
        )
    sheet = Sheet(
        title=gettext(KINDS[kind])[:31],
        header=[gettext(h) for h in FAMILY_HEADER],
        rows=(_family_cells(r) for r in found),
    )
    body = csv_stream(sheet) if fmt == "csv" else xlsx_stream([sheet])
    name = f"{'kpm-alpa' if kind == 'beruntun' else 'kpm-kehadiran-rendah'}-{today.isoformat()}.{fmt}"
    return StreamingResponse(
        body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/daftar/alpa.{fmt}", name="worklist_alpa_export")
def worklist_alpa_export(
    request: Request, fmt: str, session: ReadSessionDep, primary: SessionDep, user: CurrentUser, today: Today
) -> Response:
    return _families_export(request, session, primary, user, today, "beruntun", fmt)


@router.get("/daftar/kehadiran-rendah.{fmt}", name="worklist_low_attendance_export")
def worklist_low_attendance_export(
    request: Request, fmt: str, session: ReadSessionDep, primary: SessionDep, user: CurrentUser, today: Today
) -> Response:
    return _families_export(request, session, primary, user, today, "kehadiran", fmt)


# --- graduates ---


@router.get("/daftar/pemantauan", name="worklist_graduates")
def worklist_graduates(
    request: Request, session: ReadSessionDep, user: CurrentUser, today: Today, tinjau: str = ""
) -> Response:
    filters = _filters(session, user, request)
    page = _page(request.query_params.get("halaman", "1"))
    flagged = tinjau == "1"
    rows = queries.graduates_monitored(
        session=session,
        user=user,
        filters=filters,
        today=today,
        flagged_only=flagged,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "flagged": flagged,
        "filters": filters,
        "options": filter_options(session=session, user=user, filters=filters),
        "query": {**candidate_query_params(filters), "tinjau": "1" if flagged else ""},
        "labels": LABELS,
        "today": today,
    }
    return render(request, "worklists/graduates.html", context)


# --- role queues ---


@dataclass
class Line:
    cells: list[Any]
    url: str | None = None


def _table_page(
    request: Request, *, title: str, intro: str, header: list[str], lines: list[Line], page: int, has_next: bool
) -> Response:
    context = {
        "title": title,
        "intro": intro,
        "header": header,
        "lines": lines,
        "page": page,
        "has_next": has_next,
        "here": request.url_for(request.scope["route"].name),
    }
    return render(request, "worklists/table.html", context)


@router.get("/daftar/penilaian", name="worklist_reviews_due")
def worklist_reviews_due(request: Request, session: SessionDep, user: CurrentUser, today: Today) -> Response:
    require_role(user, *SUPERVISING_ROLES)
    page = _page(request.query_params.get("halaman", "1"))
    rows = queries.reviews_due(
        session=session, user=user, today=today, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    lines = [
        Line(
            [r.kelompok_name, r.village_name, r.pendamping_name, fmt_date(r.meeting_date)],
            str(request.url_for("quality_new", meeting_id=r.meeting_id)),
        )
        for r in rows[:PAGE_SIZE]
    ]
    return _table_page(
        request,
        title=gettext("Penilaian kualitas bulan ini"),
        intro=gettext(
            "Kelompok yang sudah bertemu bulan ini tetapi belum dinilai; tautan membuka penilaian pertemuan "
            "terakhirnya."
        ),
        header=[gettext("Kelompok"), gettext("Kelurahan"), gettext("Pendamping"), gettext("Pertemuan terakhir")],
        lines=lines,
        page=page,
        has_next=len(rows) > PAGE_SIZE,
    )


def _user_lines(request: Request, rows: list[queries.UserRow]) -> list[Line]:
    return [
        Line(
            [r.full_name, r.username, r.area_code or "–", r.kelompok],
            str(request.url_for("admin_user_edit", user_id=r.user_id)),
        )
        for r in rows
    ]


@router.get("/daftar/pendamping-tanpa-kelompok", name="worklist_pendamping_idle")
def worklist_pendamping_idle(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    page = _page(request.query_params.get("halaman", "1"))
    rows = queries.pendamping_idle(session=session, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return _table_page(
        request,
        title=gettext("Pendamping tanpa kelompok"),
        intro=gettext("Pendamping aktif yang belum memegang kelompok: tugaskan kelompok di halaman Kelompok."),
        header=[gettext("Nama"), gettext("Nama pengguna"), gettext("Wilayah"), gettext("Kelompok")],
        lines=_user_lines(request, rows[:PAGE_SIZE]),
        page=page,
        has_next=len(rows) > PAGE_SIZE,
    )


@router.get("/daftar/nonaktif-ditugaskan", name="worklist_inactive_assigned")
def worklist_inactive_assigned(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    page = _page(request.query_params.get("halaman", "1"))
    rows = queries.inactive_assigned(session=session, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return _table_page(
        request,
        title=gettext("Pengguna nonaktif yang masih ditugaskan"),
        intro=gettext("Kelompok mereka tidak punya pendamping yang dapat masuk: pindahkan ke pendamping lain."),
        header=[gettext("Nama"), gettext("Nama pengguna"), gettext("Wilayah"), gettext("Kelompok")],
        lines=_user_lines(request, rows[:PAGE_SIZE]),
        page=page,
        has_next=len(rows) > PAGE_SIZE,
    )


@router.get("/daftar/impor-gagal", name="worklist_failed_imports")
def worklist_failed_imports(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    require_role(user, Role.ADMIN)
    page = _page(request.query_params.get("halaman", "1"))
    rows = queries.failed_imports(session=session, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    lines = [
        Line([r.kind, fmt_datetime(r.created_at), fmt_datetime(r.finished_at), r.error[:300]]) for r in rows[:PAGE_SIZE]
    ]
    return _table_page(
        request,
        title=gettext("Impor dan tugas latar yang gagal"),
        intro=gettext("Tugas yang berhenti karena galat; jalankan ulang setelah penyebabnya diperbaiki."),
        header=[gettext("Jenis"), gettext("Dibuat"), gettext("Berhenti"), gettext("Galat")],
        lines=lines,
        page=page,
        has_next=len(rows) > PAGE_SIZE,
    )
