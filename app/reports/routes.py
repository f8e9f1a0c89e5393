"""The monthly P2K2 report of a pendamping: one A4 page per kelompok to print, and the same as XLSX."""

from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from app.access import mask_number
from app.audit import access_record
from app.auth.deps import CurrentUser
from app.dashboard.forms import parse_month
from app.db import SessionDep
from app.errors import NotFound
from app.exports.streams import Sheet, xlsx_stream
from app.forms import FormErrors
from app.i18n import N_, gettext
from app.models import AccessAction, Role, User
from app.reports import rules
from app.reports.queries import MonthlyReport, monthly_report, report_pendamping_options
from app.web import Today, render

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choice(user: User, pendamping: str, bulan: str, today: date) -> tuple[int | None, date, FormErrors]:
    errors = FormErrors()
    month = parse_month(bulan, name="bulan", errors=errors) if bulan.strip() else today.replace(day=1)
    chosen = pendamping.strip()
    pendamping_id = int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) <= 9 else None
    if user.role == Role.PENDAMPING:
        pendamping_id = user.id
    elif chosen and pendamping_id is None:
        errors.add("pendamping", N_("Pilih pendamping dari daftar."))
    return pendamping_id, month or today.replace(day=1), errors


def _report(
    request: Request, session: SessionDep, user: User, pendamping_id: int, month: date, action: str
) -> MonthlyReport:
    report = monthly_report(session=session, user=user, pendamping_id=pendamping_id, month=month)
    detail = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    access_record(session=session, user=user, action=action, entity="report", entity_id=pendamping_id, detail=detail)
    return report


@router.get("/laporan/bulanan", name="report_monthly")
def report_monthly(
    request: Request, session: SessionDep, user: CurrentUser, today: Today, pendamping: str = "", bulan: str = ""
) -> Response:
    pendamping_id, month, errors = _choice(user, pendamping, bulan, today)
    report = None
    if pendamping_id is not None and not errors:
        report = _report(request, session, user, pendamping_id, month, AccessAction.PRINT)
    context = {
        "report": report,
        "options": report_pendamping_options(session=session, user=user),
        "values": {"pendamping": str(pendamping_id or ""), "bulan": bulan.strip() or month.strftime("%Y-%m")},
        "errors": errors.messages,
        "month": month,
        "rules": rules,
        "mask": mask_number,
    }
    return render(request, "reports/monthly.html", context, status=422 if errors else 200)


@router.get("/laporan/bulanan.xlsx", name="report_monthly_xlsx")
def report_monthly_xlsx(
    request: Request, session: SessionDep, user: CurrentUser, today: Today, pendamping: str = "", bulan: str = ""
) -> Response:
    pendamping_id, month, errors = _choice(user, pendamping, bulan, today)
    if pendamping_id is None or errors:
        raise NotFound(N_("Pilih pendamping dan bulan."))
    report = _report(request, session, user, pendamping_id, month, AccessAction.EXPORT)
    sheets = [
        Sheet(title=group.kelompok.name, header=rules.sheet_header(group), rows=list(rules.sheet_rows(group)))
        for group in report.groups
    ] or [Sheet(title=gettext("Laporan"), header=[gettext("Tidak ada kelompok.")], rows=[])]
    name = f"laporan-p2k2-{pendamping_id}-{month.strftime('%Y-%m')}.xlsx"
    return StreamingResponse(
        xlsx_stream(sheets), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
