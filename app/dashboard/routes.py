"""Supervisor dashboard: an area's figures with drill-down, and the lists behind each number."""

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.access import DASHBOARD_ROLES
from app.auth.deps import CurrentUser
from app.clock import JAKARTA
from app.dashboard import lists
from app.dashboard.cache import Cached, dashboard_cached
from app.dashboard.charts import Point, hbar_chart, month_chart
from app.dashboard.forms import parse_month, period_parse
from app.dashboard.queries import Dashboard, Scope, breadcrumbs
from app.dashboard.scope import area_resolve
from app.forms import FormErrors
from app.i18n import fmt_date, fmt_number, fmt_percent, fmt_time, gettext
from app.models import MeetingStatus, User
from app.replica import ReadSessionDep
from app.web import Today, render

router = APIRouter()
PAGE_SIZE = 100
# A kabupaten has hundreds of pendamping: the dashboard shows the first ones, a link (or the CSV) shows them all.
PENDAMPING_SHOWN = 50


def _pendamping_shown(semua_pendamping: str) -> int:
    return 1_000_000 if semua_pendamping else PENDAMPING_SHOWN


def _scope(
    session: Session, user: User, wilayah: str, dari: str, sampai: str, today: date
) -> tuple[Scope, dict[str, str], dict[str, str]]:
    from app.access import require_role

    require_role(user, *DASHBOARD_ROLES)
    area = area_resolve(session=session, user=user, code=wilayah)
    period, values, errors = period_parse(dari=dari, sampai=sampai, today=today)
    values["wilayah"] = area.code if area else ""
    return Scope(user=user, area=area, period=period), values, errors.messages


def _filters(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if k in ("wilayah", "dari", "sampai") and v}


def _freshness(request: Request, cached: Cached[Dashboard], values: dict[str, str], route: str) -> dict[str, object]:
    """When the figures were read (Jakarta time) and the link that reads them again."""
    return {
        "built_at": fmt_time(cached.built_at.astimezone(JAKARTA).time()),
        "refresh_url": str(request.url_for(route).include_query_params(**_filters(values), segarkan="1")),
    }


def _charts(request: Request, board: Dashboard, values: dict[str, str]) -> dict[str, object]:
    base = _filters(values)
    rates, planned, held = [], [], []
    for month, t in board.months:
        label = fmt_date(month, "axis")
        href = str(request.url_for("dashboard_meetings").include_query_params(**base, bulan=month.strftime("%Y-%m")))
        rates.append(
            Point(
                label=label,
                value=t.attendance_rate,
                href=href,
                title=gettext("kehadiran %(rate)s", rate=fmt_percent(t.attendance_rate)),
            )
        )
        planned.append(Point(label=label, value=t.planned, href=href))
        held.append(
            Point(
                label=label,
                value=t.held,
                href=href,
                title=gettext(
                    "%(held)s dari %(planned)s pertemuan terlaksana",
                    held=fmt_number(t.held),
                    planned=fmt_number(t.planned),
                ),
            )
        )
    return {
        "month_chart": month_chart(rates, planned, held, label=gettext("Pertemuan dan tingkat kehadiran per bulan"))
    }


@router.get("/dasbor", name="dashboard")
def dashboard(
    request: Request,
    session: ReadSessionDep,
    user: CurrentUser,
    today: Today,
    wilayah: str = "",
    dari: str = "",
    sampai: str = "",
    semua_pendamping: str = "",
    segarkan: str = "",
) -> Response:
    """The figures come from `dashboard_cached` (see app.dashboard.cache); `segarkan` reads them afresh."""
    scope, values, errors = _scope(session, user, wilayah, dari, sampai, today)
    context: dict[str, object] = {
        "values": values,
        "errors": errors,
        "filters": _filters(values),
        "today": today,
        "trail": breadcrumbs(session=session, user=user, area=scope.area),
        "area": scope.area,
        "pendamping_shown": _pendamping_shown(semua_pendamping),
    }
    if errors:
        return render(request, "dashboard/index.html", {**context, "board": None}, status=422)
    cached = dashboard_cached(session=session, scope=scope, today=today, completion=True, refresh=bool(segarkan))
    board = cached.value
    context.update(
        board=board,
        qs=urlencode,
        **_freshness(request, cached, values, "dashboard"),
        **_charts(request, board, values),
        **_completion_charts(request, board, values),
    )
    return render(request, "dashboard/index.html", context, targets={"dashboard-body": "dashboard_body"})


