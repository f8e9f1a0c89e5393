"""Downloads: absensi per kelompok/area and month, completion matrix, dashboard tables; the printable absensi."""

from collections.abc import Iterator
from datetime import date

from fastapi import APIRouter, Request
from sqlalchemy import ColumnElement
from sqlmodel import Session, col
from starlette.responses import Response, StreamingResponse

from app.access import kelompok_clause, kelompok_get, meeting_get, nik_visible
from app.attendance.queries import roll_rows
from app.audit import access_record
from app.auth.deps import CurrentUser
from app.curriculum.queries import topics_active
from app.dashboard.forms import parse_month, period_parse
from app.dashboard.queries import Period, Scope, dashboard_build, kelompok_filter
from app.dashboard.scope import area_resolve
from app.db import SessionDep
from app.errors import NotFound, RuleViolation
from app.exports import queries
from app.exports.streams import Sheet, csv_stream, xlsx_stream
from app.forms import FormErrors
from app.i18n import N_, gettext
from app.meetings.queries import meeting_topic, roll_families
from app.models import AccessAction, Area, Kelompok, User
from app.replica import ReadSessionDep
from app.web import Today, render

router = APIRouter()
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _format(fmt: str) -> str:
    if fmt not in MEDIA:
        raise NotFound(N_("Format unduhan tidak dikenal."))
    return fmt


def _logged(request: Request, session: Session, user: User, action: str = AccessAction.EXPORT) -> None:
    """Personal data leaving the app (a file or a printed sheet) is logged: who, what, when."""
    detail = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    access_record(session=session, user=user, action=action, entity="export", detail=detail)


def _download(fmt: str, filename: str, body: Iterator[bytes]) -> StreamingResponse:
    return StreamingResponse(
        body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'}
    )


def _selection(
    *, session: Session, user: User, kelompok: int | None, wilayah: str
) -> tuple[list[ColumnElement[bool]], str]:
    """Row filter and file-name stem: one kelompok (any role that may see it), else an area in scope."""
    if kelompok is not None:
        group = kelompok_get(session=session, user=user, kelompok_id=kelompok)
        return [kelompok_clause(user), col(Kelompok.id) == group.id], f"kelompok-{group.id}"
    area: Area | None = area_resolve(session=session, user=user, code=wilayah)
    scope = Scope(user=user, area=area, period=Period(start=date.min, end=date.min))
    return kelompok_filter(scope), area.code if area else "semua"


def _month(raw: str) -> date:
    errors = FormErrors()
    month = parse_month(raw, name="bulan", errors=errors)
    if month is None:
        raise RuleViolation(N_("Pilih bulan (contoh 2026-01)."), field="bulan")
    return month


@router.get("/ekspor/absensi.{fmt}", name="export_attendance")
def export_attendance(
    request: Request,
    fmt: str,
    session: ReadSessionDep,
    primary: SessionDep,
    user: CurrentUser,
    bulan: str = "",
    wilayah: str = "",
    kelompok: int | None = None,
) -> Response:
    fmt = _format(fmt)
    month = _month(bulan)
    conditions, stem = _selection(session=session, user=user, kelompok=kelompok, wilayah=wilayah)
    _logged(request, primary, user)  # the log is written to the primary; the reads may come from a replica
    sheet = Sheet(
        title=gettext("Absensi") + " " + month.strftime("%Y-%m"),
        header=queries.attendance_header(),
        rows=queries.attendance_rows(session=session, conditions=conditions, month=month),
    )
    body = csv_stream(sheet) if fmt == "csv" else xlsx_stream([sheet])
    return _download(fmt, f"absensi-{stem}-{month.strftime('%Y-%m')}", body)


@router.get("/ekspor/penyelesaian.{fmt}", name="export_completion")
def export_completion(
    request: Request,
    fmt: str,
    session: ReadSessionDep,
    primary: SessionDep,
    user: CurrentUser,
    wilayah: str = "",
    kelompok: int | None = None,
    dari: str = "",
    sampai: str = "",
) -> Response:
    fmt = _format(fmt)
    conditions, stem = _selection(session=session, user=user, kelompok=kelompok, wilayah=wilayah)
    _logged(request, primary, user)  # the log is written to the primary; the reads may come from a replica
    topics = topics_active(session=session, core_only=True)
    sheet = Sheet(
        title=gettext("Penyelesaian"),
        header=queries.completion_header(topics),
        rows=queries.completion_rows(session=session, conditions=conditions, topics=topics),
    )
    body = csv_stream(sheet) if fmt == "csv" else xlsx_stream([sheet])
    return _download(fmt, f"penyelesaian-{stem}", body)


@router.get("/ekspor/dasbor.{fmt}", name="export_dashboard")
def export_dashboard(
    request: Request,
    fmt: str,
    session: ReadSessionDep,
    primary: SessionDep,
    user: CurrentUser,
    today: Today,
    wilayah: str = "",
    dari: str = "",
    sampai: str = "",
    tabel: str = "wilayah",
) -> Response:
    fmt = _format(fmt)
    area = area_resolve(session=session, user=user, code=wilayah)
    period, _values, errors = period_parse(dari=dari, sampai=sampai, today=today)
    if errors:
        raise RuleViolation(next(iter(errors.messages.values())))
    board = dashboard_build(
        session=session, scope=Scope(user=user, area=area, period=period), today=today, completion=True
    )
    tables = queries.dashboard_tables(board)
    _logged(request, primary, user)  # the log is written to the primary; the reads may come from a replica
    stem = f"dasbor-{area.code if area else 'semua'}-{period.start.strftime('%Y-%m')}-{period.end.strftime('%Y-%m')}"
    if fmt == "csv":
        if tabel not in tables:
            raise NotFound(N_("Tabel tidak dikenal."))
        header, rows = tables[tabel]
        return _download(fmt, f"{stem}-{tabel}", csv_stream(Sheet(title=tabel, header=header, rows=rows)))
    titles = {"wilayah": gettext("Per wilayah"), "pendamping": gettext("Per pendamping"), "bulan": gettext("Per bulan")}
    sheets = [Sheet(title=titles[name], header=header, rows=rows) for name, (header, rows) in tables.items()]
    return _download(fmt, stem, xlsx_stream(sheets))


@router.get("/pertemuan/{meeting_id}/cetak", name="meeting_print")
def meeting_print(request: Request, meeting_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """An A4 absensi sheet with a signature column, printed from the browser."""
    meeting, kelompok = meeting_get(session=session, user=user, meeting_id=meeting_id)
    _logged(request, session, user, AccessAction.PRINT)
    topic, module = meeting_topic(session=session, meeting=meeting)
    context = {
        "meeting": meeting,
        "kelompok": kelompok,
        "topic": topic,
        "module": module,
        "families": roll_families(session=session, meeting=meeting),
        "marks": roll_rows(session=session, meeting=meeting),
        "village": session.get(Area, kelompok.village_code),
        "pendamping": session.get(User, kelompok.pendamping_id) if kelompok.pendamping_id else None,
        "show_numbers": nik_visible(user, kelompok),
    }
    return render(request, "exports/absensi_print.html", context)
