"""Roster import pages: upload → dry run in the background (progress polled) → preview → apply → listed."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.access import roster_require_importer
from app.audit import access_record
from app.auth.deps import CurrentUser
from app.db import SessionDep
from app.errors import RuleViolation
from app.forms import FormErrors, form_refusal
from app.i18n import N_
from app.jobs.service import job_enqueue
from app.models import AccessAction, JobKind
from app.roster import queries, service, sheets
from app.roster.forms import upload_to_file
from app.roster.rules import COLUMNS, HEADERS
from app.settings import get_settings
from app.web import hx_target, redirect, render

router = APIRouter()
PREVIEW_ROWS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(data: bytes, media_type: str, filename: str) -> Response:
    return Response(data, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _index(request: Request, session: SessionDep, user: CurrentUser, errors: dict[str, str], page: int = 1) -> Response:
    imports, more = queries.imports_list(session=session, user=user, page=page)
    context = {
        "imports": imports,
        "page": page,
        "has_next": more > queries.PAGE,
        "columns": COLUMNS,
        "errors": errors,
        "max_mb": get_settings().roster_max_bytes >> 20,
    }
    return render(request, "roster/index.html", context, status=422 if errors else 200)


@router.get("/impor-kpm", name="roster_import_page")
def roster_import_page(request: Request, session: SessionDep, user: CurrentUser, halaman: int = 1) -> Response:
    roster_require_importer(user)
    return _index(request, session, user, {}, max(1, halaman))


@router.get("/impor-kpm/templat.xlsx", name="roster_template_xlsx")
def roster_template_xlsx(user: CurrentUser) -> Response:
    roster_require_importer(user)
    return _attachment(sheets.template_xlsx(), XLSX, "templat-impor-kpm.xlsx")


@router.get("/impor-kpm/templat.csv", name="roster_template_csv")
def roster_template_csv(user: CurrentUser) -> Response:
    roster_require_importer(user)
    return _attachment(sheets.template_csv(), "text/csv; charset=utf-8", "templat-impor-kpm.csv")


@router.post("/impor-kpm", name="roster_upload")
async def roster_upload(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    roster_require_importer(user)
    settings = get_settings()
    upload = await upload_to_file(
        request, name="file", directory=settings.upload_dir / "roster" / "tmp", max_bytes=settings.roster_max_bytes
    )
    errors = FormErrors()
    if upload is None:
        errors.add("file", N_("Pilih berkas CSV atau XLSX untuk diimpor."))
        return _index(request, session, user, errors.messages)
    filename, path = upload
    with form_refusal(session=session, errors=errors):
        try:
            record = service.roster_import_create(session=session, user=user, filename=filename, path=path)
        finally:
            path.unlink(missing_ok=True)
        job_enqueue(session=session, kind=JobKind.ROSTER_IMPORT, params={}, user=user)
        return redirect(request.url_for("roster_import_detail", import_id=record.id), request)
    return _index(request, session, user, errors.messages)


def _detail_context(session: SessionDep, user: CurrentUser, import_id: int) -> dict[str, object]:
    record = queries.import_get(session=session, user=user, import_id=import_id)
    return {
        "record": record,
        "refusals": queries.refusals_of(session=session, import_id=import_id, limit=PREVIEW_ROWS),
        "headers": HEADERS,
        "preview_rows": PREVIEW_ROWS,
    }


@router.get("/impor-kpm/{import_id}", name="roster_import_detail")
def roster_import_detail(request: Request, import_id: int, session: SessionDep, user: CurrentUser) -> Response:
    roster_require_importer(user)
    return render(request, "roster/detail.html", {**_detail_context(session, user, import_id), "errors": {}})


@router.get("/impor-kpm/{import_id}/status", name="roster_import_status")
def roster_import_status(request: Request, import_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """The import's state, polled while the worker checks or applies it."""
    roster_require_importer(user)
    return render(
        request, "roster/detail.html", {**_detail_context(session, user, import_id), "errors": {}}, block="result"
    )


@router.post("/impor-kpm/{import_id}/terapkan", name="roster_apply")
def roster_apply(request: Request, import_id: int, session: SessionDep, user: CurrentUser) -> Response:
    roster_require_importer(user)
    record = queries.import_get(session=session, user=user, import_id=import_id)
    errors = FormErrors()
    with form_refusal(session=session, errors=errors):
        service.roster_apply_request(session=session, user=user, record=record)
        job_enqueue(session=session, kind=JobKind.ROSTER_IMPORT, params={}, user=user)
        if hx_target(request) == "result":  # the block answers in place and polls the apply's progress
            context = {**_detail_context(session, user, import_id), "errors": {}}
            return render(request, "roster/detail.html", context, block="result")
        return redirect(request.url_for("roster_import_detail", import_id=import_id), request)
    context = {**_detail_context(session, user, import_id), "errors": errors.messages}
    return render(request, "roster/detail.html", context, status=422, targets={"result": "result"})


@router.get("/impor-kpm/{import_id}/ditolak.xlsx", name="roster_refused_xlsx")
def roster_refused_xlsx(import_id: int, session: SessionDep, user: CurrentUser) -> Response:
    roster_require_importer(user)
    record = queries.import_get(session=session, user=user, import_id=import_id)
    refusals = queries.refusals_of(session=session, import_id=import_id)
    if not refusals:
        raise RuleViolation(N_("Impor ini tidak punya baris yang ditolak."))
    access_record(
        session=session,
        user=user,
        action=AccessAction.EXPORT,
        entity="roster_import",
        entity_id=import_id,
        detail="ditolak",
    )
    rows = ((r.cells, "; ".join(f"{column}: {message}" for column, message in r.problems)) for r in refusals)
    return _attachment(sheets.refused_xlsx(rows), XLSX, f"ditolak-impor-{record.id}.xlsx")