def _completion_charts(request: Request, board: Dashboard, values: dict[str, str]) -> dict[str, object]:
    kelompok_href = str(request.url_for("dashboard_kelompok").include_query_params(**_filters(values)))
    total = board.total
    topic_points = [
        Point(label=f"{t.no}. {t.title}", value=total.completion(total.topic_done.get(t.id, 0)), href=kelompok_href)
        for t in board.topics
    ]
    module_points = [
        Point(
            label=f"{gettext('Modul')} {m.no} · {m.title}",
            value=total.completion(total.module_done.get(m.no, 0)),
            href=kelompok_href,
        )
        for m in board.modules
    ]
    return {
        "topic_chart": hbar_chart(topic_points, label=gettext("KPM yang menyelesaikan tiap sesi")),
        "module_chart": hbar_chart(module_points, label=gettext("KPM yang menyelesaikan tiap modul")),
    }


@router.get("/dasbor/penyelesaian", name="dashboard_completion")
def dashboard_completion(
    request: Request,
    session: ReadSessionDep,
    user: CurrentUser,
    today: Today,
    wilayah: str = "",
    dari: str = "",
    sampai: str = "",
    semua_pendamping: str = "",
    segarkan: str = "",
) -> Response:
    """The completion card as a page of its own (printable, linkable), from the dashboard's cached figures."""
    scope, values, errors = _scope(session, user, wilayah, dari, sampai, today)
    cached = dashboard_cached(session=session, scope=scope, today=today, completion=True, refresh=bool(segarkan))
    board = cached.value
    context = {
        "board": board,
        **_freshness(request, cached, values, "dashboard_completion"),
        "values": values,
        "errors": errors,
        "filters": _filters(values),
        "area": scope.area,
        "pendamping_shown": _pendamping_shown(semua_pendamping),
        "trail": breadcrumbs(session=session, user=user, area=scope.area),
        **_completion_charts(request, board, values),
    }
    return render(request, "dashboard/completion.html", context, targets={"completion-page": "completion_page"})


@router.get("/dasbor/kelompok", name="dashboard_kelompok")
def dashboard_kelompok(
    request: Request,
    session: ReadSessionDep,
    user: CurrentUser,
    today: Today,
    wilayah: str = "",
    dari: str = "",
    sampai: str = "",
    pendamping: int | None = None,
    terlambat: bool = False,
    halaman: int = 1,
) -> Response:
    scope, values, errors = _scope(session, user, wilayah, dari, sampai, today)
    page = max(1, halaman)
    rows = lists.kelompok_rows(
        session=session,
        scope=scope,
        today=today,
        pendamping_id=pendamping,
        overdue_only=terlambat,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "values": values,
        "errors": errors,
        "filters": _filters(values),
        "area": scope.area,
        "pendamping": pendamping,
        "pendamping_name": lists.user_name(session=session, user_id=pendamping),
        "terlambat": terlambat,
        "trail": breadcrumbs(session=session, user=user, area=scope.area),
        "today": today,
    }
    return render(request, "dashboard/kelompok.html", context, status=422 if errors else 200)


@router.get("/dasbor/pertemuan", name="dashboard_meetings")
def dashboard_meetings(
    request: Request,
    session: ReadSessionDep,
    user: CurrentUser,
    today: Today,
    wilayah: str = "",
    dari: str = "",
    sampai: str = "",
    bulan: str = "",
    status: str = "",
    pendamping: int | None = None,
    halaman: int = 1,
) -> Response:
    scope, values, errors = _scope(session, user, wilayah, dari, sampai, today)
    month_errors = FormErrors()
    month = parse_month(bulan, name="bulan", errors=month_errors) if bulan else None
    errors = {**errors, **month_errors.messages}
    page = max(1, halaman)
    rows = (
        []
        if errors
        else lists.meeting_rows(
            session=session,
            scope=scope,
            month=month,
            status=status if status in MeetingStatus.__dict__.values() else "",
            pendamping_id=pendamping,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
    )
    context = {
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "page": page,
        "values": values,
        "errors": errors,
        "filters": _filters(values),
        "area": scope.area,
        "bulan": bulan,
        "status": status,
        "pendamping": pendamping,
        "pendamping_name": lists.user_name(session=session, user_id=pendamping),
        "trail": breadcrumbs(session=session, user=user, area=scope.area),
        "month": month,
    }
    return render(request, "dashboard/meetings.html", context, status=422 if errors else 200)
